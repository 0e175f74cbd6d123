import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beijingDateTime } from '../dates/beijing-time';
import { formatMoney, type Money } from '../money/money';
import { templatesDir } from '../paths';

export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

type Messages = Record<string, string>;

let catalog: Record<SupportedLocale, Messages> | undefined;

function flatten(obj: Record<string, unknown>, prefix = ''): Messages {
  const out: Messages = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = String(v);
  }
  return out;
}

/** Strings live in templates/locales/{zh-CN,en}.json, loaded once. */
export function messages(locale: SupportedLocale): Messages {
  catalog ??= Object.fromEntries(
    SUPPORTED_LOCALES.map((l) => [
      l,
      flatten(
        JSON.parse(
          readFileSync(path.join(templatesDir(), 'locales', `${l}.json`), 'utf8'),
        ) as Record<string, unknown>,
      ),
    ]),
  ) as Record<SupportedLocale, Messages>;
  return catalog[locale];
}

const pluralRules = new Map<SupportedLocale, Intl.PluralRules>();

/**
 * The key a count picks: `key_one`, `key_other`… (Intl.PluralRules' categories) when the locale
 * files hold one for `vars.count`, else `key`. "1 donor" / "2 donors" in English, "1 位捐赠人"
 * (Chinese has only `other`) come from one call: `translate(locale, 'campaign.donorCount', { count })`.
 */
export function pluralKey(locale: SupportedLocale, key: string, count: unknown): string {
  if (typeof count !== 'number' || !Number.isFinite(count)) return key;
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  for (const candidate of [`${key}_${rules.select(count)}`, `${key}_other`]) {
    if (messages(locale)[candidate] !== undefined) return candidate;
  }
  return key;
}

/**
 * Words to be shown later, in whichever language the reader turns out to read: a locale key and
 * its values. Domain errors, statuses and ledger lines carry Words, never finished sentences;
 * `translate` (or `say`) turns them into text at the edge (a page, an email, an API answer).
 */
export interface Words {
  readonly key: string;
  readonly vars?: Readonly<Record<string, unknown>>;
}

export function words(key: string, vars?: Record<string, unknown>): Words {
  return vars ? { key, vars } : { key };
}

export function isWords(value: unknown): value is Words {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { key?: unknown }).key === 'string' &&
    Object.keys(value).every((k) => k === 'key' || k === 'vars')
  );
}

function isMoney(value: unknown): value is Money {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Money).amountMinor === 'number' &&
    typeof (value as Money).currency === 'string'
  );
}

/**
 * A placeholder's value as the reader reads it: money ({ amountMinor, currency }) as ¥1,234.50,
 * an instant in Beijing time with the zone named, nested Words translated, a list item by item,
 * numbers grouped.
 */
export function showValue(locale: SupportedLocale, value: unknown): string {
  if (isMoney(value)) return formatMoney(value.amountMinor, value.currency, locale);
  if (value instanceof Date) return beijingDateTime(value, locale);
  if (isWords(value)) return say(locale, value);
  if (Array.isArray(value)) {
    return value.map((v) => showValue(locale, v)).join(locale === 'en' ? ', ' : '、');
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) >= 10_000) {
    return new Intl.NumberFormat(locale).format(value);
  }
  return String(value);
}

/**
 * Looks up a string; {name} placeholders are filled from `vars` (showValue: money, instants and
 * nested Words read as words); a numeric `vars.count` picks the plural form (pluralKey). Falls
 * back to English, then the key.
 */
export function translate(
  locale: SupportedLocale,
  key: string,
  vars: Readonly<Record<string, unknown>> = {},
): string {
  const chosen = 'count' in vars ? pluralKey(locale, key, vars.count) : key;
  const text = messages(locale)[chosen] ?? messages('en')[chosen] ?? messages('en')[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) =>
    name in vars ? showValue(locale, vars[name]) : `{${name}}`,
  );
}

/** Words as text in the reader's language. */
export function say(locale: SupportedLocale, w: Words): string {
  return translate(locale, w.key, w.vars);
}

/** Whether both languages hold a text for `key` (or its plural forms). */
export function hasText(key: string): boolean {
  return SUPPORTED_LOCALES.every(
    (l) => messages(l)[key] !== undefined || messages(l)[`${key}_other`] !== undefined,
  );
}

export function isSupportedLocale(value: unknown): value is SupportedLocale {
  return value === 'en' || value === 'zh-CN';
}

/**
 * ?lang= wins, then the language the visitor chose before (the `lx_lang` cookie the language
 * switch sets), then the Accept-Language header, then the foundation's default.
 */
export function pickLocale(
  query: unknown,
  acceptLanguage: string | undefined,
  fallback: SupportedLocale,
  remembered?: unknown,
): SupportedLocale {
  if (isSupportedLocale(query)) return query;
  if (isSupportedLocale(remembered)) return remembered;
  if (acceptLanguage) {
    for (const part of acceptLanguage.split(',')) {
      const tag = part.split(';')[0]!.trim().toLowerCase();
      if (tag.startsWith('zh')) return 'zh-CN';
      if (tag.startsWith('en')) return 'en';
    }
  }
  return fallback;
}
