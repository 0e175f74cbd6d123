import {
  applyDecorators,
  type ArgumentMetadata,
  BadRequestException,
  ParseUUIDPipe,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min, NotEquals, ValidateBy } from 'class-validator';
import { dateProblemKey, parseStrictDate } from '../dates/strict-date';
import { problemsOf } from '../i18n/validation-text';
import { words } from '../i18n/i18n';
import { MAX_AMOUNT_MINOR } from '../money';

/**
 * A 400 for failed checks: `message` holds the DTOs' English messages, `problems` the checks
 * themselves, which the error filter shows in the reader's language (validation-text.ts).
 */
export function validationFailed(errors: ValidationError[]): BadRequestException {
  const problems = problemsOf(errors);
  return new BadRequestException({
    code: 'VALIDATION_FAILED',
    message: problems.map((p) => p.message),
    problems,
  });
}

/**
 * class-validator's @IsOptional lets null through, and a PATCH with `"nameZh": null` would then
 * reach a NOT NULL column. No Lianxin body field takes null: leaving a field out is how a client
 * says "unchanged", so nulls are refused before validation.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const withNul = nulPath(value, metadata.data ?? metadata.type);
    if (withNul) {
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: [`${withNul} must not contain the NUL character`],
        words: words('validation.nul', { field: withNul }),
      });
    }
    if (
      metadata.type === 'body' &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      // The CSRF field belongs to the CSRF guard, not to the form's DTO.
      const { _csrf: _token, ...fields } = value as Record<string, unknown>;
      value = fields;
      const nulls = Object.entries(fields)
        .filter(([, v]) => v === null)
        .map(([k]) => k);
      if (nulls.length > 0) {
        throw new BadRequestException({
          code: 'VALIDATION_FAILED',
          message: nulls.map(
            (k) => `${k} must not be null; leave it out to keep the current value`,
          ),
          words: words('validation.notNull', { field: nulls.join(', ') }),
        });
      }
    }
    return super.transform(value, metadata);
  }
}

/** The first place in a request value holding a NUL character (PostgreSQL text cannot store it). */
function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 8 || value === null || typeof value !== 'object') return null;
  // Raw bytes (an upload buffered by UploadParser) are not text: never walk them byte by byte.
  if (ArrayBuffer.isView(value)) return null;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const found = nulPath(inner, key, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Whitelisting validation; failures answer 400 VALIDATION_FAILED with one message per problem. */
export function buildValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: validationFailed,
  });
}

export const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () =>
    new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: 'id must be a UUID such as 3f1c…-…',
      words: words('validation.uuid', { field: 'id' }),
    }),
});

/**
 * An amount in minor units (fen): a whole number, positive unless `signed`, never zero, at most
 * MAX_AMOUNT_MINOR. Strings, fractions and floats are refused, never rounded.
 */
export function IsAmountMinor(
  opts: { signed?: boolean; description?: string; optional?: boolean } = {},
): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      // Optional amounts also carry @IsOptional(); the OpenAPI document must say so too.
      required: !opts.optional,
      type: 'integer',
      description: opts.description ?? 'Amount in minor units (fen for CNY): 2500 means ¥25.00',
      minimum: opts.signed ? -MAX_AMOUNT_MINOR : 1,
      maximum: MAX_AMOUNT_MINOR,
      example: 2500,
    }),
    IsInt({ message: 'validation.amountMinor.isInt' }),
    Min(opts.signed ? -MAX_AMOUNT_MINOR : 1, {
      message: opts.signed ? 'validation.amountMinor.minSigned' : 'validation.amountMinor.min',
    }),
    Max(MAX_AMOUNT_MINOR, { message: 'validation.amountMinor.max' }),
    NotEquals(0, { message: 'validation.amountMinor.notEquals' }),
  );
}

/** Trims strings; leaves other values for the validators to reject. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Trims strings, and an optional text left empty ("" or only spaces) becomes absent: with
 * @IsOptional its checks are skipped, as if the field had not been sent.
 */
export const TrimOrAbsent = () =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  });

/** Query-string integers ("50") become numbers; anything else is left for @IsInt to reject. */
export const QueryInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value,
  );

/** No markup in what the public writes (names, messages): it is shown on pages and in emails. */
export const NoMarkup = () => Matches(/^[^<>]*$/, { message: 'validation.noMarkup' });

/**
 * A date or date-time read by the one strict parser (common/dates/strict-date.ts): ISO 8601, a
 * real calendar date, years 2000–2100; a date without an offset is Beijing time. The value
 * becomes a Date; anything else (true, 12345, 2026-02-30) is refused with the reason in words.
 */
export const IsStrictDate = (): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => {
      const parsed = parseStrictDate(value);
      return parsed.ok ? parsed.date : value;
    }),
    ValidateBy({
      name: 'isStrictDate',
      validator: {
        validate: (value: unknown) => value instanceof Date && parseStrictDate(value).ok,
        defaultMessage: (args) => {
          const parsed = parseStrictDate(args?.value);
          return dateProblemKey(parsed.ok ? 'format' : parsed.problem);
        },
      },
    }),
  );
