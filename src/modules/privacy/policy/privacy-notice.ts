import { translate, type SupportedLocale } from '../../../common/i18n/i18n';
import type { PrivacyPeriods } from './privacy-settings.repository';

/** The four places personal data is collected, each with its own notice. */
export const NOTICE_KINDS = ['donation', 'portalSignIn', 'receiptTax', 'evaluation'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface PrivacyNoticeView {
  kind: NoticeKind;
  title: string;
  /** What is collected, why, and for how long: one labelled line each. */
  lines: { label: string; text: string }[];
  policyUrl: string;
  policyLink: string;
}

/** The periods each notice states, from the foundation's settings. */
function periodVars(kind: NoticeKind, p: PrivacyPeriods): Record<string, number> {
  switch (kind) {
    case 'donation':
      return {
        years: p.donorContactYears,
        paymentDays: p.paymentPayloadDays,
        emailDays: p.emailBodyDays,
        ipDays: p.donationIpDays,
      };
    case 'portalSignIn':
      return { linkDays: p.linkDays, sessionDays: p.sessionDays };
    case 'receiptTax':
      return { years: p.donorContactYears };
    case 'evaluation':
      return {};
  }
}

/**
 * The notice at a point of collection, in the reader's language: what is collected, why, and how
 * long it is kept (the periods the foundation set), with a link to the full policy. Pure.
 */
export function privacyNotice(
  kind: NoticeKind,
  periods: PrivacyPeriods,
  locale: SupportedLocale,
): PrivacyNoticeView {
  const key = `privacy.consent.notice.${kind}`;
  const vars = periodVars(kind, periods);
  return {
    kind,
    title: translate(locale, `${key}.title`),
    lines: (['what', 'why', 'howLong'] as const).map((part) => ({
      label: translate(locale, `privacy.consent.notice.${part}`),
      text: translate(locale, `${key}.${part}`, vars),
    })),
    policyUrl: `/privacy?lang=${locale}`,
    policyLink: translate(locale, 'privacy.consent.notice.policyLink'),
  };
}
