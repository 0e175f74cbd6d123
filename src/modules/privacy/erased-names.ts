import { translate, type SupportedLocale } from '../../common/i18n/i18n';

/**
 * What an erased person is called: "已删除的捐赠人 #n" / "Erased donor #n" (staff: "已删除的工作人员
 * #n"). `n` is their `erased_people.no`. Columns that must hold a name (donations.donor_name)
 * store the zh-CN form, the foundation's language; pages show the reader's, from the number.
 * Pure.
 */
export function erasedDonorName(no: number, locale: SupportedLocale): string {
  return translate(locale, 'privacy.erasedDonor', { no: String(no) });
}

export function erasedStaffName(no: number, locale: SupportedLocale): string {
  return translate(locale, 'privacy.erasedStaff', { no: String(no) });
}

/** The stored form (zh-CN) of an erased donor's name. */
export const storedErasedDonorName = (no: number) => erasedDonorName(no, 'zh-CN');

/**
 * A gift's donor name as the reader sees it: an erased donor's stored pseudonym (zh-CN) in the
 * reader's language ("Erased donor #12"), any other name as it is.
 */
export function shownDonorName(name: string, locale: SupportedLocale): string {
  const [before = '', after = ''] = storedErasedDonorName(0).split('0');
  if (name.length <= before.length + after.length) return name;
  if (!name.startsWith(before) || !name.endsWith(after)) return name;
  const no = name.slice(before.length, name.length - after.length);
  return /^[1-9]\d{0,9}$/.test(no) ? erasedDonorName(Number(no), locale) : name;
}

/** What replaces an erased person's email where a key must stay distinct (a campaign's donors). */
export const erasedSubject = (no: number) => `erased:${no}`;
