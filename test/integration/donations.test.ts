import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { QUEUE_NAMES } from '../../src/queue/queue.constants';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { PaymentInboxService } from '../../src/modules/donations/payment-inbox.service';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { TransactionService } from '../../src/database/transaction.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { SponsorReportService } from '../../src/modules/matching/sponsor-report.service';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { deliver, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function inBatches<T>(
  items: T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('donations: exactly-once settlement through the webhook inbox', () => {
  let t: TestApp;
  // Settlement is this file's subject: its side effects (fees, receipts, emails, each with a PDF)
  // run in worker processes in production, and here not at all, so 900 gifts' receipts do not
  // compete with the webhooks for this process.
  beforeAll(async () => {
    await createFileDatabase();
    t = await startConfiguredApp({ queue: { prefix: fileQueuePrefix(), processors: false } });
    await t.app.init();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(async () => {
    await t.close();
    // The relay handed the jobs to Redis, where no worker took them: leave nothing behind.
    for (const name of Object.values(QUEUE_NAMES)) {
      const queue = new Queue(name, {
        connection: { url: process.env.REDIS_URL },
        prefix: fileQueuePrefix(),
      });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await dropFileDatabase();
  });

  const start = (
    slug: string,
    amountMinor: number,
    email = `donor-${randomUUID().slice(0, 8)}@example.org`,
  ) =>
    t
      .get(DonationsService)
      .start(slug, { amountMinor, donorName: '捐赠人', donorEmail: email }, {});

  it('counts 500 gifts once each from 2,000 shuffled, repeated completion deliveries, 50 at a time', async () => {
    const campaign = await createCampaign(t);
    const gifts = [];
    for (let i = 0; i < 500; i++) gifts.push(await start(campaign.slug, 1_000 + i));
    const deliveries = shuffle(
      gifts.flatMap((g, i) => {
        const event = stripeEvent(
          `evt_done_${g.id}`,
          'checkout.session.completed',
          paidSession(g.id, g.amountMinor),
        );
        const copies = i < 100 ? 1 : i < 200 ? 4 : 5; // 1 to 5 copies: 2,000 deliveries in all
        return Array.from({ length: copies }, () => event);
      }),
    );
    expect(deliveries).toHaveLength(2_000);
    const statuses: number[] = [];
    await inBatches(deliveries, 50, async (event) =>
      statuses.push((await deliver(t.server, event)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));

    const expected = gifts.reduce((sum, g) => sum + g.amountMinor, 0);
    const [counts] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded, count(*)::int AS all
       FROM donations WHERE campaign_id = $1`,
      [campaign.id],
    );
    expect(counts).toEqual({ succeeded: 500, all: 500 });
    const [entries] = await t.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM journal_entries WHERE kind = 'DONATION'
       AND metadata->>'donationId' = ANY($1::text[])`,
      [gifts.map((g) => g.id)],
    );
    expect(entries).toEqual({ n: 500, keys: 500 });
    const fund = await t.get(FundsService).get(campaign.fundId);
    expect(fund.balanceMinor).toBe(expected);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: expected,
      gifts: 500,
      donors: 500,
    });
    const [events] = await t.dataSource.query(
      `SELECT count(*)::int AS stored, count(*) FILTER (WHERE processed_at IS NULL)::int AS pending FROM payment_events`,
    );
    expect(events).toEqual({ stored: 500, pending: 0 });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('never overspends the matching pool: money for 37 matches, 200 concurrent matched gifts', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 37 * 1_000);
    const campaign = await createCampaign(t);
    await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { minGiftMinor: 100 }));
    const gifts = [];
    for (let i = 0; i < 200; i++) gifts.push(await start(campaign.slug, 1_000));
    await inBatches(gifts, 50, (g) =>
      deliver(
        t.server,
        stripeEvent(
          `evt_m_${g.id}`,
          'checkout.session.completed',
          paidSession(g.id, g.amountMinor),
        ),
      ),
    );
    const [matched] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE matched_minor > 0)::int AS matched, coalesce(sum(matched_minor), 0)::int AS total,
              count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded
       FROM donations WHERE campaign_id = $1`,
      [campaign.id],
    );
    expect(matched).toEqual({ matched: 37, total: 37_000, succeeded: 200 });
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(0);
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(
      200 * 1_000 + 37_000,
    );
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 200_000,
      matchedMinor: 37_000,
    });
    expect(await t.get(MatchingService).status(campaign.id)).toMatchObject({
      remainingMinor: 0,
      exhausted: true,
    });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('stops at the rule’s total cap with a rich pool: 200 concurrent gifts, cap 37.5 matches', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 10_000_000);
    const campaign = await createCampaign(t);
    await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { totalCapMinor: 37_500 }));
    const gifts = [];
    for (let i = 0; i < 200; i++) gifts.push(await start(campaign.slug, 1_000));
    const statuses: number[] = [];
    await inBatches(gifts, 50, async (g) =>
      statuses.push(
        (
          await deliver(
            t.server,
            stripeEvent(
              `evt_cap_${g.id}`,
              'checkout.session.completed',
              paidSession(g.id, g.amountMinor),
            ),
          )
        ).status,
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
    const [matched] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE matched_minor = 1000)::int AS full,
              count(*) FILTER (WHERE matched_minor = 500)::int AS partial,
              coalesce(sum(matched_minor), 0)::int AS total,
              count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded
       FROM donations WHERE campaign_id = $1`,
      [campaign.id],
    );
    expect(matched).toEqual({ full: 37, partial: 1, total: 37_500, succeeded: 200 });
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      matchedMinor: 37_500,
    });
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(10_000_000 - 37_500);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 200_000,
      matchedMinor: 37_500,
    });
    expect(await t.get(MatchingService).status(campaign.id)).toMatchObject({ exhausted: true });
  });

  it('refunds matched gifts while new gifts are matched on the same pool, without deadlock', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 1_000_000);
    const campaign = await createCampaign(t);
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    const paid = (g: { id: string; amountMinor: number }) =>
      stripeEvent(`evt_p_${g.id}`, 'checkout.session.completed', paidSession(g.id, g.amountMinor));
    const first = [];
    for (let i = 0; i < 40; i++) first.push(await start(campaign.slug, 1_000));
    await inBatches(first, 40, (g) => deliver(t.server, paid(g)).expect(200));
    const second = [];
    for (let i = 0; i < 40; i++) second.push(await start(campaign.slug, 2_000));

    // Refunds give matches back to the pool while new gifts take from it, all at once.
    const work = shuffle([
      ...first.map((g) =>
        stripeEvent(`evt_rf_${g.id}`, 'charge.refunded', refundedCharge(g.id, 1_000)),
      ),
      ...second.map(paid),
    ]);
    await inBatches(work, 80, (event) => deliver(t.server, event).expect(200));

    const [events] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE processed_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failed
       FROM payment_events WHERE event_id LIKE 'evt_rf_%' OR event_id LIKE 'evt_p_%'`,
    );
    expect(events).toEqual({ pending: 0, failed: 0 });
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(1_000_000 - 40 * 2_000);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 40 * 2_000,
      matchedMinor: 40 * 2_000,
    });
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      matchedMinor: 40 * 2_000,
    });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('ends right when the refund arrives before the completion, and gives the match back', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 100_000);
    const campaign = await createCampaign(t);
    await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { ratioBp: 5_000 }));
    const gift = await start(campaign.slug, 8_000);
    const refund = await deliver(
      t.server,
      stripeEvent(`evt_r_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 8_000)),
    );
    expect(refund.status).toBe(200);
    expect((await t.get(DonationsService).get(gift.id)).status).toBe('PENDING');

    await deliver(
      t.server,
      stripeEvent(`evt_c_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 8_000)),
    ).expect(200);
    expect((await t.get(DonationsService).get(gift.id)).status).toBe('SUCCEEDED');
    // The early refund waits in the inbox, stored with why; the loop retries it once due.
    const [waiting] = await t.dataSource.query(
      `SELECT processed_at, attempts, last_error FROM payment_events WHERE event_id = $1`,
      [`evt_r_${gift.id}`],
    );
    expect(waiting).toMatchObject({ processed_at: null, attempts: 1 });
    expect(waiting.last_error).toMatch(/no settled donation/);
    await t.dataSource.query(
      `UPDATE payment_events SET next_attempt_at = now() WHERE processed_at IS NULL`,
    );
    await t.get(PaymentInboxService).processDue();
    // Stripe delivering it once more changes nothing.
    const again = await deliver(
      t.server,
      stripeEvent(`evt_r_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 8_000)),
    ).expect(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
    const donation = await t.get(DonationsService).get(gift.id);
    expect(donation).toMatchObject({ status: 'REFUNDED', refundedMinor: 8_000, matchedMinor: 0 });
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(0);
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(100_000);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 0,
      matchedMinor: 0,
    });
  });

  it('gives a refunded match back to the pool that paid it, after the rule moved to another pool', async () => {
    const first = await createFund(t, { kind: 'MATCHING' });
    const second = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, first, 50_000);
    await fundFromOutside(t, second, 50_000);
    const campaign = await createCampaign(t);
    const matching = t.get(MatchingService);
    await matching.setRule(campaign.id, buildMatchingRule(first.id));
    const gift = await start(campaign.slug, 2_000);
    await deliver(
      t.server,
      stripeEvent(`evt_mv_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 2_000)),
    ).expect(200);
    await matching.setRule(campaign.id, buildMatchingRule(second.id));

    await deliver(
      t.server,
      stripeEvent(`evt_mvr_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 1_000)),
    ).expect(200);
    const funds = t.get(FundsService);
    expect((await funds.get(first.id)).balanceMinor).toBe(50_000 - 2_000 + 1_000);
    expect((await funds.get(second.id)).balanceMinor).toBe(50_000);
    expect(await matching.getRule(campaign.id)).toMatchObject({ matchedMinor: 1_000 });
    const sponsorReports = t.get(SponsorReportService);
    expect(await sponsorReports.report(first.id)).toMatchObject({
      matchedMinor: 1_000,
      campaigns: [{ campaignId: campaign.id, gifts: 1, matchedMinor: 1_000 }],
    });
    expect(await sponsorReports.report(second.id)).toMatchObject({
      matchedMinor: 0,
      campaigns: [],
    });
  });

  it('decides by the rule as it is under the lock when it changed while the gift waited', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 100_000);
    const campaign = await createCampaign(t);
    const rule = await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { capPerDonorDayMinor: 50_000 }));
    const gift = await start(campaign.slug, 4_000);
    const result = await t.get(TransactionService).run((m) =>
      t.get(MatchingService).match(m, {
        id: gift.id,
        campaignId: campaign.id,
        fundId: campaign.fundId,
        amountMinor: 4_000,
        currency: 'CNY',
        at: new Date(),
        // Asked after the pool is locked, before the rule is: staff halve the ratio right then.
        donorMatchedToday: async () => {
          await t.dataSource.query(`UPDATE matching_rules SET ratio_bp = 5000 WHERE id = $1`, [
            rule.id,
          ]);
          return 0;
        },
      }),
    );
    expect(result).toEqual({ matchedMinor: 2_000, reason: undefined });
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      ratioBp: 5_000,
      matchedMinor: 2_000,
    });
  });

  it('refuses a bad signature, a wrong secret and a stale timestamp, storing nothing', async () => {
    const event = stripeEvent(
      'evt_bad_sig',
      'checkout.session.completed',
      paidSession(randomUUID(), 100),
    );
    const wrong = await deliver(t.server, event, 'whsec_not_ours');
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({
      status: 400,
      code: 'INVALID_SIGNATURE',
    });
    const stale = await deliver(t.server, event, undefined, Math.floor(Date.now() / 1000) - 3_600);
    expect(stale.status).toBe(400);
    const unsigned = await (
      await import('supertest')
    )
      .default(t.server)
      .post('/webhooks/stripe')
      .send(event);
    expect(unsigned.status).toBe(400);
    expect(
      await t.dataSource.query(`SELECT 1 FROM payment_events WHERE event_id = 'evt_bad_sig'`),
    ).toEqual([]);
  });

  it('refuses gifts below the minimum, to unknown or ended campaigns, and markup in names', async () => {
    const campaign = await createCampaign(t, { minAmountMinor: 500 });
    await expect(start(campaign.slug, 499)).rejects.toMatchObject({ code: 'AMOUNT_BELOW_MINIMUM' });
    await expect(start('no-such-campaign', 1_000)).rejects.toMatchObject({
      code: 'CAMPAIGN_NOT_FOUND',
    });
    const ended = await createCampaign(t, { status: 'ENDED' });
    await expect(start(ended.slug, 1_000)).rejects.toMatchObject({
      code: 'CAMPAIGN_NOT_ACCEPTING',
    });
    const res = await (
      await import('supertest')
    )
      .default(t.server)
      .post(`/api/v1/campaigns/${campaign.slug}/donations`)
      .send({
        amountMinor: 1_000,
        donorName: '<script>alert(1)</script>',
        donorEmail: 'x@example.org',
      });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('donorName must not contain < or >.');
  });
});
