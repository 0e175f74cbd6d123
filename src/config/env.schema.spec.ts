import { ConfigService } from '@nestjs/config';
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
        /^Invalid configuration: STRIPE_SECRET_KEY must be set when NODE_ENV=production/,
      ],
      [{ NODE_ENV: 'production', ...pg }, /STRIPE_SECRET_KEY must be set when NODE_ENV=production/],
      [
        { NODE_ENV: 'production', PAYMENTS_SANDBOX: 'true' },
        /PAYMENTS_SANDBOX=true is refused when NODE_ENV=production/,
      ],
      [pg, /STRIPE_SECRET_KEY must be set with DATABASE_URL .* or PAYMENTS_SANDBOX=true/],
      [{ ...pg, PAYMENTS_SANDBOX: 'false' }, /STRIPE_SECRET_KEY must be set with DATABASE_URL/],
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
});
