import { applyDecorators } from '@nestjs/common';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { pemText } from './pem';
import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

/**
 * Every environment variable the app reads, with what it expects. `validateEnv` runs before
 * anything else starts; a wrong value stops the app with one line naming the variable.
 */
/** A whole-number setting in a range, with one message whichever check fails. */
function WholeNumber(name: string, min: number, max: number): PropertyDecorator {
  const message = `${name} must be a whole number from ${min} to ${max}`;
  return applyDecorators(IsInt({ message }), Min(min, { message }), Max(max, { message }));
}

/** One frame-ancestors source: a scheme, or an http(s) host (a leading *. allowed) with a port. */
const FRAME_SOURCE = String.raw`(?:https?:|https?:\/\/(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?|'self')`;
const WIDGET_FRAME_ANCESTORS = new RegExp(
  String.raw`^(?:\*|'none'|${FRAME_SOURCE}(?: +${FRAME_SOURCE})*)$`,
);

const PORT_MESSAGE = 'PORT must be a whole number from 0 to 65535';
const POOL_MESSAGE = 'DATABASE_POOL_SIZE must be a whole number from 1 to 200';

export class EnvSchema {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsInt({ message: PORT_MESSAGE })
  @Min(0, { message: PORT_MESSAGE })
  @Max(65535, { message: PORT_MESSAGE })
  PORT = 3000;

  @IsOptional()
  @IsString()
  HOST = '0.0.0.0';

