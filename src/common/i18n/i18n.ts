import { readFileSync } from 'node:fs';
import path from 'node:path';
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
 * Looks up a string; {name} placeholders are filled from `vars`; a numeric `vars.count` picks the
 * plural form (pluralKey). Falls back to English, then the key.
 */
export function translate(
  locale: SupportedLocale,
  key: string,
  vars: Record<string, unknown> = {},
): string {
  const chosen = 'count' in vars ? pluralKey(locale, key, vars.count) : key;
  const text = messages(locale)[chosen] ?? messages('en')[chosen] ?? messages('en')[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) =>
    name in vars ? String(vars[name]) : `{${name}}`,
  );
}

/** ?lang= wins, then the Accept-Language header, then the foundation's default. */
export function pickLocale(
  query: unknown,
  acceptLanguage: string | undefined,
  fallback: SupportedLocale,
): SupportedLocale {
  if (query === 'en' || query === 'zh-CN') return query;
  if (acceptLanguage) {
    for (const part of acceptLanguage.split(',')) {
      const tag = part.split(';')[0]!.trim().toLowerCase();
      if (tag.startsWith('zh')) return 'zh-CN';
      if (tag.startsWith('en')) return 'en';
    }
  }
  return fallback;
}
