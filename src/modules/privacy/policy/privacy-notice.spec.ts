import { NOTICE_KINDS, privacyNotice } from './privacy-notice';
import type { PrivacyPeriods } from './privacy-settings.repository';

const periods: PrivacyPeriods = {
  erasureDueDays: 15,
  sessionDays: 31,
  linkDays: 8,
  paymentPayloadDays: 181,
  emailBodyDays: 91,
  donationIpDays: 29,
  donorContactYears: 6,
};

describe('privacyNotice', () => {
  it.each(
    NOTICE_KINDS.flatMap((kind) => (['zh-CN', 'en'] as const).map((l) => [kind, l] as const)),
  )(
    '%s in %s: what, why and how long, every placeholder filled, a link to the policy',
    (kind, locale) => {
      const view = privacyNotice(kind, periods, locale);
      expect(view.lines).toHaveLength(3);
      for (const line of view.lines) {
        expect(line.text).not.toMatch(/\{\w+\}|privacy\.consent/);
        expect(line.text.length).toBeGreaterThan(5);
      }
      expect(view.title).not.toMatch(/privacy\.consent/);
      expect(view.policyUrl).toBe(`/privacy?lang=${locale}`);
    },
  );

  it.each([
    ['donation', 'en', ['6 years', '29 days', '181 days', '91 days']],
    ['donation', 'zh-CN', ['6 年', '29 天', '181 天', '91 天']],
    ['portalSignIn', 'en', ['8 days', '31 days']],
    ['receiptTax', 'zh-CN', ['6 年']],
  ] as const)('%s in %s states the periods set: %j', (kind, locale, expected) => {
    const howLong = privacyNotice(kind, periods, locale).lines[2]!.text;
    for (const part of expected) expect(howLong).toContain(part);
  });
});
