import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { PaymentInboxService } from '../../src/modules/donations/payment-inbox.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService, type RuleInput } from '../../src/modules/matching/matching.service';
import { SponsorReportService } from '../../src/modules/matching/sponsor-report.service';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';

const POOL = 100_000_000;

/**
 * Refunds in several steps give back exactly the refunded share of the original match, whatever
 * the split, the order the cumulative `charge.refunded` totals arrive in, duplicates, and refunds
 * that arrive before the gift's completion (stored and retried).
 */
describe('donations: matches given back over partial refunds', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  /** A campaign with a fresh, rich pool and the given rule, and one started gift. */
  async function matchedGift(amountMinor: number, rule: Partial<RuleInput> = {}) {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, POOL);
    const campaign = await createCampaign(t);
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id, rule));
    const gift = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor,
        donorName: '捐赠人',
        donorEmail: `refund-${randomUUID().slice(0, 8)}@example.org`,
      },
      {},
    );
    return { pool, campaign, gift };
  }

  const completion = (id: string, amountMinor: number) =>
    stripeEvent(`evt_c_${id}`, 'checkout.session.completed', paidSession(id, amountMinor));
  const refund = (id: string, total: number) =>
    stripeEvent(`evt_r_${id}_${total}`, 'charge.refunded', refundedCharge(id, total));

  /** Runs what was stored for later (refunds that came before the completion) until none is left. */
  async function drainInbox() {
    for (let i = 0; i < 10; i++) {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM payment_events WHERE processed_at IS NULL`,
      );
      if (n === 0) return;
      await t.dataSource.query(
        `UPDATE payment_events SET next_attempt_at = now() WHERE processed_at IS NULL`,
      );
      await t.get(PaymentInboxService).processDue(500);
    }
    throw new Error('stored events were still unprocessed after 10 rounds');
  }

  /** Every figure the match touches, after a gift of `amount` matched `match` was refunded `refunded`. */
  async function expectGivenBack(
    s: Awaited<ReturnType<typeof matchedGift>>,
    amount: number,
    match: number,
    refunded: number,
  ) {
    const back = Number((BigInt(match) * BigInt(refunded)) / BigInt(amount));
    const donation = await t.get(DonationsService).get(s.gift.id);
    expect(donation).toMatchObject({
      status: refunded === amount ? 'REFUNDED' : refunded > 0 ? 'PARTIALLY_REFUNDED' : 'SUCCEEDED',
      refundedMinor: refunded,
      matchedMinor: match - back,
      matchReturnedMinor: back,
    });
    const funds = t.get(FundsService);
    expect((await funds.get(s.pool.id)).balanceMinor).toBe(POOL - match + back);
    expect((await funds.get(s.campaign.fundId)).balanceMinor).toBe(
      amount - refunded + match - back,
    );
    expect(await t.get(CampaignsService).totals(s.campaign.id)).toMatchObject({
      raisedMinor: amount - refunded,
      matchedMinor: match - back,
    });
    expect(await t.get(MatchingService).getRule(s.campaign.id)).toMatchObject({
      matchedMinor: match - back,
    });
    const report = await t.get(SponsorReportService).report(s.pool.id);
    expect(report.matchedMinor).toBe(match - back);
  }

  it('gives the whole ¥100 match back when a ¥100 gift is refunded ¥50 and then ¥50', async () => {
    const s = await matchedGift(10_000);
    await deliver(t.server, completion(s.gift.id, 10_000)).expect(200);
    await deliver(t.server, refund(s.gift.id, 5_000)).expect(200);
    await expectGivenBack(s, 10_000, 10_000, 5_000);
    await deliver(t.server, refund(s.gift.id, 10_000)).expect(200);
    await expectGivenBack(s, 10_000, 10_000, 10_000);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('gives the whole ¥500 match of a ¥509.30 gift back over two refunds, and the exact share after one', async () => {
    const s = await matchedGift(50_930, { capPerGiftMinor: 50_000 });
    await deliver(t.server, completion(s.gift.id, 50_930)).expect(200);
    await deliver(t.server, refund(s.gift.id, 20_000)).expect(200);
    // floor(500.00 × 200.00 / 509.30) = ¥196.34
    await expectGivenBack(s, 50_930, 50_000, 20_000);
    expect((await t.get(DonationsService).get(s.gift.id)).matchReturnedMinor).toBe(19_634);
    await deliver(t.server, refund(s.gift.id, 50_930)).expect(200);
    await expectGivenBack(s, 50_930, 50_000, 50_930);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('gives back floor(match × refunded / amount) for any refund sequence, order, duplicates and early arrivals', async () => {
    const scenario = fc
      .record({
        amount: fc.integer({ min: 100, max: 2_000_000 }),
        ratioBp: fc.integer({ min: 1, max: 30_000 }),
        capPerGift: fc.option(fc.integer({ min: 1, max: 3_000_000 }), { nil: null }),
        cuts: fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), {
          minLength: 1,
          maxLength: 5,
        }),
        full: fc.boolean(),
      })
      .chain((s) => {
        const totals = [
          ...new Set([
            ...s.cuts.map((c) => Math.max(1, Math.floor((s.amount * c) / 1_000_000))),
            ...(s.full ? [s.amount] : []),
          ]),
        ];
        return fc.record({
          s: fc.constant({ ...s, totals }),
          // Each refund total delivered once or twice; the completion once; in any order.
          copies: fc.array(fc.integer({ min: 1, max: 2 }), {
            minLength: totals.length,
            maxLength: totals.length,
          }),
          keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
            minLength: totals.length * 2 + 1,
            maxLength: totals.length * 2 + 1,
          }),
        });
      });

    await fc.assert(
      fc.asyncProperty(scenario, async ({ s, copies, keys }) => {
        const run = await matchedGift(s.amount, {
          ratioBp: s.ratioBp,
          capPerGiftMinor: s.capPerGift,
        });
        const id = run.gift.id;
        const deliveries: Record<string, unknown>[] = [completion(id, s.amount)];
        s.totals.forEach((total, i) => {
          for (let k = 0; k < copies[i]!; k++) deliveries.push(refund(id, total));
        });
        const order = deliveries
          .map((event, i) => ({ event, key: keys[i]! }))
          .sort((a, b) => a.key - b.key);
        for (const { event } of order) await deliver(t.server, event).expect(200);
        await drainInbox();

        const offered = Math.floor((s.amount * s.ratioBp) / 10_000);
        const match = s.capPerGift === null ? offered : Math.min(offered, s.capPerGift);
        await expectGivenBack(run, s.amount, match, Math.max(...s.totals));
        expect((await t.get(LedgerService).check()).ok).toBe(true);
      }),
      { numRuns: 30 },
    );
  }, 300_000);
});
