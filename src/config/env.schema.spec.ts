import { ConfigService } from '@nestjs/config';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppConfig } from './app-config';
import { ConfigValidationError, validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('applies the embedded defaults when nothing is set', () => {
    const env = validateEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATA_DIR).toBe('./data');
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('reads PAYMENT_EVENT_MAX_ATTEMPTS as a number, 20 when unset', () => {
    expect(validateEnv({}).PAYMENT_EVENT_MAX_ATTEMPTS).toBe(20);
    expect(validateEnv({ PAYMENT_EVENT_MAX_ATTEMPTS: '5' }).PAYMENT_EVENT_MAX_ATTEMPTS).toBe(5);
  });

  it('reads PAGE_CACHE_TTL_SECONDS as a number, 10 when unset against PostgreSQL, off embedded', () => {
    const ttl = (env: Record<string, string>) =>
      new AppConfig(new ConfigService(validateEnv(env))).pageCacheTtlSeconds;
    expect(ttl({})).toBe(0);
    expect(ttl({ PAGE_CACHE_TTL_SECONDS: '5' })).toBe(5);
    expect(
      ttl({ DATABASE_URL: 'postgres://lianxin@db:5432/lianxin', PAYMENTS_SANDBOX: 'true' }),
    ).toBe(10);
    expect(validateEnv({ PAGE_CACHE_TTL_SECONDS: '0' }).PAGE_CACHE_TTL_SECONDS).toBe(0);
    expect(() => validateEnv({ PAGE_CACHE_TTL_SECONDS: '-1' })).toThrow(
      /PAGE_CACHE_TTL_SECONDS must be a whole number from 0 to 3600; got "-1"/,
    );
  });

  it('reads SHUTDOWN_TIMEOUT_SECONDS as a number, 25 when unset, and refuses what cannot bound a stop', () => {
    expect(validateEnv({}).SHUTDOWN_TIMEOUT_SECONDS).toBe(25);
    expect(validateEnv({ SHUTDOWN_TIMEOUT_SECONDS: '5' }).SHUTDOWN_TIMEOUT_SECONDS).toBe(5);
    expect(() => validateEnv({ SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(
      /SHUTDOWN_TIMEOUT_SECONDS must be a whole number from 1 to 600; got "0"/,
    );
    expect(() => validateEnv({ SHUTDOWN_TIMEOUT_SECONDS: '2.5' })).toThrow(
      /SHUTDOWN_TIMEOUT_SECONDS must be a whole number/,
    );
  });

  describe('METRICS_TOKEN', () => {
    it('takes a long token', () => {
      expect(validateEnv({ METRICS_TOKEN: 'f'.repeat(48) }).METRICS_TOKEN).toBe('f'.repeat(48));
    });
    it('refuses a short one by name, without repeating it', () => {
      expect(() => validateEnv({ METRICS_TOKEN: 'hunter2' })).toThrow(
        'Invalid configuration: METRICS_TOKEN must be 16 to 200 printable characters without spaces, e.g. the output of openssl rand -hex 24; got 7 characters.',
      );
    });
  });

  it('binds the metrics listener to 127.0.0.1 unless told otherwise', () => {
    expect(validateEnv({}).METRICS_HOST).toBe('127.0.0.1');
    expect(validateEnv({ METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
  });

  it('treats empty variables as unset', () => {
    expect(validateEnv({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  describe('the payment provider', () => {
    const stripe = { STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };
    const pg = { DATABASE_URL: 'postgres://lianxin@db:5432/lianxin' };
    it.each([
      ['embedded, nothing set (the demo)', {}],
      ['embedded in development with the opt-in', { PAYMENTS_SANDBOX: 'true' }],
      ['PostgreSQL with the opt-in (staging, tests)', { ...pg, PAYMENTS_SANDBOX: 'true' }],
      ['production with Stripe', { ...pg, ...stripe, NODE_ENV: 'production' }],
      ['Stripe wins over the opt-in', { ...pg, ...stripe, PAYMENTS_SANDBOX: 'true' }],
    ])('starts: %s', (_name, raw) => {
      expect(() => validateEnv(raw)).not.toThrow();
    });

    it.each([
      [
        { NODE_ENV: 'production' },
        /^Invalid configuration: STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set when NODE_ENV=production/,
      ],
      [
        { NODE_ENV: 'production', ...pg },
        /STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set when NODE_ENV=production/,
      ],
      [
        { NODE_ENV: 'production', PAYMENTS_SANDBOX: 'true' },
        /PAYMENTS_SANDBOX=true is refused when NODE_ENV=production/,
      ],
      [
        pg,
        /STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set with DATABASE_URL .* or PAYMENTS_SANDBOX=true/,
      ],
      [
        { ...pg, PAYMENTS_SANDBOX: 'false' },
        /STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set with DATABASE_URL/,
      ],
      [{ PAYMENTS_SANDBOX: 'yes' }, /PAYMENTS_SANDBOX must be true or false/],
    ])('refuses %j with one line naming the variable', (raw, message) => {
      expect(() => validateEnv(raw)).toThrow(ConfigValidationError);
      expect(() => validateEnv(raw)).toThrow(message);
      expect(() => validateEnv(raw)).toThrow(/^[^\n]+$/);
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number from 0 to 65535; got "eighty"/],
    [{ PORT: '70000' }, /PORT must be a whole number from 0 to 65535/],
    [{ DATABASE_POOL_SIZE: '0' }, /DATABASE_POOL_SIZE must be a whole number from 1 to 200/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\/ URL/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL must be a redis:\/\/ URL/],
    [{ METRICS_PORT: '70000' }, /METRICS_PORT must be a whole number from 1 to 65535; got "70000"/],
    [{ METRICS_PORT: '3000' }, /METRICS_PORT must differ from PORT/],
    [{ METRICS_HOST: 'a host' }, /METRICS_HOST must be the address the metrics listener binds to/],
    [{ STRIPE_SECRET_KEY: 'pk_test_123' }, /STRIPE_SECRET_KEY must be a Stripe secret key/],
    [{ STRIPE_API_BASE: 'not a url' }, /STRIPE_API_BASE must be an http\(s\) URL/],
    [
      { PAYMENT_EVENT_MAX_ATTEMPTS: '0' },
      /PAYMENT_EVENT_MAX_ATTEMPTS must be a whole number from 1 to 1000; got "0"/,
    ],
    [{ PAYMENT_EVENT_MAX_ATTEMPTS: 'many' }, /PAYMENT_EVENT_MAX_ATTEMPTS must be a whole number/],
  ])('rejects %j with one line naming the variable', (raw, message) => {
    expect(() => validateEnv(raw)).toThrow(ConfigValidationError);
    expect(() => validateEnv(raw)).toThrow(message);
  });

  describe('WIDGET_FRAME_ANCESTORS', () => {
    it('is * when unset', () => {
      expect(validateEnv({}).WIDGET_FRAME_ANCESTORS).toBe('*');
    });
    it.each(["'none'", 'https://partner.example.org', "'self' https://*.example.net:8443"])(
      'takes %s',
      (value) => {
        expect(validateEnv({ WIDGET_FRAME_ANCESTORS: value }).WIDGET_FRAME_ANCESTORS).toBe(value);
      },
    );
    it.each(['https://a.example.org; script-src *', 'javascript:alert(1)', 'a.example.org,b.org'])(
      'refuses %s with a message naming the variable',
      (value) => {
        expect(() => validateEnv({ WIDGET_FRAME_ANCESTORS: value })).toThrow(
          /WIDGET_FRAME_ANCESTORS must be/,
        );
      },
    );
  });

  describe('WeChat Pay and Alipay', () => {
    const pem = () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
    };
    const merchant = pem();
    const platform = pem();
    const wechat = {
      WECHATPAY_MCHID: '1900000109',
      WECHATPAY_APPID: 'wxd678efh567hg6787',
      WECHATPAY_MERCHANT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      WECHATPAY_MERCHANT_PRIVATE_KEY: merchant.privateKey,
      WECHATPAY_APIV3_KEY: 'a'.repeat(32),
      WECHATPAY_PLATFORM_PUBLIC_KEY: platform.publicKey,
      WECHATPAY_PLATFORM_SERIAL: 'PUB_KEY_ID_0114232134912410000',
    };
    const alipay = {
      ALIPAY_APP_ID: '2021000000000000',
      ALIPAY_APP_PRIVATE_KEY: merchant.privateKey,
      ALIPAY_PUBLIC_KEY: platform.publicKey,
    };
    const pg = { DATABASE_URL: 'postgres://lianxin@db:5432/lianxin' };
    const config = (env: Record<string, string>) =>
      new AppConfig(new ConfigService(validateEnv(env)));
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-env-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('enables WeChat Pay by its settings alone, in production too, with defaults', () => {
      const c = config({ ...pg, ...wechat, NODE_ENV: 'production' });
      expect(c.paymentsSandbox).toBe(false);
      expect(c.paymentProvider).toBeNull();
      expect(c.alipay).toBeNull();
      expect(c.wechatPay).toMatchObject({
        mchid: '1900000109',
        apiBase: 'https://api.mch.weixin.qq.com',
        feeRateBp: 60,
        merchantPrivateKey: merchant.privateKey,
      });
      expect(c.wechatPay?.jsapi).toBeUndefined();
    });

    it('reads keys from PEM files, and one-line PEM text with \\n escapes', () => {
      const file = path.join(dir, 'alipay-public.pem');
      writeFileSync(file, platform.publicKey);
      const c = config({
        ...pg,
        ...alipay,
        ALIPAY_PUBLIC_KEY: file,
        ALIPAY_APP_PRIVATE_KEY: merchant.privateKey.replace(/\n/g, '\\n'),
        ALIPAY_FEE_RATE_BP: '55',
      });
      expect(c.alipay).toMatchObject({
        appId: '2021000000000000',
        alipayPublicKey: platform.publicKey,
        appPrivateKey: merchant.privateKey,
        gateway: 'https://openapi.alipay.com/gateway.do',
        feeRateBp: 55,
      });
    });

    it('runs every rail against the fakes in sandbox mode, and Stripe stays what it was', () => {
      expect(config({}).paymentsSandbox).toBe(true);
      expect(config({ ...pg, PAYMENTS_SANDBOX: 'true' }).paymentsSandbox).toBe(true);
      expect(config({ ...wechat }).paymentsSandbox).toBe(false);
      const stripe = { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };
      expect(config(stripe).paymentProvider).toBe('STRIPE');
      expect(config({}).paymentProvider).toBe('SANDBOX');
    });

    it.each<[string, Record<string, string>, RegExp]>([
      [
        'MCHID without the key',
        { ...wechat, WECHATPAY_MERCHANT_PRIVATE_KEY: '' },
        /WECHATPAY_MERCHANT_PRIVATE_KEY must be set when WECHATPAY_MCHID is/,
      ],
      [
        'a key without MCHID',
        { WECHATPAY_APIV3_KEY: 'a'.repeat(32) },
        /WECHATPAY_APIV3_KEY is set but WECHATPAY_MCHID is not/,
      ],
      [
        'an APIv3 key that is not 32 bytes',
        { ...wechat, WECHATPAY_APIV3_KEY: 'a'.repeat(31) },
        /WECHATPAY_APIV3_KEY must be exactly 32 bytes/,
      ],
      [
        'a private key that is not PEM',
        { ...wechat, WECHATPAY_MERCHANT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnope' },
        /WECHATPAY_MERCHANT_PRIVATE_KEY does not hold a PEM private key/,
      ],
      [
        'a public key given where a private one belongs',
        { ...alipay, ALIPAY_APP_PRIVATE_KEY: platform.publicKey },
        /ALIPAY_APP_PRIVATE_KEY does not hold a PEM private key/,
      ],
      [
        'a key file that does not exist',
        { ...alipay, ALIPAY_PUBLIC_KEY: '/nonexistent/alipay.pem' },
        /ALIPAY_PUBLIC_KEY must be PEM text .* or the path of a readable PEM file/,
      ],
      [
        'Alipay without its public key',
        { ...alipay, ALIPAY_PUBLIC_KEY: '' },
        /ALIPAY_PUBLIC_KEY must be set when ALIPAY_APP_ID is/,
      ],
      ['a malformed MCHID', { ...wechat, WECHATPAY_MCHID: 'abc' }, /WECHATPAY_MCHID must be/],
      [
        'a fee rate out of range',
        { ...alipay, ALIPAY_FEE_RATE_BP: '5000' },
        /ALIPAY_FEE_RATE_BP must be a whole number from 0 to 1000/,
      ],
      [
        'JSAPI without the official account secret',
        { ...wechat, WECHATPAY_JSAPI_APPID: 'wx8888888888888888' },
        /WECHAT_OA_SECRET must be set when WECHATPAY_JSAPI_APPID is/,
      ],
      [
        'the sandbox opt-in in production, even beside a real rail',
        { ...pg, ...wechat, NODE_ENV: 'production', PAYMENTS_SANDBOX: 'true' },
        /PAYMENTS_SANDBOX=true is refused when NODE_ENV=production/,
      ],
    ])('stops the start on %s, naming the variable in one line', (_what, raw, message) => {
      expect(() => validateEnv(raw)).toThrow(ConfigValidationError);
      expect(() => validateEnv(raw)).toThrow(message);
      expect(() => validateEnv(raw)).toThrow(/^[^\n]+$/);
    });
  });
});
