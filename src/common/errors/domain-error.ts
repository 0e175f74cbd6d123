import { say, type SupportedLocale, type Words } from '../i18n/i18n';
import type { ErrorCode } from './error-codes';

/**
 * Services throw coded domain errors, never HttpExceptions. The JSON filter maps the code to a
 * status through ERROR_HTTP_STATUS. What the error says is Words (a locale key under `errors.`
 * and its values: money, instants, names), shown in the reader's language by `errorText`;
 * `message` is its English text, for logs.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly words: Words,
    readonly details?: Record<string, unknown>,
  ) {
    super(say('en', words));
    this.name = new.target.name;
  }
}

/** A domain error as a sentence in the reader's language. */
export function errorText(error: DomainError, locale: SupportedLocale): string {
  return say(locale, error.words);
}
