import { Global, Module } from '@nestjs/common';
import { ConsentRepository } from './consent.repository';
import { ConsentService } from './consent.service';
import { PrivacyNoticeService } from './privacy-notice.service';
import { PrivacyPolicyRepository } from './privacy-policy.repository';
import { PrivacyPolicyService } from './privacy-policy.service';
import { PrivacySettingsRepository } from './privacy-settings.repository';
import { PrivacySettingsService } from './privacy-settings.service';

/**
 * What every collecting module needs (global, depends on nothing but the database and audit):
 * the privacy settings, the published policy, and consent records. The privacy module proper
 * (erasure, access, retention) depends on the domain modules instead, so the two are apart.
 */
@Global()
@Module({
  providers: [
    PrivacySettingsRepository,
    PrivacySettingsService,
    PrivacyPolicyRepository,
    PrivacyPolicyService,
    ConsentRepository,
    ConsentService,
    PrivacyNoticeService,
  ],
  exports: [PrivacySettingsService, PrivacyPolicyService, ConsentService, PrivacyNoticeService],
})
export class PrivacyPolicyModule {}
