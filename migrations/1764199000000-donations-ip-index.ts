import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The velocity check counts a donor's and an IP address's gifts of the last minute: both indexed. */
export class DonationsIpIndex1764199000000 implements MigrationInterface {
  name = 'DonationsIpIndex1764199000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX donations_ip_created ON donations (ip, created_at) WHERE ip IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX donations_ip_created`);
  }
}
