import { applyDecorators } from '@nestjs/common';
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

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'warn';
}

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
    const given = input[first.property];
    const why = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new ConfigValidationError(
      `Invalid configuration: ${why}; got ${JSON.stringify(String(given))}.` +
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
  checkPaymentProvider(env);
  return env;
}

/**
 * The sandbox checkout takes no money: anyone holding its page can "pay", and the gift is booked,
 * thanked and matched. It runs only embedded (no DATABASE_URL: a demo or a developer's machine) or
 * by an explicit PAYMENTS_SANDBOX=true, and never with NODE_ENV=production. A deployment on
 * PostgreSQL (DATABASE_URL) or in production needs Stripe.
 */
function checkPaymentProvider(env: EnvSchema): void {
  if (env.STRIPE_SECRET_KEY) return;
  const optIn = env.PAYMENTS_SANDBOX === 'true';
  if (env.NODE_ENV === 'production') {
    throw new ConfigValidationError(
      optIn
        ? 'Invalid configuration: PAYMENTS_SANDBOX=true is refused when NODE_ENV=production (the sandbox checkout takes no money); set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.'
        : 'Invalid configuration: STRIPE_SECRET_KEY must be set when NODE_ENV=production (without it gifts would be "paid" on the free sandbox checkout).',
    );
  }
  if (env.DATABASE_URL && !optIn) {
    throw new ConfigValidationError(
      'Invalid configuration: STRIPE_SECRET_KEY must be set with DATABASE_URL (a PostgreSQL deployment), or PAYMENTS_SANDBOX=true to run the free sandbox checkout on purpose (never in production).',
    );
  }
}