  @IsString()
  DATA_DIR = './data';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/lianxin',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, {
    message: 'REDIS_URL must be a redis:// URL, e.g. redis://127.0.0.1:6379',
  })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^(sk|rk)_(test|live)_\w+$/, {
    message: 'STRIPE_SECRET_KEY must be a Stripe secret key starting with sk_test_ or sk_live_',
  })
  STRIPE_SECRET_KEY?: string;

  @IsOptional()
  @Matches(/^whsec_\w+$/, {
    message: 'STRIPE_WEBHOOK_SECRET must be a webhook signing secret starting with whsec_',
  })
  STRIPE_WEBHOOK_SECRET?: string;

  /**
   * "true" runs the free sandbox checkout on purpose with DATABASE_URL set (a staging or test
   * deployment). Refused when NODE_ENV=production; unneeded in embedded mode, where it is the default.
   */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'PAYMENTS_SANDBOX must be true or false' })
  PAYMENTS_SANDBOX?: 'true' | 'false';

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'STRIPE_API_BASE must be an http(s) URL, e.g. http://127.0.0.1:12111' },
  )
  STRIPE_API_BASE?: string;

  /** WeChat Pay (API v3): the merchant id; setting it enables the rail (docs/payments.md). */
  @IsOptional()
  @Matches(/^\d{6,32}$/, {
    message: 'WECHATPAY_MCHID must be the merchant id (digits), e.g. 1900000109',
  })
  WECHATPAY_MCHID?: string;

  @IsOptional()
  @Matches(/^wx[0-9a-zA-Z]{6,30}$/, {
    message: 'WECHATPAY_APPID must be the app id bound to the merchant, e.g. wxd678efh567hg6787',
  })
  WECHATPAY_APPID?: string;

  @IsOptional()
  @Matches(/^[0-9A-Fa-f]{8,64}$/, {
    message: 'WECHATPAY_MERCHANT_SERIAL must be the merchant certificate serial number (hex)',
  })
  WECHATPAY_MERCHANT_SERIAL?: string;

  /** PEM text, or the path of a PEM file. */
  @IsOptional()
  @IsString()
  WECHATPAY_MERCHANT_PRIVATE_KEY?: string;

  /** The APIv3 key: exactly 32 bytes (checked in checkRails). */
  @IsOptional()
  @IsString()
  WECHATPAY_APIV3_KEY?: string;

  /** The platform public key (or certificate), PEM text or a path. */
  @IsOptional()
  @IsString()
  WECHATPAY_PLATFORM_PUBLIC_KEY?: string;

  @IsOptional()
  @Matches(/^[0-9A-Za-z_]{8,64}$/, {
    message:
      'WECHATPAY_PLATFORM_SERIAL must be the serial of the platform key or certificate (letters, digits, _)',
  })
  WECHATPAY_PLATFORM_SERIAL?: string;

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'WECHATPAY_API_BASE must be an http(s) URL, e.g. https://api.mch.weixin.qq.com' },
  )
  WECHATPAY_API_BASE?: string;

  /** The official account's app id, for JSAPI inside WeChat (with WECHAT_OA_SECRET). */
  @IsOptional()
  @Matches(/^wx[0-9a-zA-Z]{6,30}$/, {
    message: 'WECHATPAY_JSAPI_APPID must be an official account app id, e.g. wx8888888888888888',
  })
  WECHATPAY_JSAPI_APPID?: string;

  @IsOptional()
  @Matches(/^\S{8,128}$/, { message: 'WECHAT_OA_SECRET must be the official account AppSecret' })
  WECHAT_OA_SECRET?: string;

  /** Where the donor's WeChat sign-in code is exchanged for the openid (tests: a local server). */
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'WECHAT_OAUTH_API_BASE must be an http(s) URL, e.g. https://api.weixin.qq.com' },
  )
  WECHAT_OAUTH_API_BASE?: string;

  /** WeChat Pay's fee in basis points of the amount (60 = 0.6 %). */
  @IsOptional()
  @WholeNumber('WECHATPAY_FEE_RATE_BP', 0, 1_000)
  WECHATPAY_FEE_RATE_BP?: number;

  /** Alipay: the app id; setting it enables the rail (docs/payments.md). */
  @IsOptional()
  @Matches(/^\d{8,32}$/, {
    message: 'ALIPAY_APP_ID must be the Alipay app id (digits), e.g. 2021000000000000',
  })
  ALIPAY_APP_ID?: string;

  /** The app's private key (RSA2), PEM text or a path. */
  @IsOptional()
  @IsString()
  ALIPAY_APP_PRIVATE_KEY?: string;

  /** Alipay's public key (verifies notifications and responses), PEM text or a path. */
  @IsOptional()
  @IsString()
  ALIPAY_PUBLIC_KEY?: string;

  @IsOptional()
  @Matches(/^\d{16}$/, { message: 'ALIPAY_SELLER_ID must be the 16-digit partner id (2088…)' })
  ALIPAY_SELLER_ID?: string;

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    {
      message: 'ALIPAY_GATEWAY must be an http(s) URL, e.g. https://openapi.alipay.com/gateway.do',
    },
  )
  ALIPAY_GATEWAY?: string;

  /** Alipay's fee in basis points of the amount (60 = 0.6 %). */
  @IsOptional()
  @WholeNumber('ALIPAY_FEE_RATE_BP', 0, 1_000)
  ALIPAY_FEE_RATE_BP?: number;

  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, {
    message:
      'SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.org:587',
  })
  SMTP_URL?: string;

  /** Sender of every email, e.g. "Lianxin <no-reply@give.example.org>". */
  @IsOptional()
  @Matches(/^[^\r\n]*\S@\S[^\r\n]*$/, {
    message: 'MAIL_FROM must be an email address, e.g. Lianxin <no-reply@give.example.org>',
  })
  MAIL_FROM = 'Lianxin <no-reply@lianxin.localhost>';

  /** Redis key prefix of the BullMQ queues (separates deployments or test runs sharing a Redis). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, {
    message: 'QUEUE_PREFIX must be 1 to 40 letters, digits, _ or -',
  })
  QUEUE_PREFIX = 'lianxin';

  /** Whether the web process also runs the queue processors; "false" when `start:worker` runs them. */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'QUEUE_PROCESSORS must be true or false' })
  QUEUE_PROCESSORS: 'true' | 'false' = 'true';

  @WholeNumber('OUTBOX_POLL_MS', 50, 60_000)
  OUTBOX_POLL_MS = 1000;

  @WholeNumber('OUTBOX_MAX_ATTEMPTS', 1, 50)
  OUTBOX_MAX_ATTEMPTS = 8;

  /** Delay before the first retry of a failed side effect; it doubles with each attempt. */
  @WholeNumber('OUTBOX_BACKOFF_MS', 1, 3_600_000)
  OUTBOX_BACKOFF_MS = 30_000;

  /**
   * Failed attempts after which a payment event stops being retried and becomes a dead letter
   * for FINANCE (retries back off from 1–5 s to an hour; 20 attempts span about ten hours).
   */
  @WholeNumber('PAYMENT_EVENT_MAX_ATTEMPTS', 1, 1_000)
  PAYMENT_EVENT_MAX_ATTEMPTS = 20;

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    {
      message: 'PUBLIC_URL must be the http(s) address people open, e.g. https://give.example.org',
    },
  )
  PUBLIC_URL?: string;

  /**
   * Which sites may show the campaign widget (/campaigns/{slug}/widget) in a frame: CSP
   * frame-ancestors sources separated by spaces, e.g. `https://partner.example.org
   * https://*.example.net`; `*` (any site, the default) or `'none'`. Every other page refuses
   * to be framed.
   */
  @IsOptional()
  @Matches(WIDGET_FRAME_ANCESTORS, {
    message:
      "WIDGET_FRAME_ANCESTORS must be * or 'none' or sources separated by spaces, e.g. https://partner.example.org https://*.example.net",
  })
  WIDGET_FRAME_ANCESTORS = '*';

  @IsInt({ message: POOL_MESSAGE })
  @Min(1, { message: POOL_MESSAGE })
  @Max(200, { message: POOL_MESSAGE })
  DATABASE_POOL_SIZE = 10;

  /**
   * Which reverse proxies may set X-Forwarded-For: unset (trust none: the client's address is the
   * TCP peer), a hop count such as 1, or a comma-separated list of proxy addresses/CIDRs.
   */
  @IsOptional()
  @Matches(/^(\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message:
      'TRUST_PROXY must be a hop count such as 1 or proxy addresses such as 127.0.0.1,10.0.0.0/8',
  })
  TRUST_PROXY?: string;

  /** Gifts that may be started per IP address and per email address in 10 minutes (card testing). */
  @WholeNumber('DONATION_LIMIT_PER_IP', 1, 1_000_000)
  DONATION_LIMIT_PER_IP = 30;

  @WholeNumber('DONATION_LIMIT_PER_EMAIL', 1, 1_000_000)
  DONATION_LIMIT_PER_EMAIL = 10;

  @WholeNumber('SESSION_IDLE_MINUTES', 5, 10_080)
  SESSION_IDLE_MINUTES = 480;

  @WholeNumber('SESSION_MAX_DAYS', 1, 90)
  SESSION_MAX_DAYS = 7;

  @WholeNumber('LOGIN_MAX_FAILURES', 1, 100)
  LOGIN_MAX_FAILURES = 5;

  @WholeNumber('LOGIN_LOCK_MINUTES', 1, 1_440)
  LOGIN_LOCK_MINUTES = 15;

  /** Sign-in attempts per IP address per 15 minutes, whatever the account. */
  @WholeNumber('LOGIN_IP_LIMIT', 1, 100_000)
  LOGIN_IP_LIMIT = 50;

  /**
   * How long a public page stays in this process's page cache at most (changes announced by the
   * database drop it sooner; docs/operations.md). 0 turns the cache off. Unset: 10 s against
   * PostgreSQL, off in embedded mode (PGlite's socket delivers no change notices, and the one
   * person trying the demo should see a gift on the page at once).
   */
  @IsOptional()
  @WholeNumber('PAGE_CACHE_TTL_SECONDS', 0, 3_600)
  PAGE_CACHE_TTL_SECONDS?: number;

  /**
   * How long a process may take to stop after SIGTERM or SIGINT: requests in progress and jobs
   * running get this long to finish; then it exits anyway, logging what it abandoned.
   */
  @WholeNumber('SHUTDOWN_TIMEOUT_SECONDS', 1, 600)
  SHUTDOWN_TIMEOUT_SECONDS = 25;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'warn';

  /**
   * The bearer token a scrape of /metrics must send (docs/operations.md, "Metrics"). Without it
   * and without METRICS_PORT, /metrics is not served in production.
   */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,200}$/, {
    message:
      'METRICS_TOKEN must be 16 to 200 printable characters without spaces, e.g. the output of openssl rand -hex 24',
  })
  METRICS_TOKEN?: string;

  /** Serve /metrics on this port of METRICS_HOST only, not on the main port. */
  @IsOptional()
  @WholeNumber('METRICS_PORT', 1, 65_535)
  METRICS_PORT?: number;

  @IsOptional()
  @Matches(/^[\w.:-]{1,253}$/, {
    message:
      'METRICS_HOST must be the address the metrics listener binds to, e.g. 127.0.0.1 or 10.0.0.5',
  })
  METRICS_HOST = '127.0.0.1';
}

