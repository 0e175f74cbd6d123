import { randomUUID } from 'node:crypto';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import {
  createFoundation,
  createFund,
  externalAccount,
  fundFromOutside,
} from '../factories/foundation.factory';
import {
  disputeFixture,
  fixtureEvent,
  refundedChargeFixture,
  testId,
} from '../utils/stripe-fixtures';
import { waitUntil } from '../utils/wait';
import { createTestApp, type TestApp } from '../utils/test-app';
import { formSession } from '../utils/form-session';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { deliver, paidSession } from '../utils/webhooks';

/**
 * Card disputes, as Stripe reports them (`charge.dispute.*`, signed with the real SDK): the
 * disputed amount is held away from the fund while the dispute is open, returned when it is won,
 * and taken with the match when it is lost; the dispute fee is booked from the dispute's balance
 * transactions.
 */
describe('donations: disputes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  const send = async (type: string, object: Record<string, unknown>) => {
    const response = await deliver(t.server, fixtureEvent(type, object));
    expect(response.status).toBe(200);
  };
  const gift = (id: string) => t.get(DonationsService).get(id);
  const fund = (id: string) => t.get(FundsService).get(id);
  const balanceOf = async (code: string) => {
    const account = await t.get(LedgerService).ensureAccount({
      code,
      name: code,
      type: 'CLEARING',
      currency: 'CNY',
      allowNegative: true,
    });
    return t.get(LedgerService).balance(account.id);
  };

  /** A paid gift (card payment `pi_test_…`) to a fresh campaign, matched 1:1 when `pool` is given. */
  async function paidGift(amountMinor: number, opts: { matched?: boolean; extraMinor?: number }) {
    const campaign = await createCampaign(t);
    let poolId: string | null = null;
    if (opts.matched) {
      const pool = await createFund(t, { kind: 'MATCHING' });
      await fundFromOutside(t, pool, 50_000);
      await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
      poolId = pool.id;
    }
    if (opts.extraMinor) await fundFromOutside(t, await fund(campaign.fundId), opts.extraMinor);
    const started = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor,
        donorName: '捐赠人',
        donorEmail: `d-${randomUUID().slice(0, 8)}@example.org`,
      },
      {},
    );
    const session = paidSession(started.id, amountMinor);
    await send('checkout.session.completed', session);
    const paymentId = String(session.payment_intent);
    return { campaign, poolId, donationId: started.id, paymentId, chargeId: testId('ch') };
  }

  it('holds the disputed amount while open and returns it when the dispute is won; the fee stays booked', async () => {
    const g = await paidGift(10_000, { matched: true });
    const fees = await balanceOf('processor:fees');
    const disputeId = testId('dp');
    await send(
      'charge.dispute.created',
      disputeFixture({
        id: disputeId,
        chargeId: g.chargeId,
        paymentId: g.paymentId,
        amountMinor: 10_000,
        status: 'needs_response',
        transactions: [[-10_000, 1_500]],
      }),
    );

    expect(await gift(g.donationId)).toMatchObject({
      status: 'DISPUTED',
      disputeHeldMinor: 10_000,
      disputeFeeMinor: 1_500,
      providerChargeId: g.chargeId,
      matchedMinor: 10_000,
    });
    // The gift and its match were 20,000; the disputed 10,000 is held, the fee is gone.
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 20_000 - 10_000 - 1_500,
      disputeHeldMinor: 10_000,
    });
    expect((await balanceOf('processor:fees')) - fees).toBe(1_500);
    // Held money cannot be granted out or allocated: the fund only has what is not held.
    const grantee = await externalAccount(t, 'external:test-grantees');
    await expect(
      t.get(LedgerService).post({
        idempotencyKey: `test:grant:${randomUUID()}`,
        kind: 'GRANT_AWARD',
        currency: 'CNY',
        postings: [
          { accountId: (await fund(g.campaign.fundId)).accountId, amountMinor: -9_000 },
          { accountId: grantee.id, amountMinor: 9_000 },
        ],
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUND_BALANCE' });
    // The fund's page says so, in words.
    const finance = formSession(t.server);
    const user = await createUser(t, ['FINANCE']);
    await finance.signIn(user.email, TEST_PASSWORD);
    const page = await finance.agent.get(`/admin/funds/${g.campaign.fundId}?lang=en`).expect(200);
    expect(page.text).toContain('id="fund-held"');
    expect(page.text).toContain('¥100.00 of this fund’s gifts is held while card disputes');
    expect(page.text).toContain('Held for a card dispute');
    const giftPage = await finance.agent
      .get(`/admin/donations/${g.donationId}?lang=en`)
      .expect(200);
    expect(giftPage.text).toContain('Held for an open dispute');
    expect(giftPage.text).toMatch(/id="gift-dispute-held">(CN)?¥100\.00</);
    expect(giftPage.text).toContain(g.chargeId);
    // Totals do not change while a dispute is open: the money is still the foundation's.
    expect(await t.get(CampaignsService).totals(g.campaign.id)).toMatchObject({
      raisedMinor: 10_000,
      matchedMinor: 10_000,
    });

    // Won: Stripe reinstates the amount (the fee is not given back). This event names only the
    // charge: the gift is found by it.
    await send(
      'charge.dispute.closed',
      disputeFixture({
        id: disputeId,
        chargeId: g.chargeId,
        paymentId: null,
        amountMinor: 10_000,
        status: 'won',
        transactions: [
          [-10_000, 1_500],
          [10_000, 0],
        ],
      }),
    );
    expect(await gift(g.donationId)).toMatchObject({
      status: 'SUCCEEDED',
      disputeHeldMinor: 0,
      disputeFeeMinor: 1_500,
      refundedMinor: 0,
      matchedMinor: 10_000,
    });
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 20_000 - 1_500,
      disputeHeldMinor: 0,
    });
    expect((await fund(g.poolId!)).balanceMinor).toBe(50_000 - 10_000);
    expect(await t.get(CampaignsService).totals(g.campaign.id)).toMatchObject({
      raisedMinor: 10_000,
      matchedMinor: 10_000,
    });
    expect((await balanceOf('processor:fees')) - fees).toBe(1_500);
    const after = await finance.agent.get(`/admin/funds/${g.campaign.fundId}?lang=en`).expect(200);
    expect(after.text).not.toContain('id="fund-held"');
    expect(after.text).toContain('Card dispute hold released');
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('takes the gift and gives the match back to its pool when the dispute is lost', async () => {
    const g = await paidGift(10_000, { matched: true, extraMinor: 5_000 });
    const clearing = await balanceOf('processor:clearing');
    const disputeId = testId('dp');
    const dispute = (status: string, transactions: [number, number][]) =>
      disputeFixture({
        id: disputeId,
        chargeId: g.chargeId,
        paymentId: g.paymentId,
        amountMinor: 10_000,
        status,
        transactions,
      });
    await send('charge.dispute.created', dispute('needs_response', [[-10_000, 1_500]]));
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 25_000 - 10_000 - 1_500,
      disputeHeldMinor: 10_000,
    });
    const lost = dispute('lost', [[-10_000, 1_500]]);
    await send('charge.dispute.closed', lost);
    await send('charge.dispute.closed', lost); // a repeat changes nothing
    expect(await gift(g.donationId)).toMatchObject({
      status: 'REFUNDED',
      refundedMinor: 10_000,
      matchedMinor: 0,
      disputeHeldMinor: 0,
      disputeFeeMinor: 1_500,
    });
    // The hold went back to the processor; the match went back to the pool; the fee stays booked.
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 25_000 - 1_500 - 10_000 - 10_000,
      disputeHeldMinor: 0,
    });
    expect((await fund(g.poolId!)).balanceMinor).toBe(50_000);
    expect((await balanceOf('processor:clearing')) - clearing).toBe(10_000);
    expect(await t.get(CampaignsService).totals(g.campaign.id)).toMatchObject({
      raisedMinor: 0,
      matchedMinor: 0,
    });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('holds what is left when the money was granted out, and advances the rest of a loss', async () => {
    const g = await paidGift(10_000, {});
    const grantee = await externalAccount(t, 'external:test-grantees');
    await t.get(LedgerService).post({
      idempotencyKey: `test:grant:${randomUUID()}`,
      kind: 'GRANT_AWARD',
      currency: 'CNY',
      postings: [
        { accountId: (await fund(g.campaign.fundId)).accountId, amountMinor: -8_000 },
        { accountId: grantee.id, amountMinor: 8_000 },
      ],
    });
    const uncovered = await balanceOf('disputes:uncovered');
    const raised = async () => {
      const totals = await t.get(LedgerService).fundTotals({
        currency: 'CNY',
        periods: [{ from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) }],
      });
      return totals.raisedMinor[0]!;
    };
    const raisedBefore = await raised();
    const disputeId = testId('dp');
    await send(
      'charge.dispute.created',
      disputeFixture({
        id: disputeId,
        chargeId: g.chargeId,
        paymentId: g.paymentId,
        amountMinor: 10_000,
        status: 'needs_response',
        transactions: [[-10_000, 1_500]],
      }),
    );
    // 2,000 was left: the fee (1,500) from it, and the other 500 held.
    expect((await gift(g.donationId)).disputeHeldMinor).toBe(500);
    expect(await fund(g.campaign.fundId)).toMatchObject({ balanceMinor: 0, disputeHeldMinor: 500 });
    expect(await balanceOf('disputes:uncovered')).toBe(uncovered);

    await send(
      'charge.dispute.closed',
      disputeFixture({
        id: disputeId,
        chargeId: g.chargeId,
        paymentId: g.paymentId,
        amountMinor: 10_000,
        status: 'lost',
        transactions: [[-10_000, 1_500]],
      }),
    );
    expect(await gift(g.donationId)).toMatchObject({ status: 'REFUNDED', refundedMinor: 10_000 });
    expect(await fund(g.campaign.fundId)).toMatchObject({ balanceMinor: 0, disputeHeldMinor: 0 });
    // The 8,000 granted out before the dispute and the fee paid from the gift's money: advanced.
    expect((await balanceOf('disputes:uncovered')) - uncovered).toBe(-8_000 - 1_500);
    // Money raised loses the gift taken back; what was advanced is not money raised.
    expect((await raised()) - raisedBefore).toBe(-10_000);
    expect(await t.get(CampaignsService).totals(g.campaign.id)).toMatchObject({ raisedMinor: 0 });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('advances what a spent fund lacks for a lost dispute and its match give-back', async () => {
    const g = await paidGift(10_000, { matched: true });
    const grantee = await externalAccount(t, 'external:test-grantees');
    await t.get(LedgerService).post({
      idempotencyKey: `test:grant:${randomUUID()}`,
      kind: 'GRANT_AWARD',
      currency: 'CNY',
      postings: [
        { accountId: (await fund(g.campaign.fundId)).accountId, amountMinor: -15_000 },
        { accountId: grantee.id, amountMinor: 15_000 },
      ],
    });
    const uncovered = await balanceOf('disputes:uncovered');
    const dispute = (status: string) =>
      disputeFixture({
        id: 'dp_test_spent_matched',
        chargeId: g.chargeId,
        paymentId: g.paymentId,
        amountMinor: 10_000,
        status,
        transactions: [[-10_000, 1_500]],
      });
    await send('charge.dispute.created', dispute('needs_response'));
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 0,
      disputeHeldMinor: 3_500,
    });
    await send('charge.dispute.closed', dispute('lost'));
    expect(await gift(g.donationId)).toMatchObject({
      status: 'REFUNDED',
      refundedMinor: 10_000,
      matchedMinor: 0,
    });
    // The sponsor gets the whole match back; the fund ends at zero, never below.
    expect((await fund(g.poolId!)).balanceMinor).toBe(50_000);
    expect(await fund(g.campaign.fundId)).toMatchObject({ balanceMinor: 0, disputeHeldMinor: 0 });
    expect((await balanceOf('disputes:uncovered')) - uncovered).toBe(-(10_000 + 10_000 - 3_500));
    expect(await t.get(CampaignsService).totals(g.campaign.id)).toMatchObject({
      raisedMinor: 0,
      matchedMinor: 0,
    });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('pays a refund during an inquiry from the hold, and returns the rest when it closes', async () => {
    const g = await paidGift(10_000, { matched: true });
    const disputeId = testId('dp');
    const inquiry = (status: string) =>
      disputeFixture({
        id: disputeId,
        chargeId: g.chargeId,
        paymentId: g.paymentId,
        amountMinor: 10_000,
        status,
        transactions: [],
      });
    await send('charge.dispute.created', inquiry('warning_needs_response'));
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 10_000,
      disputeHeldMinor: 10_000,
    });

    await send(
      'charge.refunded',
      refundedChargeFixture({
        paymentId: g.paymentId,
        chargeId: g.chargeId,
        amountMinor: 10_000,
        refundedMinor: 4_000,
      }),
    );
    expect(await gift(g.donationId)).toMatchObject({
      status: 'DISPUTED',
      refundedMinor: 4_000,
      matchedMinor: 6_000,
      disputeHeldMinor: 6_000,
    });
    // The refund came out of the hold; its match share went back to the pool.
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 10_000 - 4_000,
      disputeHeldMinor: 6_000,
    });
    expect((await fund(g.poolId!)).balanceMinor).toBe(50_000 - 6_000);

    await send('charge.dispute.closed', inquiry('warning_closed'));
    expect(await gift(g.donationId)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      disputeHeldMinor: 0,
      refundedMinor: 4_000,
      matchedMinor: 6_000,
    });
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 12_000,
      disputeHeldMinor: 0,
    });
    expect(await t.get(CampaignsService).totals(g.campaign.id)).toMatchObject({
      raisedMinor: 6_000,
      matchedMinor: 6_000,
    });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('waits for charge.dispute.created when the closing event comes first', async () => {
    const g = await paidGift(3_000, {});
    const disputeId = testId('dp');
    const dispute = (status: string) =>
      disputeFixture({
        id: disputeId,
        chargeId: g.chargeId,
        paymentId: g.paymentId,
        amountMinor: 3_000,
        status,
        transactions: [[-3_000, 1_500]],
      });
    await send('charge.dispute.closed', dispute('won'));
    expect((await gift(g.donationId)).status).toBe('SUCCEEDED');
    expect((await fund(g.campaign.fundId)).disputeHeldMinor).toBe(0);
    await send('charge.dispute.created', dispute('needs_response'));
    expect((await gift(g.donationId)).status).toBe('DISPUTED');
    // The waiting closing event is processed when the inbox retries it.
    const closed = await waitUntil(async () => {
      const d = await gift(g.donationId);
      return d.status === 'SUCCEEDED' ? d : null;
    }, 'the waiting charge.dispute.closed to be processed');
    expect(closed.disputeHeldMinor).toBe(0);
    expect(await fund(g.campaign.fundId)).toMatchObject({
      balanceMinor: 3_000 - 1_500,
      disputeHeldMinor: 0,
    });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });
});
