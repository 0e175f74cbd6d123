import { randomUUID } from 'node:crypto';
import { RequestContext } from '../../src/common/context/request-context';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { MatchReleaseService } from '../../src/modules/donations/match-release.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import type { InvariantViolation } from '../../src/modules/ledger/ledger.types';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { disputeFixture, fixtureEvent, testId } from '../utils/stripe-fixtures';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';

/**
 * `ledger:check` across modules: after a normal run of gifts, matches, partial and full refunds,
 * a lost dispute and a withheld match released late, gifts, matches and campaign totals agree
 * with the ledger; each invariant, broken by changing a non-ledger row directly, is reported with
 * the gift or campaign that breaks it (and the row is put back after).
 */
describe('ledger:check: gifts, matches and campaign totals against the ledger', () => {
  let t: TestApp;
  let campaignId: string;
  const gifts = {
    kept: '',
    partly: '',
    refunded: '',
    disputed: '',
    withheld: '',
    pending: '',
  };

  const check = () => t.get(LedgerService).checkAcrossModules();
  const start = (slug: string, amountMinor: number, donorEmail: string) =>
    t.get(DonationsService).start(slug, { amountMinor, donorName: '捐赠人', donorEmail }, {});
  const pay = (id: string, amountMinor: number) =>
    deliver(
      t.server,
      stripeEvent(`evt_c_${id}`, 'checkout.session.completed', paidSession(id, amountMinor)),
    ).expect(200);
  const refund = (id: string, total: number) =>
    deliver(
      t.server,
      stripeEvent(`evt_r_${id}_${total}`, 'charge.refunded', refundedCharge(id, total)),
    ).expect(200);

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 10_000_000);
    const campaign = await createCampaign(t);
    campaignId = campaign.id;
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    const email = () => `check-${randomUUID().slice(0, 8)}@example.org`;

    // Matched, kept.
    gifts.kept = (await start(campaign.slug, 10_000, email())).id;
    await pay(gifts.kept, 10_000);
    // Matched, then refunded in two steps (the match goes back in shares).
    gifts.partly = (await start(campaign.slug, 50_930, email())).id;
    await pay(gifts.partly, 50_930);
    await refund(gifts.partly, 20_000);
    gifts.refunded = (await start(campaign.slug, 7_000, email())).id;
    await pay(gifts.refunded, 7_000);
    await refund(gifts.refunded, 3_000);
    await refund(gifts.refunded, 7_000);
    // Lost dispute: booked as a refund, the match given back.
    gifts.disputed = (await start(campaign.slug, 8_000, email())).id;
    const session = paidSession(gifts.disputed, 8_000);
    await deliver(
      t.server,
      stripeEvent(`evt_c_${gifts.disputed}`, 'checkout.session.completed', session),
    ).expect(200);
    const dispute = (status: string) =>
      disputeFixture({
        id: `dp_check_${gifts.disputed.slice(0, 8)}`,
        chargeId: testId('ch'),
        paymentId: String(session.payment_intent),
        amountMinor: 8_000,
        status,
        transactions: [[-8_000, 1_500]],
      });
    for (const [type, status] of [
      ['charge.dispute.created', 'needs_response'],
      ['charge.dispute.closed', 'lost'],
    ]) {
      await deliver(t.server, fixtureEvent(type!, dispute(status!))).expect(200);
    }
    // Five paid gifts from one donor, then a sixth whose match is withheld and released late.
    const busy = email();
    for (let i = 0; i < 6; i++) {
      const id = (await start(campaign.slug, 1_000, busy)).id;
      await pay(id, 1_000);
      gifts.withheld = id;
    }
    // Started, never paid: no settle entry, not counted.
    gifts.pending = (await start(campaign.slug, 2_000, email())).id;
    const withheld = await t.get(DonationsService).get(gifts.withheld);
    if (withheld.matchWithheldReason !== 'VELOCITY')
      throw new Error('the sixth match was not withheld');
    await RequestContext.run({ actor: { kind: 'system', label: 'test' } }, () =>
      t.get(MatchReleaseService).release(gifts.withheld),
    );
  });
  afterAll(() => t.close());

  /** Runs `corrupt`, checks, then `restore`: the violations the check reported. */
  async function violationsWhile(corrupt: string, restore: string, params: unknown[]) {
    await t.dataSource.query(corrupt, params);
    try {
      return (await check()).violations;
    } finally {
      await t.dataSource.query(restore, params);
    }
  }

  const byInvariant = (violations: InvariantViolation[], invariant: string) =>
    violations.filter((v) => v.invariant === invariant);

  it('passes after a normal run of gifts, matches, refunds, a lost dispute and a late match', async () => {
    const donations = t.get(DonationsService);
    expect(await donations.get(gifts.partly)).toMatchObject({ status: 'PARTIALLY_REFUNDED' });
    expect(await donations.get(gifts.refunded)).toMatchObject({
      status: 'REFUNDED',
      matchedMinor: 0,
      matchReturnedMinor: 7_000,
    });
    expect(await donations.get(gifts.disputed)).toMatchObject({
      status: 'REFUNDED',
      refundedMinor: 8_000,
      matchedMinor: 0,
    });
    expect(await donations.get(gifts.withheld)).toMatchObject({ matchedMinor: 1_000 });
    const report = await check();
    expect(report).toEqual({ receivedGifts: 10, campaigns: 1, violations: [], ok: true });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('reports a received gift whose amount differs from its settle entry', async () => {
    const violations = await violationsWhile(
      `UPDATE donations SET amount_minor = amount_minor + 1, refunded_minor = refunded_minor + 1 WHERE id = $1`,
      `UPDATE donations SET amount_minor = amount_minor - 1, refunded_minor = refunded_minor - 1 WHERE id = $1`,
      [gifts.kept],
    );
    expect(violations).toEqual([
      {
        invariant: 'GIFT_SETTLE_ENTRY',
        id: gifts.kept,
        message: `Gift ${gifts.kept} is 10001 (minor units) but its donation:${gifts.kept}:settle entry moved 10000.`,
      },
    ]);
  });

  it('reports a received gift with no settle entry, and a gift not received that has one', async () => {
    const missing = await violationsWhile(
      `UPDATE donations SET status = 'SUCCEEDED', succeeded_at = now() WHERE id = $1`,
      `UPDATE donations SET status = 'PENDING', succeeded_at = NULL WHERE id = $1`,
      [gifts.pending],
    );
    expect(byInvariant(missing, 'GIFT_SETTLE_ENTRY')).toEqual([
      {
        invariant: 'GIFT_SETTLE_ENTRY',
        id: gifts.pending,
        message: `Gift ${gifts.pending} is SUCCEEDED but has no donation:${gifts.pending}:settle entry.`,
      },
    ]);
    // The campaign's totals do not count it either.
    expect(byInvariant(missing, 'CAMPAIGN_TOTALS').map((v) => v.message)).toEqual([
      expect.stringMatching(
        /raised 46930 in its totals, 48930 from its gifts; .*gifts 10 in its totals, 11 from its gifts/,
      ),
    ]);

    const extra = await violationsWhile(
      `UPDATE donations SET status = 'FAILED' WHERE id = $1`,
      `UPDATE donations SET status = 'SUCCEEDED' WHERE id = $1`,
      [gifts.kept],
    );
    expect(byInvariant(extra, 'GIFT_SETTLE_ENTRY')).toEqual([
      {
        invariant: 'GIFT_SETTLE_ENTRY',
        id: gifts.kept,
        message: `Gift ${gifts.kept} is FAILED (not received) but has a donation:${gifts.kept}:settle entry.`,
      },
    ]);
  });

  it('reports a match kept that differs from the match entry less its reversals', async () => {
    const violations = await violationsWhile(
      `UPDATE donations SET matched_minor = matched_minor - 1, match_returned_minor = match_returned_minor + 1 WHERE id = $1`,
      `UPDATE donations SET matched_minor = matched_minor + 1, match_returned_minor = match_returned_minor - 1 WHERE id = $1`,
      [gifts.partly],
    );
    expect(byInvariant(violations, 'GIFT_MATCH_ENTRY')).toEqual([
      {
        invariant: 'GIFT_MATCH_ENTRY',
        id: gifts.partly,
        message: expect.stringMatching(
          new RegExp(
            `^Gift ${gifts.partly} keeps a match of \\d+, but its match:${gifts.partly} entry posted 50930 and its reversals gave back \\d+\\.$`,
          ),
        ),
      },
    ]);
  });

  it('reports a match recorded on a gift that no match entry posted', async () => {
    const violations = await violationsWhile(
      `UPDATE donations SET match_returned_minor = match_returned_minor + 500 WHERE id = $1`,
      `UPDATE donations SET match_returned_minor = match_returned_minor - 500 WHERE id = $1`,
      [gifts.kept],
    );
    expect(violations).toEqual([
      {
        invariant: 'GIFT_MATCH_ENTRY',
        id: gifts.kept,
        message: `Gift ${gifts.kept} records a match of 10000 kept + 500 given back, but its match:${gifts.kept} entry posted 10000.`,
      },
    ]);
    const unmatched = await violationsWhile(
      `UPDATE donations SET matched_minor = 300 WHERE id = $1`,
      `UPDATE donations SET matched_minor = 0 WHERE id = $1`,
      [gifts.pending],
    );
    expect(byInvariant(unmatched, 'GIFT_MATCH_ENTRY').map((v) => v.message)).toEqual([
      `Gift ${gifts.pending} records a match of 300 kept + 0 given back, but its match:${gifts.pending} entry posted 0.`,
    ]);
  });

  it('reports campaign totals that differ from their gifts, raised, matched and counted', async () => {
    for (const [column, what] of [
      ['raised_minor', 'raised'],
      ['matched_minor', 'matched'],
      ['gifts', 'gifts'],
    ] as const) {
      const violations = await violationsWhile(
        `UPDATE campaign_totals SET ${column} = ${column} + 7 WHERE campaign_id = $1 AND slot = 0`,
        `UPDATE campaign_totals SET ${column} = ${column} - 7 WHERE campaign_id = $1 AND slot = 0`,
        [campaignId],
      );
      expect(violations).toEqual([
        {
          invariant: 'CAMPAIGN_TOTALS',
          id: campaignId,
          message: expect.stringMatching(
            new RegExp(
              `totals disagree with its received gifts: ${what} (\\d+) in its totals, \\d+ from its gifts\\.$`,
            ),
          ),
        },
      ]);
    }
    expect((await check()).ok).toBe(true);
  });
});
