import { Logger, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { ReconciliationService } from '../../src/modules/donations/reconciliation.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { PAYMENT_ADAPTERS } from '../../src/modules/payments/payment-rails';
import { SandboxProvider } from '../../src/modules/payments/sandbox/sandbox.provider';
import {
  encryptResource,
  platformSignatureHeaders,
} from '../../src/modules/payments/wechatpay/wechatpay-protocol';
import { createWechatPayAdapter } from '../../src/modules/payments/wechatpay/wechatpay.provider';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { type FakeWechatPayServer, startFakeWechatPay } from '../utils/fake-wechatpay-server';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * WeChat Pay through the whole app: the real adapter against the fake platform on a local port,
 * its notifications (signed with the platform key, encrypted with the APIv3 key) posted to the
 * app's real `/webhooks/wechatpay`, settlement, the ledger, matching, refunds and reconciliation.
 */
interface Notification {
  headers: Record<string, string>;
  body: string;
}

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

const outTradeNo = (donationId: string) => donationId.replace(/-/g, '');

describe('WeChat Pay end to end', () => {
  let t: TestApp;
  let wx: FakeWechatPayServer;
  /** 'app': the fake's notifications go to the app; 'hold': kept here (a test delivers them). */
  let mode: 'app' | 'hold' | 'drop' = 'app';
  const held: Notification[] = [];
  const warnings: string[] = [];

  const post = (n: Notification) =>
    request(t.server).post('/webhooks/wechatpay').set(n.headers).send(n.body);

  beforeAll(async () => {
    wx = await startFakeWechatPay({
      deliver: async (n) => {
        if (mode === 'hold') {
          held.push(n);
          return 200;
        }
        if (mode === 'drop') return 200;
        return (await post(n)).status;
      },
    });
    await createFileDatabase();
    t = await startConfiguredApp(
      {},
      {
        providers: [
          {
            provide: PAYMENT_ADAPTERS,
            useFactory: (sandbox: SandboxProvider) => [
              sandbox,
              createWechatPayAdapter(wx.settings(), {
                retry: { attempts: 3, baseDelayMs: 2, maxDelayMs: 10 },
              }),
            ],
            inject: [SandboxProvider],
          },
        ],
      },
    );
    await t.app.init();
    await t.app.getHttpAdapter().getInstance().ready();
    // Warnings are part of what is asserted: a refused notification is logged.
    const capture: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => void warnings.push(String(message)),
    };
    Logger.overrideLogger(capture);
    Logger.overrideLogger(['warn', 'error', 'fatal']);
    await createFoundation(t);
  });
  afterAll(async () => {
    await wx?.close();
    await t?.close();
    await dropFileDatabase();
  });
  beforeEach(() => {
    mode = 'app';
    held.length = 0;
    warnings.length = 0;
  });

  const start = (slug: string, amountMinor = 5_000) =>
    t.get(DonationsService).start(
      slug,
      {
        amountMinor,
        donorName: '捐赠人',
        donorEmail: `wx-${randomUUID().slice(0, 8)}@example.org`,
        method: 'wechat_pay',
      },
      {},
    );
  const gift = (id: string) => t.get(DonationsService).get(id);
  const balance = async (fundId: string) => (await t.get(FundsService).get(fundId)).balanceMinor;
  const events = async () => {
    const rows: { n: number; processed: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n, count(processed_at)::int AS processed FROM payment_events WHERE provider = 'WECHAT_PAY'`,
    );
    return rows[0]!;
  };

  it('create → pay → notification → settled once', async () => {
    const campaign = await createCampaign(t);
    const started = await start(campaign.slug, 8_800);
    const stored = await gift(started.id);
    expect(stored).toMatchObject({
      provider: 'WECHAT_PAY',
      providerSessionId: outTradeNo(started.id),
    });
    const order = wx.fake.orders.get(outTradeNo(started.id))!;
    expect(order).toMatchObject({ totalMinor: 8_800, currency: 'CNY', attach: started.id });
    expect(order.notifyUrl).toMatch(/\/webhooks\/wechatpay$/);

    const outcome = await wx.fake.pay(order.outTradeNo);
    expect(outcome).toMatchObject({ status: 204, attempts: 1 });
    expect(await gift(started.id)).toMatchObject({
      status: 'SUCCEEDED',
      providerPaymentId: order.transactionId,
    });
    // The gift in full, less WeChat Pay's 0.6% once the fee job has booked it (53 of 8,800).
    await waitUntil(async () => (await gift(started.id)).feeMinor !== null, 'the fee booked');
    expect((await gift(started.id)).feeMinor).toBe(53);
    expect(await balance(campaign.fundId)).toBe(8_800 - 53);
    // The platform sends it again (its own retry): 204, nothing booked twice.
    mode = 'hold';
    await wx.fake.pay(order.outTradeNo);
    mode = 'app';
    expect((await post(held[0]!)).status).toBe(204);
    expect(await balance(campaign.fundId)).toBe(8_800 - 53);
    const [entries] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM journal_entries WHERE kind = 'DONATION' AND metadata->>'donationId' = $1`,
      [started.id],
    );
    expect(entries).toEqual({ n: 1 });
  });

  it('200 gifts, each notification delivered 1–5 times, shuffled, 50 at a time: each gift once', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 50 * 1_000);
    const campaign = await createCampaign(t);
    await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { minGiftMinor: 100 }));
    const gifts = [];
    for (let i = 0; i < 200; i++) gifts.push(await start(campaign.slug, 1_000 + i));
    mode = 'hold';
    for (const g of gifts) await wx.fake.pay(outTradeNo(g.id));
    expect(held).toHaveLength(200);
    const deliveries = shuffle(
      held.flatMap((n, i) => Array.from({ length: (i % 5) + 1 }, () => n)),
    );
    expect(deliveries).toHaveLength(600);
    const statuses = new Set<number>();
    await inBatches(deliveries, 50, async (n) => statuses.add((await post(n)).status));
    expect(statuses).toEqual(new Set([204]));

    const raised = gifts.reduce((sum, g) => sum + g.amountMinor, 0);
    const [counts] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
              count(*) FILTER (WHERE matched_minor > 0)::int AS matched,
              coalesce(sum(matched_minor), 0)::int AS matched_total
       FROM donations WHERE campaign_id = $1`,
      [campaign.id],
    );
    // 1:1 matching from a pool holding 50 gifts' worth of ¥10: exactly what the pool held.
    expect(counts.succeeded).toBe(200);
    expect(counts.matched_total).toBe(50_000);
    const [entries] = await t.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT metadata->>'donationId')::int AS gifts FROM journal_entries
       WHERE kind = 'DONATION' AND metadata->>'donationId' = ANY($1::text[])`,
      [gifts.map((g) => g.id)],
    );
    expect(entries).toEqual({ n: 200, gifts: 200 });
    // Each gift's fee (0.6 %, half up) is booked by a job once it settled.
    const fees = await waitUntil(
      async () => {
        const [row] = await t.dataSource.query(
          `SELECT count(fee_minor)::int AS n, coalesce(sum(fee_minor), 0)::int AS total
         FROM donations WHERE campaign_id = $1`,
          [campaign.id],
        );
        return row.n === 200 ? (row.total as number) : null;
      },
      'every fee to be booked',
      { timeoutMs: 180_000 },
    );
    expect(fees).toBe(
      gifts.reduce((sum, g) => sum + Math.floor((g.amountMinor * 60 + 5_000) / 10_000), 0),
    );
    expect(await balance(campaign.fundId)).toBe(raised + 50_000 - fees);
    expect(await balance(pool.id)).toBe(0);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: raised,
      matchedMinor: 50_000,
      gifts: 200,
    });
    const rows: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM payment_events WHERE provider = 'WECHAT_PAY' AND event_id = ANY($1::text[])`,
      [held.map((n) => (JSON.parse(n.body) as { id: string }).id)],
    );
    expect(rows[0]!.n).toBe(200);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  }, 300_000);

  it('two partial refunds through the platform add up; a stale repeat refunds nothing more', async () => {
    const campaign = await createCampaign(t);
    const started = await start(campaign.slug, 10_000);
    await wx.fake.pay(outTradeNo(started.id));
    const donations = t.get(DonationsService);
    // The fee is booked by a job once the gift settled; wait so the balance is stable.
    await waitUntil(async () => ((await gift(started.id)).feeMinor !== null ? true : null), 'fee');
    const before = await balance(campaign.fundId);

    await donations.requestRefund(started.id, 3_000, 0, '捐赠人要求退款');
    await wx.fake.idle();
    expect(await gift(started.id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedMinor: 3_000,
    });
    await donations.requestRefund(started.id, 4_000, 3_000);
    await wx.fake.idle();
    expect(await gift(started.id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedMinor: 7_000,
    });
    expect(await balance(campaign.fundId)).toBe(before - 7_000);
    // The same form sent again (it still shows ¥30 refunded): refused, nothing asked of WeChat Pay.
    await expect(donations.requestRefund(started.id, 4_000, 3_000)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const refunds = [...wx.fake.refunds.values()].filter(
      (r) => r.outTradeNo === outTradeNo(started.id),
    );
    expect(refunds.map((r) => r.amountMinor).sort()).toEqual([3_000, 4_000]);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('a refund notification before the payment’s: waits, then the gift ends right', async () => {
    const campaign = await createCampaign(t);
    const started = await start(campaign.slug, 6_000);
    const tradeNo = outTradeNo(started.id);
    mode = 'hold';
    await wx.fake.pay(tradeNo);
    const payment = held[0]!;
    const order = wx.fake.orders.get(tradeNo)!;
    // The platform's REFUND.SUCCESS for a refund of ¥20 arrives first.
    const refund = wx.fake.notification('REFUND.SUCCESS', {
      mchid: wx.mchid,
      out_trade_no: tradeNo,
      transaction_id: order.transactionId,
      out_refund_no: `early_${tradeNo.slice(0, 20)}`,
      refund_id: '50300000000000000000000001',
      refund_status: 'SUCCESS',
      amount: { total: 6_000, refund: 2_000, payer_total: 6_000, payer_refund: 2_000 },
    });
    expect((await post(refund)).status).toBe(204);
    expect((await gift(started.id)).status).toBe('PENDING');
    expect((await post(payment)).status).toBe(204);
    // The platform sends the refund again (no 2xx was… or the inbox's retry gets there first).
    expect((await post(refund)).status).toBe(204);
    await waitUntil(
      async () => ((await gift(started.id)).refundedMinor === 2_000 ? true : null),
      'the early refund to be booked',
    );
    expect(await gift(started.id)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedMinor: 2_000,
    });
    const fee = await waitUntil(async () => (await gift(started.id)).feeMinor, 'the fee');
    expect(await balance(campaign.fundId)).toBe(6_000 - 2_000 - fee);
  });

  it('reconciliation settles a gift whose notification never arrived, and closes expired orders', async () => {
    const campaign = await createCampaign(t);
    const lost = await start(campaign.slug, 7_700);
    const open = await start(campaign.slug, 1_100);
    mode = 'drop';
    await wx.fake.pay(outTradeNo(lost.id));
    expect((await gift(lost.id)).status).toBe('PENDING');
    const since = new Date(Date.now() - 3_600_000);
    const report = await t.get(ReconciliationService).reconcile(since);
    expect(report.repaired).toContain(lost.id);
    expect(await gift(lost.id)).toMatchObject({ status: 'SUCCEEDED', amountMinor: 7_700 });
    // A second run, and the late notification, book nothing more.
    const again = await t.get(ReconciliationService).reconcile(since);
    expect(again.repaired).not.toContain(lost.id);
    mode = 'app';
    expect((await wx.fake.pay(outTradeNo(lost.id))).status).toBe(204);
    const [entries] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM journal_entries WHERE kind = 'DONATION' AND metadata->>'donationId' = $1`,
      [lost.id],
    );
    expect(entries).toEqual({ n: 1 });

    const later = new Date(Date.now() + 25 * 3_600_000);
    const closing = await t.get(ReconciliationService).reconcile(since, later);
    expect(closing.rails.find((r) => r.provider === 'WECHAT_PAY')!.closed).toContain(open.id);
    expect(wx.fake.orders.get(outTradeNo(open.id))!.state).toBe('CLOSED');
    expect((await gift(open.id)).status).toBe('EXPIRED');
  });

  describe('bad input: 4xx {"code":"FAIL"}, nothing processed, a warning logged', () => {
    let paid: Notification;
    let order: ReturnType<FakeWechatPayServer['fake']['orders']['get']> & object;
    let donationId: string;

    beforeAll(async () => {
      const campaign = await createCampaign(t);
      const started = await start(campaign.slug, 5_000);
      donationId = started.id;
      mode = 'hold';
      await wx.fake.pay(outTradeNo(started.id));
      paid = held[0]!;
      order = wx.fake.orders.get(outTradeNo(started.id))!;
    });

    const signed = (body: string, overrides: Record<string, string> = {}) => ({
      headers: {
        'content-type': 'application/json',
        ...platformSignatureHeaders(
          { serial: wx.platform.serial, privateKey: wx.platform.privateKey },
          body,
        ),
        ...overrides,
      },
      body,
    });

    async function refused(n: Notification, status = 400) {
      const before = await events();
      const res = await post(n);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ code: 'FAIL', message: expect.any(String) });
      const after = await events();
      expect(after.processed).toBe(before.processed);
      expect((await gift(donationId)).status).toBe('PENDING');
      expect(warnings.length).toBeGreaterThan(0);
      return { res, stored: after.n - before.n };
    }

    it('a tampered body', async () => {
      const body = paid.body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESs"');
      expect((await refused({ headers: paid.headers, body })).stored).toBe(0);
    });

    it('a missing or bad signature', async () => {
      const { 'wechatpay-signature': _, ...unsigned } = paid.headers;
      expect((await refused({ headers: unsigned, body: paid.body })).stored).toBe(0);
      const res = await refused({
        headers: {
          ...paid.headers,
          'wechatpay-signature': Buffer.from('x'.repeat(256)).toString('base64'),
        },
        body: paid.body,
      });
      expect(res.stored).toBe(0);
      expect(res.res.body.message).toContain('签名');
    });

    it('a serial we do not hold', async () => {
      const { res, stored } = await refused(
        signed(paid.body, { 'wechatpay-serial': 'PUB_KEY_ID_0000' }),
      );
      expect(stored).toBe(0);
      expect(res.body.message).toContain('Wechatpay-Serial');
    });

    it('a stale timestamp', async () => {
      const body = paid.body;
      const stale = platformSignatureHeaders(
        { serial: wx.platform.serial, privateKey: wx.platform.privateKey },
        body,
        { timestamp: String(Math.floor(Date.now() / 1000) - 600) },
      );
      expect(
        (await refused({ headers: { 'content-type': 'application/json', ...stale }, body })).stored,
      ).toBe(0);
    });

    it('a resource that does not decrypt with our APIv3 key', async () => {
      const envelope = JSON.parse(paid.body) as Record<string, unknown>;
      envelope.id = randomUUID();
      envelope.resource = encryptResource(
        JSON.stringify(wx.fake.transaction(order)),
        'k'.repeat(32),
      );
      expect((await refused(signed(JSON.stringify(envelope)))).stored).toBe(0);
    });

    it('another amount, another currency, an unknown order: kept for FINANCE, never processed', async () => {
      const other = (resource: Record<string, unknown>) =>
        wx.fake.notification('TRANSACTION.SUCCESS', resource);
      const transaction = wx.fake.transaction(order) as Record<string, unknown> & {
        amount: Record<string, unknown>;
      };
      const more = await refused(
        other({ ...transaction, amount: { ...transaction.amount, total: 5_001 } }),
        422,
      );
      expect(more.stored).toBe(1);
      await refused(
        other({ ...transaction, amount: { ...transaction.amount, currency: 'USD' } }),
        422,
      );
      const stranger = randomUUID();
      await refused(
        other({ ...transaction, out_trade_no: outTradeNo(stranger), attach: stranger }),
        422,
      );
      // The real notification still settles it afterwards.
      expect((await post(paid)).status).toBe(204);
      expect((await gift(donationId)).status).toBe('SUCCEEDED');
    });
  });
});
