import { randomUUID } from 'node:crypto';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { FundsService, type FundView } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService, type RuleInput } from '../../src/modules/matching/matching.service';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * Many matched gifts settling at once against a small pool, a total cap and a donor's daily cap:
 * matches take one balance slot of the pool each and fall back to locking all of them near the
 * end, so these check that the end is exact: the pool never below zero (nor any of its slots),
 * no cap passed, and every sum (donations, rule, campaign totals, ledger) the same.
 */
describe('matched gifts settling together', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  const GIFTS = 30;

  /** A campaign matched by `rule` from a new pool holding `poolMinor`. */
  const matchedCampaign = async (poolMinor: number, rule: Partial<RuleInput> = {}) => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, poolMinor);
    const campaign = await createCampaign(t);
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id, rule));
    return { pool, campaign };
  };

  /** `count` gifts of `amountMinor` started, then all their webhooks delivered at once. */
  const settleTogether = async (
    slug: string,
    amountMinor: number,
    { count = GIFTS, email }: { count?: number; email?: string } = {},
  ) => {
    const gifts = [];
    for (let i = 0; i < count; i++)
      gifts.push(
        await t.get(DonationsService).start(
          slug,
          {
            amountMinor,
            donorName: '捐赠人',
            donorEmail: email ?? `many-${i}-${randomUUID().slice(0, 8)}@example.org`,
          },
          {},
        ),
      );
    await Promise.all(
      gifts.map((g) =>
        deliver(
          t.server,
          stripeEvent(
            `evt_many_${g.id}`,
            'checkout.session.completed',
            paidSession(g.id, amountMinor),
          ),
        ).expect(200),
      ),
    );
  };

  /** Every sum the match touches, which must all agree; and the pool's slots. */
  const outcome = async (campaignId: string, pool: FundView) => {
    const [d] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS settled,
              coalesce(sum(matched_minor), 0)::int AS matched,
              coalesce(max(matched_minor), 0)::int AS most
         FROM donations WHERE campaign_id = $1`,
      [campaignId],
    );
    const [entries] = await t.dataSource.query(
      `SELECT count(*)::int AS n, coalesce(sum(p.amount_minor), 0)::int AS posted
         FROM journal_entries e JOIN postings p ON p.entry_id = e.id AND p.amount_minor > 0
        WHERE e.kind = 'MATCH' AND e.metadata->>'ruleId' =
              (SELECT id::text FROM matching_rules WHERE campaign_id = $1)`,
      [campaignId],
    );
    const slots: { balance: number }[] = await t.dataSource.query(
      `SELECT balance_minor::int AS balance FROM ledger_account_balances WHERE account_id = $1`,
      [pool.accountId],
    );
    return {
      settled: d.settled as number,
      matched: d.matched as number,
      most: d.most as number,
      matchEntries: entries.n as number,
      matchPosted: entries.posted as number,
      rule: (await t.get(MatchingService).getRule(campaignId))!.matchedMinor,
      totals: (await t.get(CampaignsService).totals(campaignId)).matchedMinor,
      pool: (await t.get(FundsService).get(pool.id)).balanceMinor,
      lowestSlot: Math.min(...slots.map((s) => s.balance)),
    };
  };

  const ledgerHolds = async () => {
    const ledger = t.get(LedgerService);
    expect((await ledger.check()).ok).toBe(true);
    expect((await ledger.checkAcrossModules()).ok).toBe(true);
  };

  it('pays a small pool out to the last fen and never overdraws it', async () => {
    // 30 gifts of ¥10 matched 1:1 from ¥255: 25 full matches and one of ¥5, in some order.
    const { pool, campaign } = await matchedCampaign(25_500);
    await settleTogether(campaign.slug, 1_000);
    const o = await outcome(campaign.id, pool);
    expect(o).toMatchObject({
      settled: GIFTS,
      matched: 25_500,
      matchPosted: 25_500,
      rule: 25_500,
      totals: 25_500,
      pool: 0,
      lowestSlot: 0,
    });
    expect(o.most).toBeLessThanOrEqual(1_000);
    expect(o.matchEntries).toBe(26);
    await ledgerHolds();
  }, 180_000);

  it("stops at the rule's total cap exactly, with money left in the pool", async () => {
    const { pool, campaign } = await matchedCampaign(1_000_000, { totalCapMinor: 12_345 });
    await settleTogether(campaign.slug, 1_000);
    const o = await outcome(campaign.id, pool);
    expect(o).toMatchObject({
      settled: GIFTS,
      matched: 12_345,
      matchPosted: 12_345,
      rule: 12_345,
      totals: 12_345,
      pool: 1_000_000 - 12_345,
    });
    expect(o.lowestSlot).toBeGreaterThanOrEqual(0);
    await ledgerHolds();
  }, 180_000);

  it("keeps one donor's gifts within the daily cap when they all settle at once", async () => {
    // One donor, 10 gifts of ¥10 at once (as many as one email may start), a daily cap of ¥35:
    // one after another they are matched 10, 10, 10, 5 and 0 (the cap), and the bot check
    // withholds the match of the 6th onwards.
    const { pool, campaign } = await matchedCampaign(1_000_000, { capPerDonorDayMinor: 3_500 });
    const email = `one-donor-${randomUUID().slice(0, 8)}@example.org`;
    await settleTogether(campaign.slug, 1_000, { count: 10, email });
    const o = await outcome(campaign.id, pool);
    expect(o.settled).toBe(10);
    expect(o.matched).toBe(3_500);
    expect(o).toMatchObject({
      matchPosted: o.matched,
      rule: o.matched,
      totals: o.matched,
      pool: 1_000_000 - o.matched,
    });
    await ledgerHolds();
  }, 180_000);
});
