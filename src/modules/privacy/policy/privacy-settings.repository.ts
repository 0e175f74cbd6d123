import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable, type RowOf } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';

/** The one row of privacy settings: the erasure deadline and each retention period. */
export const PRIVACY_SETTINGS = defineTable('privacy_settings', {
  erasureDueDays: col.int('erasure_due_days'),
  sessionDays: col.int('session_days'),
  linkDays: col.int('link_days'),
  paymentPayloadDays: col.int('payment_payload_days'),
  emailBodyDays: col.int('email_body_days'),
  donationIpDays: col.int('donation_ip_days'),
  donorContactYears: col.int('donor_contact_years'),
  updatedAt: col.timestamptz('updated_at'),
  updatedBy: col.uuid.nullable('updated_by'),
});

export type PrivacySettingsRow = RowOf<typeof PRIVACY_SETTINGS>;

/** The periods a foundation sets (the rest of the row is who changed it, and when). */
export type PrivacyPeriods = Omit<PrivacySettingsRow, 'updatedAt' | 'updatedBy'>;

/** The only place that queries privacy_settings. */
@Injectable()
export class PrivacySettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(opts: TransactionOptions = {}): Promise<PrivacySettingsRow> {
    const m = opts.within ?? this.dataSource.manager;
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${PRIVACY_SETTINGS.select()} FROM privacy_settings WHERE id = 1`,
    );
    return PRIVACY_SETTINGS.map(rows[0]!);
  }

  async save(m: EntityManager, periods: PrivacyPeriods, actorId: string | null): Promise<void> {
    const fields = Object.keys(PERIOD_LIMITS) as (keyof PrivacyPeriods)[];
    const sets = fields.map((f, i) => `${PRIVACY_SETTINGS.column(f)} = $${i + 1}`).join(', ');
    await m.query(
      `UPDATE privacy_settings SET ${sets}, updated_by = $${fields.length + 1}, updated_at = now()
        WHERE id = 1`,
      [...fields.map((f) => periods[f]), actorId],
    );
  }
}

/** Each period's bounds: the table's CHECKs, repeated for the form's messages. */
export const PERIOD_LIMITS: Record<keyof PrivacyPeriods, { min: number; max: number }> = {
  erasureDueDays: { min: 1, max: 60 },
  sessionDays: { min: 1, max: 3650 },
  linkDays: { min: 1, max: 3650 },
  paymentPayloadDays: { min: 30, max: 3650 },
  emailBodyDays: { min: 1, max: 3650 },
  donationIpDays: { min: 1, max: 3650 },
  donorContactYears: { min: 1, max: 30 },
};
