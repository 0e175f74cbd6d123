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

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    {
      message: 'PUBLIC_URL must be the http(s) address people open, e.g. https://give.example.org',
    },
  )
  PUBLIC_URL?: string;

  @IsInt({ message: POOL_MESSAGE })
  @Min(1, { message: POOL_MESSAGE })
  @Max(200, { message: POOL_MESSAGE })
  DATABASE_POOL_SIZE = 10;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'warn';
}

const INTEGER_KEYS = new Set(['PORT', 'DATABASE_POOL_SIZE']);

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
  return env;
}
