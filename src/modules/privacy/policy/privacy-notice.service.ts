import { Injectable } from '@nestjs/common';
import type { SupportedLocale } from '../../../common/i18n/i18n';
import { privacyNotice, type NoticeKind, type PrivacyNoticeView } from './privacy-notice';
import { PrivacySettingsService } from './privacy-settings.service';

/** The notices at collection, with the retention periods as the foundation last set them. */
@Injectable()
export class PrivacyNoticeService {
  constructor(private readonly settings: PrivacySettingsService) {}

  async notice(kind: NoticeKind, locale: SupportedLocale): Promise<PrivacyNoticeView> {
    return privacyNotice(kind, await this.settings.get(), locale);
  }

  /** Several notices from one read of the settings (the donation form shows two). */
  async notices<K extends NoticeKind>(
    kinds: readonly K[],
    locale: SupportedLocale,
  ): Promise<Record<K, PrivacyNoticeView>> {
    const periods = await this.settings.get();
    return Object.fromEntries(kinds.map((k) => [k, privacyNotice(k, periods, locale)])) as Record<
      K,
      PrivacyNoticeView
    >;
  }
}