/** Variables whose value is never repeated in an error message. */
const SECRET_KEYS = new Set(['METRICS_TOKEN']);

const INTEGER_KEYS = new Set([
  'PORT',
  'DATABASE_POOL_SIZE',
  'SESSION_IDLE_MINUTES',
  'SESSION_MAX_DAYS',
  'LOGIN_MAX_FAILURES',
  'LOGIN_LOCK_MINUTES',
  'LOGIN_IP_LIMIT',
  'DONATION_LIMIT_PER_IP',
  'DONATION_LIMIT_PER_EMAIL',
  'OUTBOX_POLL_MS',
  'OUTBOX_MAX_ATTEMPTS',
  'OUTBOX_BACKOFF_MS',
  'PAYMENT_EVENT_MAX_ATTEMPTS',
  'PAGE_CACHE_TTL_SECONDS',
  'SHUTDOWN_TIMEOUT_SECONDS',
  'WECHATPAY_FEE_RATE_BP',
  'ALIPAY_FEE_RATE_BP',
  'METRICS_PORT',
]);

export class ConfigValidationError extends Error {}

export function validateEnv(raw: Record<string, unknown>): EnvSchema {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === '' || value === undefined) continue; // an empty variable means "unset"
    input[key] =
      INTEGER_KEYS.has(key) && typeof value === 'string' && /^-?\d+$/.test(value)
        ? Number(value)
        : value;
  }
  const env = plainToInstance(EnvSchema, input, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    const given = String(input[first.property]);
    const why = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    const shown = SECRET_KEYS.has(first.property)
      ? `${given.length} characters`
      : JSON.stringify(given);
    throw new ConfigValidationError(
      `Invalid configuration: ${why}; got ${shown}.` +
        (errors.length > 1
          ? ` (${errors.length - 1} more: ${errors
              .slice(1)
              .map((e) => e.property)
              .join(', ')})`
          : ''),
    );
  }
  if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
    // Without it no Stripe event could be verified: every gift would stay pending.
    throw new ConfigValidationError(
      'Invalid configuration: STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is (the whsec_… signing secret of the /webhooks/stripe endpoint).',
    );
  }
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
    throw new ConfigValidationError(
      `Invalid configuration: METRICS_PORT must differ from PORT (both ${env.PORT}): it is the internal listener that serves only /metrics.`,
    );
  }
  checkRails(env);
  checkPaymentProvider(env);
  return env;
}

