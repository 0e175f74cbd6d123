import request from 'supertest';
import type { QueryRunner } from 'typeorm';
import { RequestContext } from '../../src/common/context/request-context';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The public pages read in autocommit: no BEGIN/COMMIT round trips around their reads (on a giving
 * day every page view would otherwise take a transaction and its two extra statements). Every
 * statement TypeORM sends is logged with the request it was sent for (RequestContext), so the
 * count below is exactly this request's, whatever else the process runs meanwhile.
 */
describe('public reads', () => {
  let t: TestApp;
  const byRequest = new Map<string, string[]>();

  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t);
    const logger = t.dataSource.logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (query: string, parameters?: unknown[], runner?: QueryRunner) => {
      const id = RequestContext.current()?.requestId;
      if (id) byRequest.set(id, [...(byRequest.get(id) ?? []), query]);
      original(query, parameters, runner);
    };
  });
  afterAll(() => t.close());

  /** The statements one page view sent (requests run one at a time here). */
  async function statementsOf(url: string): Promise<string[]> {
    byRequest.clear();
    await request(t.server).get(url).expect(200);
    const all = [...byRequest.values()];
    expect(all).toHaveLength(1); // one request, and it did read the database
    return all[0]!;
  }
  const transactions = (statements: string[]) =>
    statements.filter((s) => /^\s*(BEGIN|START TRANSACTION|COMMIT|ROLLBACK)\b/i.test(s));

  it('renders a campaign page, the home page and the thank-you page without a transaction', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 80_000);
    const campaign = await createCampaign(t);
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    const gift = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor: 5_000,
        donorName: 'Li Ming',
        donorEmail: 'li.ming@example.org',
        locale: 'en',
      },
      {},
    );

    const page = await statementsOf(`/campaigns/${campaign.slug}?lang=en`);
    const home = await statementsOf('/?lang=en');
    const thanks = await statementsOf(
      `/campaigns/${campaign.slug}/thanks?donation=${gift.id}&lang=en`,
    );
    expect(transactions(page)).toEqual([]);
    expect(transactions(home)).toEqual([]);
    expect(transactions(thanks)).toEqual([]);
    // Before reads went autocommit: campaign 16 statements (3 transactions), home 15 (3), thanks
    // 5 (1). Then 7, 8 and 3; the campaign page's disclosure (its fund and community, the
    // organiser, the subdistrict) adds 4. The bounds leave room for what the pages may show
    // later, not for transactions.
    expect(page.length).toBeLessThanOrEqual(12);
    expect(home.length).toBeLessThanOrEqual(10);
    expect(thanks.length).toBeLessThanOrEqual(4);
  });

  it('still runs a staff write in its transaction (the spy sees transactions)', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    const campaign = await createCampaign(t, { status: 'DRAFT' });
    byRequest.clear();
    await RequestContext.run({ requestId: 'write', actor: { kind: 'system', label: 'test' } }, () =>
      t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id)),
    );
    expect(transactions(byRequest.get('write') ?? []).length).toBeGreaterThanOrEqual(2);
  });
});
