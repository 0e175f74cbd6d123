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

/** Looks up a string; {name} placeholders are filled from `vars`. Falls back to English, then the key. */
export function translate(
  locale: SupportedLocale,
  key: string,
  vars: Record<string, unknown> = {},
): string {
  const text = messages(locale)[key] ?? messages('en')[key] ?? key;
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