/** The settings a rail needs once its enabling variable is set: all or none. */
const RAIL_REQUIRED = {
  WECHATPAY_MCHID: [
    'WECHATPAY_APPID',
    'WECHATPAY_MERCHANT_SERIAL',
    'WECHATPAY_MERCHANT_PRIVATE_KEY',
    'WECHATPAY_APIV3_KEY',
    'WECHATPAY_PLATFORM_PUBLIC_KEY',
    'WECHATPAY_PLATFORM_SERIAL',
  ],
  ALIPAY_APP_ID: ['ALIPAY_APP_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY'],
} as const satisfies Record<string, readonly (keyof EnvSchema)[]>;

/** Whether a real (money-moving) rail is configured. */
export function hasRealRail(env: EnvSchema): boolean {
  return Boolean(env.STRIPE_SECRET_KEY || env.WECHATPAY_MCHID || env.ALIPAY_APP_ID);
}

/**
 * WeChat Pay and Alipay: enabled by WECHATPAY_MCHID / ALIPAY_APP_ID, and then every setting they
 * need must be there and usable: keys that parse as PEM (text or a readable file), an APIv3 key of
 * exactly 32 bytes. One line naming the first variable that is wrong.
 */
function checkRails(env: EnvSchema): void {
  for (const [enabler, required] of Object.entries(RAIL_REQUIRED)) {
    const on = Boolean(env[enabler as keyof typeof RAIL_REQUIRED]);
    for (const name of required) {
      if (on && !env[name]) {
        throw new ConfigValidationError(
          `Invalid configuration: ${name} must be set when ${enabler} is (see docs/payments.md).`,
        );
      }
    }
    if (!on) {
      const stray = required.find((name) => env[name]);
      if (stray) {
        throw new ConfigValidationError(
          `Invalid configuration: ${stray} is set but ${enabler} is not; set ${enabler} to enable the rail, or unset ${stray}.`,
        );
      }
    }
  }
  if (env.WECHATPAY_MCHID) {
    pemKey('WECHATPAY_MERCHANT_PRIVATE_KEY', env.WECHATPAY_MERCHANT_PRIVATE_KEY!, 'private');
    pemKey('WECHATPAY_PLATFORM_PUBLIC_KEY', env.WECHATPAY_PLATFORM_PUBLIC_KEY!, 'public');
    if (Buffer.byteLength(env.WECHATPAY_APIV3_KEY!, 'utf8') !== 32) {
      throw new ConfigValidationError(
        `Invalid configuration: WECHATPAY_APIV3_KEY must be exactly 32 bytes (the APIv3 key set in the merchant platform); got ${Buffer.byteLength(env.WECHATPAY_APIV3_KEY!, 'utf8')}.`,
      );
    }
  }
  if (env.ALIPAY_APP_ID) {
    pemKey('ALIPAY_APP_PRIVATE_KEY', env.ALIPAY_APP_PRIVATE_KEY!, 'private');
    pemKey('ALIPAY_PUBLIC_KEY', env.ALIPAY_PUBLIC_KEY!, 'public');
  }
  if (env.WECHATPAY_JSAPI_APPID && !env.WECHAT_OA_SECRET) {
    throw new ConfigValidationError(
      "Invalid configuration: WECHAT_OA_SECRET must be set when WECHATPAY_JSAPI_APPID is (the official account AppSecret, for the donor's openid).",
    );
  }
}

