import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { ReconciliationService } from '../../src/modules/donations/reconciliation.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { outTradeNo } from '../../src/modules/payments/alipay/alipay-amounts';
import {
  alipaySignContent,
  type FakeAlipay,
  rsa2Sign,
} from '../../src/modules/payments/alipay/sandbox/fake-alipay';
import { readOrCreateSandboxAlipayKeys } from '../../src/modules/payments/alipay/sandbox/sandbox-alipay';
import { SandboxAlipayService } from '../../src/modules/payments/alipay/sandbox/sandbox-alipay.service';
import { PaymentRails } from '../../src/modules/payments/payment-rails';
import { QUEUE_NAMES } from '../../src/queue/queue.constants';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * Gifts paid by Alipay through the whole app: the API's `method: alipay`, the real adapter on the
 * sandbox's fake gateway, notifications in Alipay's form and RSA2 signature posted to
 * `/webhooks/alipay`, the inbox, settlement, the ledger, refunds and reconciliation.
 */
const PUBLIC_URL = 'http://give.lianxin.test';
const ALIPAY_UA =
  'Mozilla/5.0 (Linux; U; Android 13; zh-CN) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 Mobile Safari/537.36 AlipayClient/10.5.86.8000';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('Alipay gifts end to end', () => {
  let t: TestApp;
  let dataDir: string;
  let fake: FakeAlipay;
  let slug: string;
  let fundId: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-alipay-e2e-'));
    await createFileDatabase();
    // Settlement is the subject: side-effect jobs (receipts, emails, fees) are not run here.
    t = await startConfiguredApp({
      dataDir,
      publicUrl: PUBLIC_URL,
      queue: { prefix: fileQueuePrefix(), processors: false },
    });
    await t.app.listen(0, '127.0.0.1');
    fake = t.get(SandboxAlipayService).get().fake;
    await createFoundation(t);
    const campaign = await createCampaign(t);
    slug = campaign.slug;
    fundId = campaign.fundId;
  });

  afterAll(async () => {
    await t?.close();
    for (const name of Object.values(QUEUE_NAMES)) {
      const queue = new Queue(name, {
        connection: { url: process.env.REDIS_URL },
        prefix: fileQueuePrefix(),
      });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await dropFileDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (amountMinor = 5_000, campaignSlug = slug) => {
    const res = await request(t.server)
      .post(`/api/v1/campaigns/${campaignSlug}/donations`)
      .set('user-agent', ALIPAY_UA)
      .send({
        amountMinor,
        donorName: '捐赠人',
        donorEmail: `alipay-${randomUUID().slice(0, 8)}@example.org`,
        method: 'alipay',
      })
      .expect(201);
    const body = res.body as { id: string; checkoutUrl: string };
    // An address on PUBLIC_URL: this server is reached by its own address.
    const url = new URL(body.checkoutUrl);
    expect(url.origin).toBe(PUBLIC_URL);
    return { id: body.id, checkoutUrl: `${url.pathname}${url.search}`, no: outTradeNo(body.id) };
  };
  /** The donor's browser reaches Alipay's cashier: the trade exists from then on. */
  const open = async (checkoutUrl: string) => request(t.server).get(checkoutUrl).expect(302);
  const notify = (body: string) =>
    request(t.server).post('/webhooks/alipay').set('content-type', FORM).send(body);
  const gift = (id: string) => t.get(DonationsService).get(id);
  const balance = async (id = fundId) => (await t.get(FundsService).get(id)).balanceMinor;
  const inbox = async (eventId: string) =>
    t.dataSource.query<
      { processed_at: Date | null; failure_reason: string | null; attempts: number }[]
    >(
      `SELECT event_id, processed_at, failure_reason, attempts FROM payment_events
       WHERE provider = 'ALIPAY' AND event_id = $1`,
      [eventId],
    );

  it('takes a phone gift through the cashier: notification, settled once, donor back on the thank-you page', async () => {
    const before = await balance();
    const g = await start(12_345);
    expect(g.checkoutUrl.startsWith('/sandbox/alipay/gateway.do?')).toBe(true);
    const browser = formSession(t.server);
    const cashier = await browser.agent.get(g.checkoutUrl);
    expect(cashier.headers.location).toBe(`/sandbox/alipay/cashier/${g.no}`);
    const page = await browser.agent.get(`${cashier.headers.location!}?lang=zh-CN`);
    expect(page.text).toContain('¥123.45');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const paid = await browser.agent
      .post(`/sandbox/alipay/cashier/${g.no}/pay`)
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    expect(paid.headers.location).toMatch(/out_trade_no=/);

    const delivery = fake.deliveries.find((d) => d.outTradeNo === g.no)!;
    expect(delivery).toMatchObject({ delivered: true, attempts: 1, lastAnswer: 'success' });
    const tradeNo = fake.order(g.no)!.tradeNo;
    expect(await gift(g.id)).toMatchObject({
      status: 'SUCCEEDED',
      provider: 'ALIPAY',
      providerSessionId: g.no,
      providerPaymentId: tradeNo,
    });
    expect(await balance()).toBe(before + 12_345);
    expect(await inbox(`${tradeNo}:TRADE_SUCCESS`)).toEqual([
      expect.objectContaining({ attempts: 1, failure_reason: null }),
    ]);
    // Alipay sends it again (our answer was lost): answered success, nothing booked twice.
    const again = await notify(delivery.body).expect(200);
    expect(again.text).toBe('success');
    expect(await balance()).toBe(before + 12_345);
  });

  it('counts 200 gifts once each from 1–5 shuffled copies of each notification, 50 at a time; totals and matching exact', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 37 * 1_000);
    const campaign = await createCampaign(t);
    await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { minGiftMinor: 100 }));
    const gifts = [];
    for (let i = 0; i < 200; i++) gifts.push(await start(1_000, campaign.slug));
    await inBatches(gifts, 50, (g) => open(g.checkoutUrl));
    const deliveries = shuffle(
      gifts.flatMap((g, i) => {
        const body = fake.notificationBody(g.no, 'paid');
        return Array.from({ length: (i % 5) + 1 }, () => body);
      }),
    );
    expect(deliveries).toHaveLength(600);
    const answers: string[] = [];
    await inBatches(deliveries, 50, async (body) => {
      const res = await notify(body);
      answers.push(`${res.status} ${res.text}`);
    });
    expect(new Set(answers)).toEqual(new Set(['200 success']));

    const expected = 200 * 1_000;
    const [counts] = await t.dataSource.query<unknown[]>(
      `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE matched_minor > 0)::int AS matched,
              coalesce(sum(matched_minor), 0)::int AS "matchedMinor"
       FROM donations WHERE campaign_id = $1`,
      [campaign.id],
    );
    expect(counts).toEqual({ succeeded: 200, matched: 37, matchedMinor: 37_000 });
    const [entries] = await t.dataSource.query<unknown[]>(
      `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM journal_entries
       WHERE kind = 'DONATION' AND metadata->>'donationId' = ANY($1::text[])`,
      [gifts.map((g) => g.id)],
    );
    expect(entries).toEqual({ n: 200, keys: 200 });
    expect(await balance(campaign.fundId)).toBe(expected + 37_000);
    expect(await balance(pool.id)).toBe(0);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: expected,
      matchedMinor: 37_000,
      gifts: 200,
    });
    const [events] = await t.dataSource.query<unknown[]>(
      `SELECT count(*)::int AS stored, count(*) FILTER (WHERE processed_at IS NULL)::int AS pending
       FROM payment_events WHERE provider = 'ALIPAY' AND payload->>'out_trade_no' = ANY($1::text[])`,
      [gifts.map((g) => g.no)],
    );
    expect(events).toEqual({ stored: 200, pending: 0 });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
    // 200 gifts and 600 deliveries: about 30 s alone, more on a busy machine.
  }, 240_000);

  it('adds partial refunds up, each asked once of Alipay and booked once from its notification', async () => {
    const g = await start(5_000);
    await open(g.checkoutUrl);
    await fake.pay(g.no);
    expect((await gift(g.id)).status).toBe('SUCCEEDED');
    const before = await balance();

    const refunds = t.get(DonationsService);
    await refunds.requestRefund(g.id, 1_200, 0, '捐赠人要求');
    await waitUntil(async () => (await gift(g.id)).refundedMinor === 1_200 || null, 'first refund');
    // A resubmitted form (same amount, same "already refunded") asks nothing twice.
    await expect(refunds.requestRefund(g.id, 1_200, 0, '捐赠人要求')).rejects.toThrow();
    await refunds.requestRefund(g.id, 800, 1_200, '捐赠人要求');
    await waitUntil(
      async () => (await gift(g.id)).refundedMinor === 2_000 || null,
      'second refund',
    );
    expect(await gift(g.id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedMinor: 2_000 });
    expect(fake.order(g.no)!.refundedFen).toBe(2_000);
    expect(await balance()).toBe(before - 2_000);

    await refunds.requestRefund(g.id, 3_000, 2_000, '捐赠人要求');
    await waitUntil(async () => (await gift(g.id)).status === 'REFUNDED' || null, 'full refund');
    expect(await gift(g.id)).toMatchObject({ refundedMinor: 5_000 });
    expect(fake.order(g.no)!.status).toBe('TRADE_CLOSED');
    expect(await balance()).toBe(before - 5_000);
    // Every refund notification again, shuffled: nothing moves.
    for (const d of shuffle(fake.deliveries.filter((x) => x.outTradeNo === g.no))) {
      expect((await notify(d.body)).text).toBe('success');
    }
    expect(await balance()).toBe(before - 5_000);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('ends right when the refund notification comes before the payment’s', async () => {
    const g = await start(6_000);
    await open(g.checkoutUrl);
    const paidBody = fake.notificationBody(g.no, 'paid');
    await fake.pay(g.no, { notify: false });
    const adapter = t.get(PaymentRails).byName('ALIPAY');
    await adapter.refund({
      donationId: g.id,
      paymentId: fake.order(g.no)!.tradeNo,
      sessionId: g.no,
      amountMinor: 2_500,
      totalMinor: 6_000,
      currency: 'CNY',
      idempotencyKey: `refund:${g.id}:2500`,
    });
    await fake.idle();
    const early = fake.deliveries.find((d) => d.outTradeNo === g.no && d.kind === 'refund')!;
    expect(early.lastStatus).toBeLessThan(300);
    expect((await gift(g.id)).refundedMinor).toBe(0);

    expect((await notify(paidBody)).text).toBe('success');
    // Alipay re-sends the refund (or the inbox's retry gets to it first).
    expect((await notify(early.body)).text).toBe('success');
    await waitUntil(async () => (await gift(g.id)).refundedMinor === 2_500 || null, 'the refund');
    expect(await gift(g.id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedMinor: 2_500 });
  });

  it('reconciliation settles a gift whose notification never arrived, once', async () => {
    const g = await start(7_000);
    await open(g.checkoutUrl);
    await fake.pay(g.no, { notify: false });
    const before = await balance();
    const since = new Date(Date.now() - 3_600_000);
    const report = await t.get(ReconciliationService).reconcile(since);
    expect(report.repaired).toContain(g.id);
    expect(await gift(g.id)).toMatchObject({
      status: 'SUCCEEDED',
      providerPaymentId: fake.order(g.no)!.tradeNo,
    });
    expect(await balance()).toBe(before + 7_000);
    // The notification arrives late; a second run: nothing more.
    expect((await notify(fake.notificationBody(g.no, 'paid'))).text).toBe('success');
    const again = await t.get(ReconciliationService).reconcile(since);
    expect(again.repaired).not.toContain(g.id);
    expect(await balance()).toBe(before + 7_000);
  });

  it('reconciliation closes an order left open past its expiry', async () => {
    const g = await start(3_000);
    await open(g.checkoutUrl);
    const later = new Date(Date.now() + 25 * 3600_000);
    await t.get(ReconciliationService).reconcile(new Date(Date.now() - 3_600_000), later);
    expect(fake.order(g.no)!.status).toBe('TRADE_CLOSED');
    await fake.idle();
    expect((await gift(g.id)).status).toBe('EXPIRED');
  });

  describe('bad input: 4xx fail, nothing processed, a warning', () => {
    let g: { id: string; no: string; checkoutUrl: string };
    let fields: Record<string, string>;
    let warn: jest.SpyInstance;
    const keys = () => readOrCreateSandboxAlipayKeys(dataDir);
    /** Signed with the sandbox's Alipay key, as Alipay would sign it. */
    const signed = (f: Record<string, string>) =>
      new URLSearchParams({
        ...f,
        sign: rsa2Sign(alipaySignContent(f, ['sign', 'sign_type']), keys().alipayPrivateKey),
      }).toString();

    beforeAll(async () => {
      g = await start(4_000);
      await open(g.checkoutUrl);
      fields = Object.fromEntries(new URLSearchParams(fake.notificationBody(g.no, 'paid')));
      delete fields.sign;
    });
    beforeEach(() => {
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });
    afterEach(() => {
      warn.mockRestore();
    });

    it.each<[string, (f: Record<string, string>) => string, number]>([
      ['a bad sign', (f) => signed(f).replace(/sign=[^&]+/, `sign=${'A'.repeat(344)}`), 400],
      [
        'a changed amount',
        (f) => signed(f).replace('total_amount=40.00', 'total_amount=0.01'),
        400,
      ],
      ['no sign', (f) => new URLSearchParams(f).toString(), 400],
      ['another app_id', (f) => signed({ ...f, app_id: '2021000000009999' }), 400],
      ['another seller_id', (f) => signed({ ...f, seller_id: '2088000000009999' }), 400],
    ])('%s: refused before it is stored', async (_what, body, status) => {
      const res = await notify(body(fields));
      expect(res.status).toBe(status);
      expect(res.text).toBe('fail');
      const tradeNo = fields.trade_no!;
      expect(await inbox(`${tradeNo}:TRADE_SUCCESS`)).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/notification refused/));
      expect((await gift(g.id)).status).toBe('PENDING');
    });

    it('an amount that is not the gift’s (signed): kept for FINANCE, not processed', async () => {
      const res = await notify(
        signed({ ...fields, total_amount: '40.01', trade_no: `${fields.trade_no!}9` }),
      );
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).toBe('fail');
      expect(await inbox(`${fields.trade_no!}9:TRADE_SUCCESS`)).toEqual([
        expect.objectContaining({ processed_at: null, failure_reason: 'AMOUNT_MISMATCH' }),
      ]);
    });

    it('a notification for an order we never made (signed): not processed', async () => {
      const { passback_params: _ours, ...rest } = fields;
      const res = await notify(
        signed({
          ...rest,
          out_trade_no: outTradeNo(randomUUID()),
          trade_no: `${fields.trade_no!}8`,
        }),
      );
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).toBe('fail');
      expect(await inbox(`${fields.trade_no!}8:TRADE_SUCCESS`)).toEqual([
        expect.objectContaining({ processed_at: null, failure_reason: 'UNKNOWN_DONATION' }),
      ]);
    });
  });
});
