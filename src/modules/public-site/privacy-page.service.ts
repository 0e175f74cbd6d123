import { Injectable } from '@nestjs/common';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { CampaignsService } from '../campaigns/campaigns.service';
import { PrivacyPolicyService } from '../privacy/policy/privacy-policy.service';
import type { PrivacyPeriods } from '../privacy/policy/privacy-settings.repository';
import { PrivacySettingsService } from '../privacy/policy/privacy-settings.service';

/** The periods in the order the page lists them: donors' data first, the erasure deadline last. */
const PERIOD_ORDER: (keyof PrivacyPeriods)[] = [
  'donorContactYears',
  'donationIpDays',
  'paymentPayloadDays',
  'emailBodyDays',
  'linkDays',
  'sessionDays',
  'erasureDueDays',
];

/**
 * The public privacy page: the policy in force (staff-written, rendered through the campaigns'
 * sanitising Markdown subset), its version and publication date in Beijing time, and the
 * retention periods as the foundation set them.
 */
@Injectable()
export class PrivacyPageService {
  constructor(
    private readonly policies: PrivacyPolicyService,
    private readonly settings: PrivacySettingsService,
    private readonly campaigns: CampaignsService,
  ) {}

  async page(locale: SupportedLocale) {
    const [policy, settings] = await Promise.all([this.policies.current(), this.settings.get()]);
    return {
      title: translate(locale, 'privacy.policy.title'),
      version: policy.version,
      publishedAt: beijingDateTime(policy.publishedAt, locale),
      // Sanitised here (campaign-markdown.ts): safe to insert as HTML.
      bodyHtml: this.campaigns.renderMarkdown(locale === 'en' ? policy.bodyEn : policy.bodyZh),
      periods: PERIOD_ORDER.map((field) => ({
        field,
        label: translate(locale, `privacy.settings.field.${field}`),
        value: settings[field],
      })),
    };
  }
}
