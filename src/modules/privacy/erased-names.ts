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

/** What replaces an erased person's email where a key must stay distinct (a campaign's donors). */
export const erasedSubject = (no: number) => `erased:${no}`;
