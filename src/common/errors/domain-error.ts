import { say, translate, type SupportedLocale, type Words } from '../i18n/i18n';
import type { ErrorCode } from './error-codes';

/**
 * Services throw coded domain errors, never HttpExceptions. The JSON filter maps the code to a
 * status through ERROR_HTTP_STATUS. What the error says is Words (a locale key under `errors.`
 * and its values: money, instants, names), shown in the reader's language by `errorText`;
 * `message` is its English text, for logs and English-speaking API clients.
 */
export class DomainError extends Error {
  /** The error's words, or null for a message written as plain (English) text. */
  readonly words: Words | null;

  constructor(
    readonly code: ErrorCode,
    text: Words | string,
    readonly details?: Record<string, unknown>,
  ) {
    super(typeof text === 'string' ? text : say('en', text));
    this.words = typeof text === 'string' ? null : text;
    this.name = new.target.name;
  }
}

/**
 * A domain error as a sentence in the reader's language: its words, or, for an error still
 * written as plain text, the text its code has in the locale files (`admin.domainErrors.<CODE>`)
 * with the original message after it.
 */
export function errorText(error: DomainError, locale: SupportedLocale): string {
  if (error.words) return say(locale, error.words);
  if (locale === 'en') return error.message;
  const key = `admin.domainErrors.${error.code}`;
  const text = translate(locale, key);
  return text === key ? error.message : `${text} (${error.message})`;
}
