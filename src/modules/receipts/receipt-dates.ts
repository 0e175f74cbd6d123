import type { SupportedLocale } from '../../common/i18n/i18n';

/** A date as a person in China reads it on a receipt: 2026年12月3日 / 3 December 2026 (Beijing). */
export function receiptDate(at: Date | string, locale: SupportedLocale): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'long',
  }).format(new Date(at));
}
