import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';

/** A donor who covers the processor's fee gives ¥100 + ¥0.60: the sponsor matches the ¥100. */
describe('matching and the fee cover', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  /** A campaign with a 1:1 rule on a pool holding ¥1,000, and one paid ¥100 gift with the cover. */
  const coveredGift = async (matchFeeCover?: boolean) => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 100_000);
    const campaign = await createCampaign(t);
    await t
      .get(MatchingService)
      .setRule(
        campaign.id,
        buildMatchingRule(pool.id, matchFeeCover === undefined ? {} : { matchFeeCover }),
      );
    const email = `cover-${randomUUID().slice(0, 8)}@example.org`;
    const gift = await t
      .get(DonationsService)
      .start(
        campaign.slug,
        { amountMinor: 10_000, donorName: 'Li Ming', donorEmail: email, coverFee: true },
        {},
      );
    expect(gift).toMatchObject({ amountMinor: 10_060, feeCoverMinor: 60 });
    await deliver(
      t.server,
      stripeEvent(`evt_fc_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 10_060)),
    ).expect(200);
    return { pool, campaign, gift, email };
  };

  /** The thank-you is queued with the gift's receipt, once the receipt job has run. */
  const thanksEmail = async (to: string) => {
    const row = await waitUntil(async () => {
      const [found] = await t.dataSource.query(
        `SELECT payload FROM outbox WHERE payload->>'template' = 'donation-thanks' AND payload->>'to' = $1`,
        [to],
      );
      return found as { payload: { data: Record<string, string> } } | undefined;
    }, 'the thank-you email');
    return row.payload.data;
  };

  it('matches ¥100.00 of a ¥100 gift with ¥0.60 cover at 1:1, and the wall shows ¥100.00', async () => {
    const { pool, campaign, gift, email } = await coveredGift();
    expect(await t.get(DonationsService).get(gift.id)).toMatchObject({
      status: 'SUCCEEDED',
      amountMinor: 10_060,
      matchedMinor: 10_000,
    });
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(90_000);
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(20_060);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 10_060,
      matchedMinor: 10_000,
    });
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      matchedMinor: 10_000,
      matchFeeCover: false,
    });

    const page = await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    const wall = /<ul class="gifts">([\s\S]*?)<\/ul>/.exec(page.text)?.[1] ?? '';
    expect(wall).toContain('¥100.00 (+¥100.00 matched)');
    expect(wall).not.toContain('100.60');

    const thanks = await request(t.server)
      .get(`/campaigns/${campaign.slug}/thanks?donation=${gift.id}&lang=en`)
      .expect(200);
    expect(thanks.text).toMatch(/id="gift-received">[^<]*¥100\.60/);
    expect(thanks.text).toMatch(/id="gift-fee-cover">[^<]*¥0\.60/);
    expect(thanks.text).toMatch(/id="gift-matched">[^<]*¥100\.00 more/);
    expect(await thanksEmail(email)).toMatchObject({
      amount: '¥100.60',
      feeCover: '¥0.60',
      matched: '¥100.00',
    });
  });

  it('matches the cover too (¥100.60) when the rule says so', async () => {
    const { pool, campaign, gift, email } = await coveredGift(true);
    expect(await t.get(DonationsService).get(gift.id)).toMatchObject({ matchedMinor: 10_060 });
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(100_000 - 10_060);
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      matchedMinor: 10_060,
      matchFeeCover: true,
    });
    expect(await thanksEmail(email)).toMatchObject({ matched: '¥100.60' });
  });

  it('gives the match back in proportion to the refunded share of all that was paid', async () => {
    // Half of ¥100.60 refunded: half of the ¥100.00 match goes back to the pool.
    const half = await coveredGift();
    await deliver(
      t.server,
      stripeEvent(
        `evt_fcr1_${half.gift.id}`,
        'charge.refunded',
        refundedCharge(half.gift.id, 5_030),
      ),
    ).expect(200);
    expect(await t.get(DonationsService).get(half.gift.id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      matchedMinor: 5_000,
    });
    expect((await t.get(FundsService).get(half.pool.id)).balanceMinor).toBe(95_000);

    // All of it refunded at once: all of the match goes back.
    const all = await coveredGift();
    await deliver(
      t.server,
      stripeEvent(
        `evt_fcr2_${all.gift.id}`,
        'charge.refunded',
        refundedCharge(all.gift.id, 10_060),
      ),
    ).expect(200);
    expect(await t.get(DonationsService).get(all.gift.id)).toMatchObject({
      status: 'REFUNDED',
      matchedMinor: 0,
    });
    expect((await t.get(FundsService).get(all.pool.id)).balanceMinor).toBe(100_000);
    expect((await t.get(FundsService).get(all.campaign.fundId)).balanceMinor).toBe(0);
    expect(await t.get(MatchingService).getRule(all.campaign.id)).toMatchObject({
      matchedMinor: 0,
    });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });
});
