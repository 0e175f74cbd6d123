/**
 * Links in emails carry the recipient's language (`?lang=`), so a donor who reads Chinese lands
 * on a Chinese page whatever their browser says, and the page remembers it (lx_lang). Pure.
 */
import type { SupportedLocale } from '../../common/i18n/i18n';

/** `url` with `lang=<locale>` added when it points into this site and names no language yet. */
export function withLanguage(url: string, locale: SupportedLocale, publicUrl: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  if (url !== base && !url.startsWith(`${base}/`) && !url.startsWith(`${base}?`)) return url;
  const hash = url.indexOf('#');
  const path = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? '' : url.slice(hash);
  if (/[?&]lang=/.test(path)) return url;
  return `${path}${path.includes('?') ? '&' : '?'}lang=${encodeURIComponent(locale)}${fragment}`;
}

/** Every link among an email's values (`url`, `portalUrl`, …) with the recipient's language. */
export function linksWithLanguage(
  data: Readonly<Record<string, unknown>>,
  locale: SupportedLocale,
  publicUrl: string,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([name, value]) => [
      name,
      typeof value === 'string' && /(^u|U)rl$/.test(name)
        ? withLanguage(value, locale, publicUrl)
        : value,
    ]),
  );
}
