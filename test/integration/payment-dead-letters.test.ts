import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppConfig } from '../../src/config/app-config';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { PaymentInboxService } from '../../src/modules/donations/payment-inbox.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createTestApp, type TestApp } from '../utils/test-app';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

const MAX_ATTEMPTS = 3;

/**
 * Payment events that can never succeed stop being retried after PAYMENT_EVENT_MAX_ATTEMPTS
 * attempts: dead letters, listed for FINANCE, retried by hand (audited), counted in /health.
 */
describe('payment events: dead letters', () => {
  let t: TestApp;
  let finance: { auth: { Authorization: string }; email: string };
  let leader: { auth: { Authorization: string }; email: string };
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    jest.spyOn(t.get(AppConfig), 'paymentEventMaxAttempts', 'get').mockReturnValue(MAX_ATTEMPTS);
    finance = await createUser(t, ['FINANCE']);
    const fund = await createFund(t, { kind: 'PROGRAM' });
    leader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [fund.id] });
  });
  afterAll(() => t.close());

  const inbox = () => t.get(PaymentInboxService);
  const row = async (eventId: string) =>
    (
      await t.dataSource.query(
        `SELECT id, attempts, processed_at AS "processedAt", dead_at AS "deadAt",
                failure_reason AS reason, last_error AS "lastError"
         FROM payment_events WHERE event_id = $1`,
        [eventId],
      )
    )[0] as {
      id: string;
      attempts: number;
      processedAt: Date | null;
      deadAt: Date | null;
      reason: string | null;
      lastError: string | null;
    };
  /** One pass of the retry loop with every waiting event due now (no waiting for backoff). */
  const retryLoopPass = async () => {
    await t.dataSource.query(
      `UPDATE payment_events SET next_attempt_at = now() WHERE processed_at IS NULL`,
    );
    await inbox().processDue();
  };
  const start = async (amountMinor: number) => {
    const campaign = await createCampaign(t);
    return t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor,
        donorName: '捐赠人',
        donorEmail: `d-${randomUUID().slice(0, 8)}@example.org`,
      },
      {},
    );
  };

  /** Deliveries for a gift that is missing (a restore lost it), and the gift's row to put back. */
  async function lostGift(amountMinor: number) {
    const gift = await start(amountMinor);
    const [saved] = await t.dataSource.query(
      `SELECT to_jsonb(d) AS row FROM donations d WHERE id = $1`,
      [gift.id],
    );
    // Lost with it: the consent given with the gift (it names the gift).
    await t.dataSource.query(`DELETE FROM consent_records WHERE donation_id = $1`, [gift.id]);
    await t.dataSource.query(`DELETE FROM donations WHERE id = $1`, [gift.id]);
    const restore = () =>
      t.dataSource.query(
        `INSERT INTO donations SELECT * FROM jsonb_populate_record(null::donations, $1)`,
        [saved.row],
      );
    return { gift, restore };
  }

  it('turns an event for an unknown gift into a dead letter after N attempts, then retries it no more', async () => {
    const { gift } = await lostGift(5_000);
    const eventId = `evt_lost_${gift.id}`;
    await deliver(
      t.server,
      stripeEvent(eventId, 'checkout.session.completed', paidSession(gift.id, 5_000)),
    ).expect(422);
    expect(await row(eventId)).toMatchObject({
      attempts: 1,
      processedAt: null,
      deadAt: null,
      reason: 'UNKNOWN_DONATION',
    });

    await retryLoopPass();
    expect(await row(eventId)).toMatchObject({ attempts: 2, deadAt: null });
    await retryLoopPass();
    const dead = await row(eventId);
    expect(dead).toMatchObject({ attempts: MAX_ATTEMPTS, processedAt: null });
    expect(dead.deadAt).toBeInstanceOf(Date);
    expect(dead.lastError).toContain(gift.id);

    // The loop leaves it alone from now on, however long it runs.
    for (let i = 0; i < 3; i++) await retryLoopPass();
    expect(await row(eventId)).toMatchObject({ attempts: MAX_ATTEMPTS, deadAt: dead.deadAt });
    // A further delivery of the same event changes nothing either.
    await deliver(
      t.server,
      stripeEvent(eventId, 'checkout.session.completed', paidSession(gift.id, 5_000)),
    ).expect(422);
    expect((await row(eventId)).attempts).toBe(MAX_ATTEMPTS);
  });

  it('makes an amount that differs from the gift a dead letter with its reason', async () => {
    const gift = await start(7_000);
    const eventId = `evt_amount_${gift.id}`;
    await deliver(
      t.server,
      stripeEvent(eventId, 'checkout.session.completed', paidSession(gift.id, 7_001)),
    ).expect(422);
    await retryLoopPass();
    await retryLoopPass();
    expect(await row(eventId)).toMatchObject({ attempts: 3, reason: 'AMOUNT_MISMATCH' });
    expect((await row(eventId)).deadAt).toBeInstanceOf(Date);
    expect((await t.get(DonationsService).get(gift.id)).status).toBe('PENDING');
  });

  it('lists dead letters for FINANCE only, and a retry by hand books the gift once it exists (audited)', async () => {
    const { gift, restore } = await lostGift(6_000);
    const eventId = `evt_restored_${gift.id}`;
    await deliver(
      t.server,
      stripeEvent(eventId, 'checkout.session.completed', paidSession(gift.id, 6_000)),
    ).expect(422);
    await retryLoopPass();
    await retryLoopPass();
    const { id } = await row(eventId);

    const listed = await request(t.server)
      .get('/api/v1/payment-events/dead-letters')
      .set(finance.auth)
      .expect(200);
    const item = (listed.body.items as Record<string, unknown>[]).find(
      (i) => i.eventId === eventId,
    );
    expect(item).toMatchObject({
      id: Number(id),
      provider: 'SANDBOX',
      type: 'checkout.session.completed',
      donationId: gift.id,
      amountMinor: 6_000,
      attempts: MAX_ATTEMPTS,
      reason: 'UNKNOWN_DONATION',
    });
    expect(listed.body.counts.deadLetters).toBeGreaterThanOrEqual(1);

    // Nobody but FINANCE: a community leader and an administrator are refused.
    const admin = await createUser(t, ['ADMIN']);
    for (const who of [leader, admin]) {
      await request(t.server).get('/api/v1/payment-events/dead-letters').set(who.auth).expect(403);
      await request(t.server).post(`/api/v1/payment-events/${id}/retry`).set(who.auth).expect(403);
    }
    await request(t.server).post('/api/v1/payment-events/abc/retry').set(finance.auth).expect(400);
    await request(t.server)
      .post('/api/v1/payment-events/999999999/retry')
      .set(finance.auth)
      .expect(404);

    // Retried while the gift is still missing: it fails again and goes back to the queue.
    const early = await request(t.server)
      .post(`/api/v1/payment-events/${id}/retry`)
      .set(finance.auth)
      .expect(200);
    expect(early.body).toMatchObject({ processedAt: null, deadAt: null, attempts: 1 });
    await retryLoopPass();
    await retryLoopPass();
    expect((await row(eventId)).deadAt).toBeInstanceOf(Date);

    await restore();
    const retried = await request(t.server)
      .post(`/api/v1/payment-events/${id}/retry`)
      .set(finance.auth)
      .expect(200);
    expect(retried.body.processedAt).not.toBeNull();
    expect(retried.body.deadAt).toBeNull();
    const booked = await t.get(DonationsService).get(gift.id);
    expect(booked.status).toBe('SUCCEEDED');
    expect((await t.get(FundsService).get(booked.fundId)).balanceMinor).toBe(6_000);

    // Once only: it is no dead letter any more.
    const again = await request(t.server)
      .post(`/api/v1/payment-events/${id}/retry`)
      .set(finance.auth)
      .expect(409);
    expect(again.body.code).toBe('NOT_A_DEAD_LETTER');
    expect((await t.get(FundsService).get(booked.fundId)).balanceMinor).toBe(6_000);

    const audit = await t.dataSource.query(
      `SELECT actor_label AS actor, before FROM audit_log
       WHERE action = 'payment_event.retried' AND entity_id = $1 ORDER BY id`,
      [String(id)],
    );
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      actor: finance.email,
      before: { eventId, attempts: MAX_ATTEMPTS, reason: 'UNKNOWN_DONATION' },
    });
  });

  it('shows the page to FINANCE (not to a community leader), and retries only when confirmed', async () => {
    const { gift, restore } = await lostGift(4_200);
    const eventId = `evt_page_${gift.id}`;
    await deliver(
      t.server,
      stripeEvent(eventId, 'checkout.session.completed', paidSession(gift.id, 4_200)),
    ).expect(422);
    await retryLoopPass();
    await retryLoopPass();
    const { id } = await row(eventId);

    const page = formSession(t.server);
    expect((await page.signIn(finance.email, TEST_PASSWORD)).status).toBe(303);
    const list = await page.agent.get('/admin/payment-events?lang=en').expect(200);
    expect(list.text).toContain('href="/admin/payment-events" aria-current="page"');
    const card = new RegExp(`id="dead-letter-${id}"[\\s\\S]*?</article>`).exec(list.text)?.[0];
    expect(card).toBeDefined();
    expect(card).toContain('The payment names a gift this system does not have.');
    expect(card).toContain('Payment completed');
    expect(card).toContain('Sandbox checkout');
    expect(card).toContain(gift.id);
    expect(card).toContain('¥42.00');
    expect(card).toMatch(/class="dead-letter-attempts">3</);
    const zh = await page.agent.get('/admin/payment-events?lang=zh-CN').expect(200);
    expect(zh.text).toContain('付款所指的捐赠在本系统中不存在。');
    expect(zh.text).toContain('北京时间');

    const leaderPage = formSession(t.server);
    expect((await leaderPage.signIn(leader.email, TEST_PASSWORD)).status).toBe(303);
    expect((await leaderPage.agent.get('/admin/payment-events')).status).toBe(403);
    expect(
      (await leaderPage.post(`/admin/payment-events/${id}/retry`, { confirm: 'yes' })).status,
    ).toBe(403);
    const leaderHome = await leaderPage.agent.get('/admin/my-funds');
    expect(leaderHome.text).not.toContain('/admin/payment-events');

    await restore();
    // Without the confirmation, or without the CSRF token, nothing happens.
    const unconfirmed = await page.post(`/admin/payment-events/${id}/retry?lang=en`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('Tick the box to confirm before retrying.');
    const forged = await page.post(
      `/admin/payment-events/${id}/retry`,
      { confirm: 'yes' },
      { withCsrf: false },
    );
    expect(forged.status).toBe(403);
    expect((await row(eventId)).deadAt).toBeInstanceOf(Date);

    const confirmed = await page.post(`/admin/payment-events/${id}/retry?lang=en`, {
      confirm: 'yes',
    });
    expect(confirmed.status).toBe(303);
    const after = await page.agent.get('/admin/payment-events?lang=en').expect(200);
    expect(after.text).toContain(`Event #${id} was processed.`);
    expect(after.text).not.toContain(`id="dead-letter-${id}"`);
    expect((await t.get(DonationsService).get(gift.id)).status).toBe('SUCCEEDED');
  });

  it('counts dead letters and the backlog in GET /health, keeping its shape', async () => {
    const counts = await inbox().counts();
    const health = await request(t.server).get('/health').expect(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      mode: { database: 'external', queue: 'redis' },
      checks: { database: { status: 'up' }, queue: { status: 'up' } },
      paymentInbox: counts,
    });
    // Two dead letters remain from the tests above (unknown gift, wrong amount).
    expect(counts.deadLetters).toBe(2);

    const gift = await start(1_000);
    await deliver(
      t.server,
      stripeEvent(`evt_backlog_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 9)),
    ).expect(422);
    const later = await request(t.server).get('/health').expect(200);
    expect(later.body.paymentInbox).toEqual({
      backlog: counts.backlog + 1,
      failing: counts.failing + 1,
      deadLetters: 2,
    });
  });
});