/** Checks that a key setting holds (or names a file holding) a key of that kind. */
function pemKey(name: string, value: string, kind: 'private' | 'public'): void {
  let text: string;
  try {
    text = pemText(value);
  } catch {
    throw new ConfigValidationError(
      `Invalid configuration: ${name} must be PEM text (-----BEGIN …) or the path of a readable PEM file; cannot read ${JSON.stringify(value)}.`,
    );
  }
  try {
    if (kind === 'private') createPrivateKey(text);
    else createPublicKey(text);
  } catch {
    throw new ConfigValidationError(
      `Invalid configuration: ${name} does not hold a PEM ${kind} key${kind === 'public' ? ' or certificate' : ''}.`,
    );
  }
}

/**
 * The sandbox checkout takes no money: anyone holding its page can "pay", and the gift is booked,
 * thanked and matched. It runs only embedded (no DATABASE_URL: a demo or a developer's machine) or
 * by an explicit PAYMENTS_SANDBOX=true, and never with NODE_ENV=production. A deployment on
 * PostgreSQL (DATABASE_URL) or in production needs Stripe.
 */
function checkPaymentProvider(env: EnvSchema): void {
  const optIn = env.PAYMENTS_SANDBOX === 'true';
  if (env.NODE_ENV === 'production' && optIn) {
    throw new ConfigValidationError(
      'Invalid configuration: PAYMENTS_SANDBOX=true is refused when NODE_ENV=production (the sandbox checkout takes no money); configure a real rail (STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID).',
    );
  }
  if (hasRealRail(env)) return;
  if (env.NODE_ENV === 'production') {
    throw new ConfigValidationError(
      'Invalid configuration: STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set when NODE_ENV=production (at least one real payment rail; without one gifts would be "paid" on the free sandbox checkout).',
    );
  }
  if (env.DATABASE_URL && !optIn) {
    throw new ConfigValidationError(
      'Invalid configuration: STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set with DATABASE_URL (a PostgreSQL deployment: at least one real payment rail), or PAYMENTS_SANDBOX=true to run the free sandbox checkout on purpose (never in production).',
    );
  }
}
