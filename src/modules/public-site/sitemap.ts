import { SUPPORTED_LOCALES } from '../../common/i18n/i18n';

/**
 * sitemap.xml and robots.txt as text. Pure: the paths come in, absolute addresses go out, each
 * page once per language with both languages as `xhtml:link rel="alternate"`.
 */

const xml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** A public path in one language: `/funds` → `https://give.example.org/funds?lang=en`. */
export function localizedUrl(baseUrl: string, path: string, locale: string): string {
  const url = new URL(path, baseUrl);
  url.searchParams.set('lang', locale);
  return url.toString();
}

export function sitemapXml(baseUrl: string, paths: readonly string[]): string {
  const entries = paths.flatMap((path) =>
    SUPPORTED_LOCALES.map((locale) => {
      const alternates = SUPPORTED_LOCALES.map(
        (alt) =>
          `    <xhtml:link rel="alternate" hreflang="${alt}" href="${xml(localizedUrl(baseUrl, path, alt))}"/>`,
      );
      return [
        '  <url>',
        `    <loc>${xml(localizedUrl(baseUrl, path, locale))}</loc>`,
        ...alternates,
        '  </url>',
      ].join('\n');
    }),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ...entries,
    '</urlset>',
    '',
  ].join('\n');
}

/** Paths search engines are asked to leave alone: the back office, the donor portal, machinery. */
export const PRIVATE_PATHS = ['/admin', '/donor', '/api', '/webhooks', '/sandbox', '/dev'];

export function robotsTxt(baseUrl: string): string {
  return [
    'User-agent: *',
    'Allow: /',
    ...PRIVATE_PATHS.map((path) => `Disallow: ${path}`),
    '',
    `Sitemap: ${new URL('/sitemap.xml', baseUrl).toString()}`,
    '',
  ].join('\n');
}
