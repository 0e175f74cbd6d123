import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { SupportedLocale } from '../i18n/i18n';
import { problemsOf, problemText } from '../i18n/validation-text';
import { validationFailed } from './validation';

export type FieldErrors = Record<string, string>;

/**
 * Validates a submitted HTML form against a DTO class and returns either the typed value or one
 * message per field in the reader's language (validation-text.ts), for the page to show beside
 * each field (no 400 page for a typo).
 */
export function checkForm<T extends object>(
  type: new () => T,
  body: unknown,
  locale: SupportedLocale,
): { value: T; errors: null } | { value: null; errors: FieldErrors } {
  const { value, problems } = validated(type, body);
  if (problems.length === 0) return { value, errors: null };
  const errors: FieldErrors = {};
  for (const p of problemsOf(problems)) {
    const field = p.field.split('.')[0]!;
    errors[field] ??= problemText(p, locale, 'page');
  }
  return { value: null, errors };
}

/**
 * Validates a query string (a list's filters, an export's range) against a DTO class: the typed
 * value, or a 400 whose problems the error filter shows in the reader's language.
 */
export function checkQuery<T extends object>(type: new () => T, query: unknown): T {
  const { value, problems } = validated(type, query);
  if (problems.length > 0) throw validationFailed(problems);
  return value;
}

function validated<T extends object>(type: new () => T, body: unknown) {
  const raw = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {};
  delete raw._csrf;
  // Empty inputs mean "not given".
  for (const [k, v] of Object.entries(raw)) if (v === '') delete raw[k];
  const value = plainToInstance(type, raw, { exposeDefaultValues: true });
  const problems = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: false,
    stopAtFirstError: true,
  });
  return { value, problems };
}
