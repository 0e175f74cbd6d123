import type { SupportedLocale } from '../../common/i18n/i18n';

/** Made once per language: a formatter costs far more to build than to use. */
const formats = new Map<SupportedLocale, Intl.DateTimeFormat>();

/** A date as a person in China reads it on a receipt: 2026年12月3日 / 3 December 2026 (Beijing). */
export function receiptDate(at: Date | string, locale: SupportedLocale): string {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: 'Asia/Shanghai',
      dateStyle: 'long',
    });
    formats.set(locale, format);
  }
  return format.format(new Date(at));
}
