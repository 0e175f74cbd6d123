import { Logger } from '@nestjs/common';
import { createVerify, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createAlipayAdapter } from '../../src/modules/payments/alipay/alipay.provider';
import { alipaySignContent } from '../../src/modules/payments/alipay/sandbox/fake-alipay';
import {
  createSandboxAlipay,
  SANDBOX_ALIPAY_KEYS_FILE,
} from '../../src/modules/payments/alipay/sandbox/sandbox-alipay';
import { SandboxAlipayService } from '../../src/modules/payments/alipay/sandbox/sandbox-alipay.service';
import type { OrderRequest } from '../../src/modules/payments/payment-provider';
import { formSession } from '../utils/form-session';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';

/**
 * The sandbox's Alipay inside the app: the real adapter on the app's own fake gateway, the keys
 * it keeps in DATA_DIR, the donor's cashier page and its 确认付款, and 404 outside the sandbox.
 */
const PUBLIC_URL = 'http://give.lianxin.test';

describe('sandbox Alipay', () => {
  let app: TestApp;
  let dataDir: string;
  let sandbox: SandboxAlipayService;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-alipay-'));
    await createFileDatabase();
    app = await startConfiguredApp({ dataDir, publicUrl: PUBLIC_URL, stripe: {} });
    await app.app.listen(0, '127.0.0.1');
    sandbox = app.get(SandboxAlipayService);
  });

  afterAll(async () => {
    await app?.close();
    await dropFileDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const order = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
    donationId: randomUUID(),
    amountMinor: 123450,
    currency: 'CNY',
    description: '社区图书角 <script>alert(1)</script>',
    donorEmail: 'li@example.org',
    monthly: false,
    successUrl: `${PUBLIC_URL}/campaigns/library/thanks`,
    cancelUrl: `${PUBLIC_URL}/campaigns/library`,
    locale: 'zh-CN',
    channel: 'phone',
    expiresAt: new Date(Date.now() + 24 * 3600 * 1000),
    ...overrides,
  });

  it('keeps its keys in DATA_DIR, private to the owner, shared by every process', () => {
    const { settings } = sandbox.get();
    const file = path.join(dataDir, SANDBOX_ALIPAY_KEYS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(stored.appPrivateKey).toBe(settings.appPrivateKey);
    // Another process (the CLI) reads the same keys instead of making new ones.
    const again = createSandboxAlipay({
      dataDir,
      publicUrl: PUBLIC_URL,
      serverOrigin: () => 'http://127.0.0.1:1',
      feeRateBp: 60,
    });
    expect(again.settings.appPrivateKey).toBe(settings.appPrivateKey);
    expect(again.settings.alipayPublicKey).toBe(settings.alipayPublicKey);
  });

  it('takes a gift from the phone cashier to the return page, signed like Alipay', async () => {
    const { settings, fake } = sandbox.get();
    const adapter = createAlipayAdapter(settings);
    const checkout = await adapter.createOrder(order());
    if (checkout.display !== 'redirect') throw new Error('expected a redirect');
    // A path on this site: the donor stays on the host they used.
    expect(checkout.url.startsWith('/sandbox/alipay/gateway.do?')).toBe(true);

    const browser = formSession(app.server);
    const opened = await browser.agent.get(checkout.url);
    expect(opened.status).toBe(302);
    expect(opened.headers.location).toBe(`/sandbox/alipay/cashier/${checkout.sessionId}`);
    // The adapter's own calls reach the same gateway over HTTP (server to server, no CSRF).
    const ref = {
      donationId: 'x',
      sessionId: checkout.sessionId,
      amountMinor: 123450,
      currency: 'CNY',
    };
    await expect(adapter.queryOrder(ref)).resolves.toEqual({ state: 'open' });

    const page = await browser.agent.get(opened.headers.location!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('¥1,234.50');
    expect(page.text).toContain('确认付款');
    expect(page.text).toContain('社区图书角 &lt;script&gt;');
    expect(page.text).not.toContain('<script>alert');
    const english = await browser.agent.get(`${opened.headers.location!}?lang=en`);
    expect(english.text).toContain('Confirm payment');

    // Without the CSRF token nothing is paid.
    const forged = await request(app.server).post(
      `/sandbox/alipay/cashier/${checkout.sessionId}/pay`,
    );
    expect(forged.status).toBe(403);
    expect(fake.order(checkout.sessionId)!.status).toBe('WAIT_BUYER_PAY');

    const paid = await browser.post(`/sandbox/alipay/cashier/${checkout.sessionId}/pay`, {});
    expect(paid.status).toBe(303);
    const back = new URL(paid.headers.location!, PUBLIC_URL);
    expect(back.pathname).toBe('/campaigns/library/thanks');
    const fields = Object.fromEntries(back.searchParams);
    expect(fields).toMatchObject({
      out_trade_no: checkout.sessionId,
      total_amount: '1234.50',
      method: 'alipay.trade.wap.pay.return',
      app_id: settings.appId,
    });
    const verified = createVerify('RSA-SHA256')
      .update(alipaySignContent(fields, ['sign', 'sign_type']), 'utf8')
      .verify(settings.alipayPublicKey, fields.sign!, 'base64');
    expect(verified).toBe(true);

    // The notification went to this app's own /webhooks/alipay, signed as Alipay signs it.
    const delivery = fake.deliveries.find((d) => d.outTradeNo === checkout.sessionId)!;
    expect(new URL(delivery.url).pathname).toBe('/webhooks/alipay');
    expect(new URL(delivery.url).hostname).toBe('127.0.0.1');
    const notification = adapter.verifyNotification(Buffer.from(delivery.body), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(adapter.toPaymentEvent(notification)).toMatchObject({
      kind: 'paid',
      paid: { amountMinor: 123450 },
    });
    await expect(adapter.queryOrder(ref)).resolves.toMatchObject({ state: 'paid' });

    // Paying again only returns the donor.
    const again = await browser.post(`/sandbox/alipay/cashier/${checkout.sessionId}/pay`, {});
    expect(again.status).toBe(303);
    expect(fake.deliveries.filter((d) => d.outTradeNo === checkout.sessionId)).toHaveLength(1);
    const done = await browser.agent.get(
      `/sandbox/alipay/cashier/${checkout.sessionId}?lang=zh-CN`,
    );
    expect(done.text).toContain('这笔订单已付款');
    expect(done.text).not.toContain('alipay-cashier-pay');
  });

  it('answers 404 for an order it does not have', async () => {
    const res = await request(app.server).get(`/sandbox/alipay/cashier/${'0'.repeat(32)}`);
    expect(res.status).toBe(404);
  });

  it('answers 404 everywhere when Stripe is the provider', async () => {
    const stripeApp = await startConfiguredApp({
      dataDir,
      publicUrl: PUBLIC_URL,
      stripe: { secretKey: 'sk_test_alipay_sandbox_off', webhookSecret: 'whsec_test' },
    });
    try {
      await stripeApp.app.init();
      const gateway = await request(stripeApp.server).get(
        '/sandbox/alipay/gateway.do?method=alipay.trade.wap.pay',
      );
      expect(gateway.status).toBe(404);
      const posted = await request(stripeApp.server)
        .post('/sandbox/alipay/gateway.do')
        .type('form')
        .send({ method: 'alipay.trade.query' });
      expect(posted.status).toBe(404);
      const cashier = await request(stripeApp.server).get(
        `/sandbox/alipay/cashier/${'0'.repeat(32)}`,
      );
      expect(cashier.status).toBe(404);
    } finally {
      await stripeApp.close();
    }
  });
});
