import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { OrderRequest } from '../../src/modules/payments/payment-provider';
import {
  createSandboxWechatPay,
  SANDBOX_WECHATPAY_KEYS_FILE,
} from '../../src/modules/payments/wechatpay/sandbox/sandbox-wechatpay';
import { SandboxWechatPayService } from '../../src/modules/payments/wechatpay/sandbox/sandbox-wechatpay.service';
import { createWechatPayAdapter } from '../../src/modules/payments/wechatpay/wechatpay.provider';
import { formSession } from '../utils/form-session';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';

/**
 * The sandbox's WeChat Pay inside the app: the real adapter on the app's own fake platform (over
 * HTTP, signed, no CSRF), the keys it keeps in DATA_DIR, the donor's cashier page (escaped, CSRF,
 * both languages), 确认支付 sending the notification to the app's own webhook route, and 404
 * outside the sandbox.
 */
const PUBLIC_URL = 'http://give.lianxin.test';
const FAST_RETRY = { attempts: 2, baseDelayMs: 2, maxDelayMs: 10 };

describe('sandbox WeChat Pay', () => {
  let app: TestApp;
  let dataDir: string;
  let sandbox: SandboxWechatPayService;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-wechatpay-'));
    await createFileDatabase();
    app = await startConfiguredApp({ dataDir, publicUrl: PUBLIC_URL, stripe: {} });
    await app.app.listen(0, '127.0.0.1');
    sandbox = app.get(SandboxWechatPayService);
  });

  afterAll(async () => {
    await app?.close();
    await dropFileDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const order = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
    donationId: randomUUID(),
    amountMinor: 123_450,
    currency: 'CNY',
    description: '社区图书角 <script>alert(1)</script>',
    donorEmail: 'li@example.org',
    monthly: false,
    successUrl: `${PUBLIC_URL}/campaigns/library/thanks?donation=1&lang=zh-CN`,
    cancelUrl: `${PUBLIC_URL}/campaigns/library`,
    locale: 'zh-CN',
    channel: 'desktop',
    expiresAt: new Date(Date.now() + 24 * 3600 * 1000),
    ...overrides,
  });

  it('keeps its keys in DATA_DIR, private to the owner, shared by every process', () => {
    const { keys } = sandbox.get();
    const file = path.join(dataDir, SANDBOX_WECHATPAY_KEYS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(keys);
    const again = createSandboxWechatPay({
      dataDir,
      publicUrl: PUBLIC_URL,
      serverOrigin: () => 'http://127.0.0.1:1',
    });
    expect(again.keys).toEqual(keys);
  });

  it('a QR order: the cashier page pays it and tells this site through /webhooks/wechatpay', async () => {
    const { settings, fake } = sandbox.get();
    const adapter = createWechatPayAdapter(settings, { retry: FAST_RETRY });
    const checkout = await adapter.createOrder(order());
    if (checkout.display !== 'qr') throw new Error('expected a QR code');
    // The adapter's call reached the app's own fake, signed (no CSRF token on it).
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/sandbox/wechatpay/v3/pay/transactions/native',
      status: 200,
    });
    const token = fake.orders.get(checkout.sessionId)!.token;
    expect(checkout.qrContent).toBe(`${PUBLIC_URL}/sandbox/wechatpay/pay/${token}`);
    const ref = {
      donationId: 'x',
      sessionId: checkout.sessionId,
      amountMinor: 123_450,
      currency: 'CNY',
    };
    await expect(adapter.queryOrder(ref)).resolves.toEqual({ state: 'open' });

    const browser = formSession(app.server);
    const pagePath = new URL(checkout.qrContent).pathname;
    const page = await browser.agent.get(`${pagePath}?lang=zh-CN`);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('¥1,234.50');
    expect(page.text).toContain('确认支付');
    expect(page.text).toContain('取消');
    expect(page.text).toContain('社区图书角 &lt;script&gt;');
    expect(page.text).not.toContain('<script>alert');
    const english = await browser.agent.get(`${pagePath}?lang=en`);
    expect(english.text).toContain('Confirm payment');

    // Without the CSRF token nothing is paid.
    const forged = await request(app.server).post(`${pagePath}/confirm`);
    expect(forged.status).toBe(403);
    expect(fake.orders.get(checkout.sessionId)!.state).toBe('NOTPAY');

    // 取消 changes nothing: the order stays payable.
    const cancelled = await browser.post(`${pagePath}/cancel`, {});
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.location).toBe(`${pagePath}?cancelled=1`);
    expect(fake.orders.get(checkout.sessionId)!.state).toBe('NOTPAY');

    const paid = await browser.post(`${pagePath}/confirm`, {});
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe(pagePath);
    expect(fake.orders.get(checkout.sessionId)!.state).toBe('SUCCESS');
    await expect(adapter.queryOrder(ref)).resolves.toMatchObject({ state: 'paid' });
    // The fake delivered to this app's own route (a gift it does not know: refused, so the page
    // offers to tell it again; the e2e tests settle real gifts this way).
    const done = await browser.agent.get(`${pagePath}?lang=zh-CN`);
    expect(done.text).toContain('支付成功');
    expect(done.text).toContain('电脑上的二维码页面会自动跳转');
    expect(done.text).not.toContain('id="wxpay-confirm"');
  });

  it('an H5 order goes back to the merchant’s redirect_url after paying', async () => {
    const { settings, fake } = sandbox.get();
    const adapter = createWechatPayAdapter(settings, { retry: FAST_RETRY });
    const request_ = order({ channel: 'phone', clientIp: '203.0.113.9' });
    const checkout = await adapter.createOrder(request_);
    if (checkout.display !== 'redirect') throw new Error('expected a redirect');
    const url = new URL(checkout.url);
    expect(url.searchParams.get('redirect_url')).toBe(request_.successUrl);
    const browser = formSession(app.server);
    const page = await browser.agent.get(`${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    const action = /action="([^"]*\/confirm[^"]*)"/
      .exec(page.text)![1]!
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    const cancel = await browser.post(action.replace('/confirm', '/cancel'), {});
    expect(cancel.headers.location).toBe('/campaigns/library/thanks?donation=1&lang=zh-CN');
    await browser.post(action, {});
    expect(fake.orders.get(checkout.sessionId)!.state).toBe('SUCCESS');
  });

  it('answers 404 for an order it does not have, and refuses unsigned API calls', async () => {
    const res = await request(app.server).get(`/sandbox/wechatpay/pay/wx${'0'.repeat(32)}`);
    expect(res.status).toBe(404);
    const unsigned = await request(app.server)
      .post('/sandbox/wechatpay/v3/pay/transactions/native')
      .send({ mchid: '1' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body).toMatchObject({ code: 'SIGN_ERROR' });
  });

  it('answers 404 everywhere outside sandbox mode', async () => {
    const stripeApp = await startConfiguredApp({
      dataDir,
      publicUrl: PUBLIC_URL,
      stripe: { secretKey: 'sk_test_wechatpay_sandbox_off', webhookSecret: 'whsec_test' },
      paymentsSandbox: false,
    });
    try {
      await stripeApp.app.init();
      const api = await request(stripeApp.server).post(
        '/sandbox/wechatpay/v3/pay/transactions/native',
      );
      expect(api.status).toBe(404);
      const page = await request(stripeApp.server).get(
        `/sandbox/wechatpay/pay/wx${'0'.repeat(32)}`,
      );
      expect(page.status).toBe(404);
    } finally {
      await stripeApp.close();
    }
  });
});
