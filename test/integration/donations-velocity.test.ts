import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { sandboxCardFingerprint } from '../../src/modules/payments/sandbox/sandbox-events';
import { SandboxProcessor } from '../../src/modules/payments/sandbox/sandbox-processor';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver, fixture, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';

/**
 * The bot check: more than five PAID gifts a minute from one email or one payment method
 * withhold the match; starts by IP do not. A withheld match is recorded with its reason and
 * released by FINANCE, posted then at most once.
 */
describe('donations: the bot check and releasing withheld matches', () => {
  let t: TestApp;
  let finance: { id: string; email: string; auth: { Authorization: string } };
  let admin: { auth: { Authorization: string } };
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    finance = await createUser(t, ['FINANCE']);
    admin = await createUser(t, ['ADMIN']);
  });
  afterAll(() => t.close());

  async function matchedCampaign(poolMinor = 1_000_000) {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, poolMinor);
    const campaign = await createCampaign(t);
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    return { pool, campaign };
  }

  const email = () => `donor-${randomUUID().slice(0, 8)}@example.org`;
  const start = (slug: string, donorEmail: string, ip?: string) =>
    t
      .get(DonationsService)
      .start(slug, { amountMinor: 1_000, donorName: '捐赠人', donorEmail }, { ip });

  /** The provider's `charge.succeeded`: the card's fingerprint, before the completion. */
  const chargeSucceeded = (donationId: string, fingerprint: string) =>
    stripeEvent(`evt_ch_${donationId}`, 'charge.succeeded', {
      ...fixture('charge'),
      id: `ch_test_${donationId.replace(/-/g, '')}`,
      amount: 1_000,
      amount_refunded: 0,
      refunded: false,
      currency: 'cny',
      metadata: { donation_id: donationId },
      payment_intent: `pi_test_${donationId.replace(/-/g, '')}`,
      payment_method_details: {
        type: 'card',
        card: { brand: 'visa', last4: '4242', fingerprint },
      },
    });

  async function pay(id: string, fingerprint?: string) {
    if (fingerprint) await deliver(t.server, chargeSucceeded(id, fingerprint)).expect(200);
    await deliver(
      t.server,
      stripeEvent(`evt_c_${id}`, 'checkout.session.completed', paidSession(id, 1_000)),
    ).expect(200);
    return t.get(DonationsService).get(id);
  }

  it('does not withhold the next donor’s match after six unpaid starts from one IP', async () => {
    const { campaign } = await matchedCampaign();
    for (let i = 0; i < 6; i++) await start(campaign.slug, email(), '203.0.113.7');
    const next = await start(campaign.slug, email(), '203.0.113.7');
    expect(await pay(next.id)).toMatchObject({
      status: 'SUCCEEDED',
      matchedMinor: 1_000,
      matchWithheldReason: null,
    });
  });

  it('withholds the match of the sixth paid gift within a minute from one email, with its reason', async () => {
    const { campaign } = await matchedCampaign();
    const donor = email();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await pay((await start(campaign.slug, donor)).id));
    expect(results.map((d) => d.matchedMinor)).toEqual([1_000, 1_000, 1_000, 1_000, 1_000, 0]);
    expect(results.map((d) => d.matchWithheldReason)).toEqual([
      null,
      null,
      null,
      null,
      null,
      'VELOCITY',
    ]);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 6_000,
      matchedMinor: 5_000,
    });
  });

  it('counts paid gifts by card fingerprint across emails; another card is matched', async () => {
    const { campaign } = await matchedCampaign();
    const card = `fp_${randomUUID().slice(0, 8)}`;
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(await pay((await start(campaign.slug, email())).id, card));
    }
    expect(results.map((d) => d.paymentFingerprint)).toEqual(Array(6).fill(`card:${card}`));
    expect(results.map((d) => d.matchWithheldReason)).toEqual([
      null,
      null,
      null,
      null,
      null,
      'VELOCITY',
    ]);
    const other = await pay((await start(campaign.slug, email())).id, `fp_${randomUUID()}`);
    expect(other).toMatchObject({ matchedMinor: 1_000, matchWithheldReason: null });
  });

  /** Five paid gifts from one donor, then a sixth whose match is withheld. */
  async function withheldGift(poolMinor?: number) {
    const s = await matchedCampaign(poolMinor);
    const donor = email();
    for (let i = 0; i < 5; i++) await pay((await start(s.campaign.slug, donor)).id);
    const gift = await pay((await start(s.campaign.slug, donor)).id);
    expect(gift).toMatchObject({ matchedMinor: 0, matchWithheldReason: 'VELOCITY' });
    return { ...s, gift };
  }

  it('lets FINANCE release a withheld match once, through the API, even when sent twice at once', async () => {
    const { pool, campaign, gift } = await withheldGift();
    const release = () =>
      request(t.server).post(`/api/v1/donations/${gift.id}/match-release`).set(finance.auth);

    await request(t.server)
      .post(`/api/v1/donations/${gift.id}/match-release`)
      .set(admin.auth)
      .expect(403);
    const answers = await Promise.all([release(), release()]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 200)!.body).toMatchObject({
      id: gift.id,
      matchedMinor: 1_000,
      matchWithheldReason: 'VELOCITY',
    });
    expect(answers.find((r) => r.status === 409)!.body.code).toBe('MATCH_NOT_WITHHELD');
    const again = await release().expect(409);
    expect(again.body.code).toBe('MATCH_NOT_WITHHELD');

    const donation = await t.get(DonationsService).get(gift.id);
    expect(donation.matchedMinor).toBe(1_000);
    expect(donation.matchReleasedAt).toBeInstanceOf(Date);
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(1_000_000 - 6_000);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 6_000,
      matchedMinor: 6_000,
    });
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      matchedMinor: 6_000,
    });
    const [entries] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = $1`,
      [`match:${gift.id}`],
    );
    expect(entries.n).toBe(1);
    const audit = await t.dataSource.query(
      `SELECT actor_user_id AS "actorId", after FROM audit_log
       WHERE action = 'donation.match_released' AND entity_id = $1`,
      [gift.id],
    );
    expect(audit).toEqual([
      { actorId: finance.id, after: expect.objectContaining({ matchedMinor: 1_000 }) },
    ]);
    expect((await t.get(LedgerService).check()).ok).toBe(true);

    // A refund afterwards gives the released match back like any other.
    await deliver(
      t.server,
      stripeEvent(`evt_r_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 1_000)),
    ).expect(200);
    expect(await t.get(DonationsService).get(gift.id)).toMatchObject({
      status: 'REFUNDED',
      matchedMinor: 0,
      matchReturnedMinor: 1_000,
    });
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(1_000_000 - 5_000);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('refuses to release when the pool is empty, and changes nothing', async () => {
    const { pool, campaign, gift } = await withheldGift(6_000);
    // Another donor takes what was left in the pool before FINANCE gets to the withheld gift.
    expect(await pay((await start(campaign.slug, email())).id)).toMatchObject({
      matchedMinor: 1_000,
    });
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(0);
    const refused = await request(t.server)
      .post(`/api/v1/donations/${gift.id}/match-release`)
      .set(finance.auth)
      .expect(422);
    expect(refused.body.code).toBe('MATCH_NOT_RELEASABLE');
    expect(refused.body.message).toMatch(/pool/i);
    expect(await t.get(DonationsService).get(gift.id)).toMatchObject({
      matchedMinor: 0,
      matchWithheldReason: 'VELOCITY',
      matchReleasedAt: null,
    });
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      matchedMinor: 6_000,
    });
    const [entries] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = $1`,
      [`match:${gift.id}`],
    );
    expect(entries.n).toBe(0);
  });

  it('shows FINANCE the withheld match in words and releases it by a confirmed, CSRF-checked form', async () => {
    const { gift } = await withheldGift();
    const session = formSession(t.server);
    expect((await session.signIn(finance.email, TEST_PASSWORD)).status).toBe(303);
    const path = `/admin/donations/${gift.id}`;

    const en = await session.agent.get(`${path}?lang=en`).expect(200);
    expect(en.text).toContain('Match withheld');
    expect(en.text).toMatch(/More than 5 paid gifts within a minute/);
    expect(en.text).toContain(`action="${path}/release-match"`);
    const zh = await session.agent.get(`${path}?lang=zh-CN`).expect(200);
    expect(zh.text).toContain('配捐已暂扣');
    expect(zh.text).toContain('一分钟内来自该捐赠人邮箱或同一支付卡的已付款捐赠超过 5 笔');

    // Without the token: refused before anything happens.
    const forged = await session.post(
      `${path}/release-match`,
      { confirm: 'yes' },
      { withCsrf: false },
    );
    expect(forged.status).toBe(403);
    // Without the confirmation: back to the page, nothing posted.
    const unconfirmed = await session.post(`${path}/release-match?lang=en`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('Tick the box to confirm');
    expect((await t.get(DonationsService).get(gift.id)).matchedMinor).toBe(0);

    const released = await session.post(`${path}/release-match?lang=en`, { confirm: 'yes' });
    expect(released.status).toBe(303);
    expect(released.headers.location).toBe(path);
    const after = await session.agent.get(`${path}?lang=en`).expect(200);
    expect(after.text).toContain('Match of ¥10.00 released and posted.');
    expect(after.text).not.toContain(`action="${path}/release-match"`);
    // The same form sent again (a double click) posts nothing more.
    const twice = await session.post(`${path}/release-match?lang=en`, { confirm: 'yes' });
    expect(twice.status).toBe(409);
    expect((await t.get(DonationsService).get(gift.id)).matchedMinor).toBe(1_000);
  });

  it('shows ADMIN the reason but keeps the release to FINANCE', async () => {
    const { gift } = await withheldGift();
    const user = await createUser(t, ['ADMIN']);
    const session = formSession(t.server);
    expect((await session.signIn(user.email, TEST_PASSWORD)).status).toBe(303);
    const path = `/admin/donations/${gift.id}`;
    const page = await session.agent.get(`${path}?lang=en`).expect(200);
    expect(page.text).toContain('Match withheld');
    expect(page.text).not.toContain(`action="${path}/release-match"`);
    const post = await session.post(`${path}/release-match`, { confirm: 'yes' });
    expect(post.status).toBe(403);
    expect((await t.get(DonationsService).get(gift.id)).matchedMinor).toBe(0);
  });

  it('takes the sandbox checkout’s test card fingerprint from its charge.succeeded', async () => {
    // Listening, so the sandbox's webhooks reach this app as Stripe's would.
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { campaign } = await matchedCampaign();
    const donor = email();
    const gift = await start(campaign.slug, donor);
    await t.get(SandboxProcessor).pay(gift.checkoutUrl.split('/').pop()!);
    expect(await t.get(DonationsService).get(gift.id)).toMatchObject({
      status: 'SUCCEEDED',
      matchedMinor: 1_000,
      paymentFingerprint: `card:${sandboxCardFingerprint(donor)}`,
    });
  });
});
