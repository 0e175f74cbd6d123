import type { SupportedLocale } from '../../common/i18n/i18n';

/** A record's name in the reader's language. */
export function localName(locale: SupportedLocale, x: { nameZh: string; nameEn: string }): string {
  return locale === 'en' ? x.nameEn : x.nameZh;
}

/** A page address with its query: empty and missing values left out ("/funds?kind=X&lang=en"). */
export function pageLink(
  path: string,
  params: Record<string, string | number | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}
