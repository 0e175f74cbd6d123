import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { SupportedLocale } from '../../../common/i18n/i18n';
import { col, defineTable, type RowOf } from '../../../database/table-map';
import type { ConsentPurpose } from './consent-purpose';

/** What a person agreed to, when, under which policy version. */
export const CONSENT_RECORDS = defineTable('consent_records', {
  id: col.uuid('id'),
  subject: col.text('subject'),
  purpose: col.text<ConsentPurpose>('purpose'),
  policyVersion: col.int('policy_version'),
  locale: col.text<SupportedLocale>('locale'),
  donationId: col.uuid.nullable('donation_id'),
  createdAt: col.timestamptz('created_at'),
});

export type ConsentRecordRow = RowOf<typeof CONSENT_RECORDS>;

/** The only place that queries consent_records. */
@Injectable()
export class ConsentRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    m: EntityManager,
    r: Pick<ConsentRecordRow, 'subject' | 'purpose' | 'policyVersion' | 'locale' | 'donationId'>,
  ): Promise<void> {
    await m.query(
      // clock_timestamp(), not the transaction's now(): consents given together keep their order.
      `INSERT INTO consent_records (subject, purpose, policy_version, locale, donation_id, created_at)
       VALUES ($1, $2, $3, $4, $5, clock_timestamp())`,
      [r.subject, r.purpose, r.policyVersion, r.locale, r.donationId],
    );
  }

  async forSubject(subject: string, m?: EntityManager): Promise<ConsentRecordRow[]> {
    const rows: Record<string, unknown>[] = await (m ?? this.dataSource.manager).query(
      `SELECT ${CONSENT_RECORDS.select()} FROM consent_records
        WHERE subject = $1 ORDER BY created_at, id`,
      [subject],
    );
    return rows.map((r) => CONSENT_RECORDS.map(r));
  }

  async replaceSubject(m: EntityManager, from: string, to: string): Promise<number> {
    const [, count] = await m.query<[unknown[], number]>(
      `UPDATE consent_records SET subject = $2 WHERE subject = $1`,
      [from, to],
    );
    return count;
  }
}
