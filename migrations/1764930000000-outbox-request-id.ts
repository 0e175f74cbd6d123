import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A side effect remembers the request that caused it, so its job's log lines carry that request's
 * id (null for rows written outside a request: CLI commands, loops). Failed side effects get a
 * partial index, as the open ones have: the metrics count them on every scrape.
 */
export class OutboxRequestId1764930000000 implements MigrationInterface {
  name = 'OutboxRequestId1764930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox ADD COLUMN request_id text CHECK (length(request_id) <= 100);
      CREATE INDEX outbox_failed ON outbox (created_at) WHERE status = 'FAILED';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX outbox_failed;
      ALTER TABLE outbox DROP COLUMN request_id;
    `);
  }
}
