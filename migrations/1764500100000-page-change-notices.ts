import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Change notices for the public page cache (src/common/page-cache): after each statement that
 * changes what a public page shows, one NOTIFY on `lianxin_page_changes` whose payload is the
 * comma-separated PAGE_TAG values it touched (src/common/http/page-cache.ts). Statement-level
 * triggers with transition tables: one notice per statement, however many rows. NOTIFY is
 * delivered at commit (never for a rolled-back change) to every listening process.
 *
 *   postings inserted                        fund:<id> of each fund whose account it is, funds
 *   funds inserted or updated                fund:<id>, funds
 *   campaigns inserted or updated            campaign:<id>, campaigns
 *   campaign_totals, campaign_updates and
 *   matching_rules changed                   campaign:<campaign id>, campaigns
 *   foundation, subdistricts, communities    foundation (every page)
 *
 * A statement touching more than 50 funds or campaigns says `foundation` instead (everything),
 * keeping the payload far below NOTIFY's 8000 bytes.
 */
const CHANNEL = 'lianxin_page_changes';

const ROW_TRIGGERS: [table: string, fn: string, ops: ('INSERT' | 'UPDATE' | 'DELETE')[]][] = [
  ['funds', 'page_notice_by_id', ['INSERT', 'UPDATE']],
  ['campaigns', 'page_notice_by_id', ['INSERT', 'UPDATE']],
  ['campaign_totals', 'page_notice_by_campaign', ['INSERT', 'UPDATE']],
  ['campaign_updates', 'page_notice_by_campaign', ['INSERT', 'UPDATE', 'DELETE']],
  ['matching_rules', 'page_notice_by_campaign', ['INSERT', 'UPDATE', 'DELETE']],
];
const FOUNDATION_TABLES = ['foundation', 'subdistricts', 'communities'];

function triggerName(table: string, op: string): string {
  return `${table}_page_notice_${op.toLowerCase()}`;
}

export class PageChangeNotices1764500100000 implements MigrationInterface {
  name = 'PageChangeNotices1764500100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION page_notice(tags text[], list_tag text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF tags IS NULL OR cardinality(tags) = 0 THEN
          RETURN;
        ELSIF cardinality(tags) > 50 THEN
          PERFORM pg_notify('${CHANNEL}', 'foundation');
        ELSE
          PERFORM pg_notify('${CHANNEL}', array_to_string(tags || list_tag, ','));
        END IF;
      END $$;

      -- Rows whose own id names the page (funds, campaigns). TG_ARGV[0]: tag prefix, [1]: list tag.
      CREATE FUNCTION page_notice_by_id() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM page_notice(
          (SELECT array_agg(DISTINCT TG_ARGV[0] || ':' || id::text) FROM changed), TG_ARGV[1]);
        RETURN NULL;
      END $$;

      -- A campaign's totals, updates and matching rule.
      CREATE FUNCTION page_notice_by_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM page_notice(
          (SELECT array_agg(DISTINCT 'campaign:' || campaign_id::text) FROM changed), 'campaigns');
        RETURN NULL;
      END $$;

      -- Money moved on a fund's ledger account.
      CREATE FUNCTION page_notice_postings() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM page_notice(
          (SELECT array_agg(DISTINCT 'fund:' || f.id::text)
             FROM changed p JOIN funds f ON f.account_id = p.account_id),
          'funds');
        RETURN NULL;
      END $$;

      CREATE FUNCTION page_notice_foundation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${CHANNEL}', 'foundation');
        RETURN NULL;
      END $$;

      CREATE TRIGGER postings_page_notice_insert AFTER INSERT ON postings
        REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION page_notice_postings();
    `);
    for (const [table, fn, ops] of ROW_TRIGGERS) {
      // page_notice_by_id's TG_ARGV: the tag prefix and the list tag.
      const args =
        fn === 'page_notice_by_id'
          ? table === 'funds'
            ? `'fund', 'funds'`
            : `'campaign', 'campaigns'`
          : '';
      for (const op of ops) {
        await q.query(`
          CREATE TRIGGER ${triggerName(table, op)} AFTER ${op} ON ${table}
            REFERENCING ${op === 'DELETE' ? 'OLD' : 'NEW'} TABLE AS changed
            FOR EACH STATEMENT EXECUTE FUNCTION ${fn}(${args});
        `);
      }
    }
    for (const table of FOUNDATION_TABLES) {
      await q.query(`
        CREATE TRIGGER ${table}_page_notice AFTER INSERT OR UPDATE OR DELETE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION page_notice_foundation();
      `);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of FOUNDATION_TABLES) {
      await q.query(`DROP TRIGGER ${table}_page_notice ON ${table}`);
    }
    for (const [table, , ops] of ROW_TRIGGERS) {
      for (const op of ops) await q.query(`DROP TRIGGER ${triggerName(table, op)} ON ${table}`);
    }
    await q.query(`
      DROP TRIGGER postings_page_notice_insert ON postings;
      DROP FUNCTION page_notice_foundation();
      DROP FUNCTION page_notice_postings();
      DROP FUNCTION page_notice_by_campaign();
      DROP FUNCTION page_notice_by_id();
      DROP FUNCTION page_notice(text[], text);
    `);
  }
}
