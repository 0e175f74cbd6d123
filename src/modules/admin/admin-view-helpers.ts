import type { FieldErrors } from '../../common/http/forms';
import type { SupportedLocale } from '../../common/i18n/i18n';

/*
 * Small helpers every back-office view model uses: a name in the reader's language, a select
 * option, a form's state, a link with query parameters.
 */

/** A select option as the templates print it. */
export interface Option {
  value: string;
  label: string;
  selected: boolean;
}

/** A form shown again: the values as typed and one message per field. */
export interface FormState {
  values: Record<string, unknown>;
  errors: FieldErrors;
}

/** The name in the reader's language (records carry both). */
export function localName(locale: SupportedLocale, zh: string, en: string): string {
  return locale === 'en' ? en : zh;
}

/** A typed form value as text ('' when absent or not text). */
export function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** `path` with the given non-empty parameters as its query string. */
export function query(path: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}
