import { Injectable } from '@nestjs/common';
import { TransactionService, type TransactionOptions } from '../../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import { PrivacySettingsInvalidError } from '../privacy.errors';
import {
  PERIOD_LIMITS,
  PrivacySettingsRepository,
  type PrivacyPeriods,
  type PrivacySettingsRow,
} from './privacy-settings.repository';

/**
 * How long each kind of personal data is kept, and how many days FINANCE has to complete an
 * erasure (one row). Read by the notices at collection (they state the periods), the retention
 * job and the erasure queue; changed by an ADMIN, audited.
 */
@Injectable()
export class PrivacySettingsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: PrivacySettingsRepository,
    private readonly audit: AuditService,
  ) {}

  get(opts: TransactionOptions = {}): Promise<PrivacySettingsRow> {
    return this.repo.get(opts);
  }

  async save(periods: PrivacyPeriods, actorId: string | null): Promise<PrivacySettingsRow> {
    for (const [field, { min, max }] of Object.entries(PERIOD_LIMITS)) {
      const value = periods[field as keyof PrivacyPeriods];
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        throw new PrivacySettingsInvalidError(field, min, max);
      }
    }
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'privacy:settings');
      const before = await this.repo.get({ within: m });
      await this.repo.save(m, periods, actorId);
      const after = await this.repo.get({ within: m });
      await this.audit.record(m, {
        action: 'privacy.settings_changed',
        entityType: 'privacy_settings',
        entityId: '1',
        before: periodsOf(before),
        after: periodsOf(after),
      });
      return after;
    });
  }
}

function periodsOf(row: PrivacySettingsRow): PrivacyPeriods {
  const { updatedAt: _at, updatedBy: _by, ...periods } = row;
  return periods;
}
