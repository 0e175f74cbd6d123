import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FakeOrder } from './fake-wechatpay';
import {
  createSandboxWechatPay,
  readOrCreateSandboxKeys,
  SANDBOX_WECHATPAY_KEYS_FILE,
} from './sandbox-wechatpay';
import { returnTarget, wechatPayPageView } from './wechatpay-pay-page';

const PUBLIC_URL = 'https://give.example.org';

function order(overrides: Partial<FakeOrder> = {}): FakeOrder {
  return {
    outTradeNo: '0f8e2c1a9b7d4e6f8a0b1c2d3e4f5a6b',
    token: `wx${'a'.repeat(32)}`,
    tradeType: 'NATIVE',
    appid: 'wx1',
    description: '社区花园',
    notifyUrl: `${PUBLIC_URL}/webhooks/wechatpay`,
    totalMinor: 123_450,
    currency: 'CNY',
    timeExpire: new Date('2026-12-05T00:00:00Z'),
    fingerprint: 'x',
    state: 'NOTPAY',
    refundedMinor: 0,
    ...overrides,
  };
}

describe('the sandbox cashier page', () => {
  const base = `/sandbox/wechatpay/pay/wx${'a'.repeat(32)}`;

  it('an open Native order: pay or cancel, nowhere to go back to', () => {
    const view = wechatPayPageView(order(), { payee: '连心基金会', publicUrl: PUBLIC_URL });
    expect(view).toEqual({
      state: 'open',
      cancelled: false,
      undelivered: false,
      h5: false,
      payee: '连心基金会',
      description: '社区花园',
      amountMinor: 123_450,
      currency: 'CNY',
      outTradeNo: '0f8e2c1a9b7d4e6f8a0b1c2d3e4f5a6b',
      confirmAction: `${base}/confirm`,
      cancelAction: `${base}/cancel`,
      continueUrl: null,
    });
  });

  it('an H5 order carries its redirect_url through the forms and back to this site as a path', () => {
    const redirectUrl = `${PUBLIC_URL}/campaigns/garden/thanks?donation=1&lang=zh-CN`;
    const view = wechatPayPageView(order({ tradeType: 'MWEB', state: 'SUCCESS' }), {
      payee: 'p',
      publicUrl: PUBLIC_URL,
      redirectUrl,
      delivery: { notificationId: 'n', status: 204, attempts: 1 },
    });
    expect(view.confirmAction).toBe(
      `${base}/confirm?redirect_url=${encodeURIComponent(redirectUrl)}`,
    );
    expect(view).toMatchObject({
      state: 'paid',
      h5: true,
      undelivered: false,
      continueUrl: '/campaigns/garden/thanks?donation=1&lang=zh-CN',
    });
  });

  it('a payment the site has not accepted offers to tell it again; a closed order cannot be paid', () => {
    const paid = wechatPayPageView(order({ state: 'SUCCESS' }), {
      payee: 'p',
      publicUrl: PUBLIC_URL,
      delivery: { notificationId: 'n', status: 500, attempts: 3 },
    });
    expect(paid).toMatchObject({ state: 'paid', undelivered: true });
    for (const state of ['CLOSED', 'PAYERROR'] as const) {
      expect(wechatPayPageView(order({ state }), { payee: 'p', publicUrl: PUBLIC_URL }).state).toBe(
        'closed',
      );
    }
    expect(
      wechatPayPageView(order(), { payee: 'p', publicUrl: PUBLIC_URL, cancelled: true }).cancelled,
    ).toBe(true);
  });

  it.each([
    ['javascript:alert(1)', '/'],
    ['https://elsewhere.example/x', 'https://elsewhere.example/x'],
    [`${PUBLIC_URL}/a?b=c`, '/a?b=c'],
    ['', null],
    [undefined, null],
    [['a'], null],
  ])('returns the donor from %p to %p', (given, expected) => {
    expect(returnTarget(given, PUBLIC_URL)).toBe(expected);
  });
});

describe('the sandbox keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wxkeys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are made once, kept 0600, and shared by every reader of the folder', () => {
    const first = readOrCreateSandboxKeys(dir);
    const file = path.join(dir, SANDBOX_WECHATPAY_KEYS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readOrCreateSandboxKeys(dir)).toEqual(first);
    expect(first.apiV3Key).toHaveLength(32);
    const sandbox = createSandboxWechatPay({
      dataDir: dir,
      publicUrl: `${PUBLIC_URL}/`,
      serverOrigin: () => 'http://127.0.0.1:4321',
    });
    expect(sandbox.settings).toMatchObject({
      mchid: first.mchid,
      serial: first.merchantSerial,
      publicUrl: PUBLIC_URL,
      platformPublicKeys: { [first.platformSerial]: first.platformPublicKey },
    });
    expect((sandbox.settings.apiBase as () => string)()).toBe(
      'http://127.0.0.1:4321/sandbox/wechatpay',
    );
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
  });

  it('refuse a file that is not theirs', () => {
    writeFileSync(path.join(dir, SANDBOX_WECHATPAY_KEYS_FILE), '{"mchid":"1"}');
    expect(() => readOrCreateSandboxKeys(dir)).toThrow(/delete it/);
  });
});
