import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows } from '../../database/query-result';
import { col, defineTable } from '../../database/table-map';
import type { TransactionOptions } from '../../database/transaction.service';
import type { SupportedLocale } from '../../common/i18n/i18n';
import type { OutboxStatus } from '../../queue/outbox-status';
import type { ReceiptKind, ReceiptSeries, VoidReason } from './receipt-number';
import type {
  Receipt,
  ReceiptContent,
  ReceiptDelivery,
  ReceiptPreference,
  ReceiptSettings,
} from './receipts.types';

export const RECEIPTS = defineTable('receipts', {
  id: col.uuid('id'),
  number: col.text('number'),
  series: col.text<ReceiptSeries>('series'),
  year: col.int('year'),
  seq: col.int('seq'),
  kind: col.text<ReceiptKind>('kind'),
  issueKey: col.text('issue_key'),
  donationId: col.uuid.nullable('donation_id'),
  replacesId: col.uuid.nullable('replaces_id'),
  donorEmail: col.text('donor_email'),
  amountMinor: col.bigint('amount_minor'),
  currency: col.char('currency'),
  locale: col.text<SupportedLocale>('locale'),
  verifyCode: col.text('verify_code'),
  content: col.jsonb('content'),
  issuedAt: col.timestamptz('issued_at'),
  voidedAt: col.timestamptz.nullable('voided_at'),
  voidReason: col.text.nullable<VoidReason>('void_reason'),
  voidNote: col.text('void_note'),
  voidedBy: col.uuid.nullable('voided_by'),
  officialNumber: col.text.nullable('official_number'),
  officialUrl: col.text.nullable('official_url'),
  officialIssuedAt: col.timestamptz.nullable('official_issued_at'),
  donorErasedNo: col.int.nullable('donor_erased_no'),
});

const COLUMNS = RECEIPTS.select('r');
const toReceipt = (row: Record<string, unknown>): Receipt => {
  const mapped = RECEIPTS.map(row);
  return { ...mapped, content: mapped.content as unknown as ReceiptContent };
};

export type NewReceipt = Pick<
  Receipt,
  | 'series'
  | 'year'
  | 'number'
  | 'seq'
  | 'kind'
  | 'issueKey'
  | 'donationId'
  | 'replacesId'
  | 'donorEmail'
  | 'amountMinor'
  | 'currency'
  | 'locale'
  | 'verifyCode'
  | 'content'
>;

/** The only place that queries the receipts tables. */
@Injectable()
export class ReceiptsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(opts: TransactionOptions): EntityManager {
    return opts.within ?? this.dataSource.manager;
  }

  /**
   * The next number of a year's series, taken in the caller's transaction: the counter row stays
   * locked until it commits, so numbers are gapless (a rollback returns the number) and unique.
   */
  async nextSeq(m: EntityManager, series: ReceiptSeries, year: number): Promise<number> {
    const rows: { last_seq: number }[] = await m.query(
      `INSERT INTO receipt_counters (series, year, last_seq) VALUES ($1, $2, 1)
       ON CONFLICT (series, year) DO UPDATE SET last_seq = receipt_counters.last_seq + 1
       RETURNING last_seq`,
      [series, year],
    );
    return rows[0]!.last_seq;
  }

  async insert(m: EntityManager, r: NewReceipt): Promise<Receipt> {
    const rows = await m.query(
      `INSERT INTO receipts AS r (number, series, year, seq, kind, issue_key, donation_id, replaces_id,
         donor_email, amount_minor, currency, locale, verify_code, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       RETURNING ${COLUMNS}`,
      [
        r.number,
        r.series,
        r.year,
        r.seq,
        r.kind,
        r.issueKey,
        r.donationId,
        r.replacesId,
        r.donorEmail,
        r.amountMinor,
        r.currency,
        r.locale,
        r.verifyCode,
        JSON.stringify(r.content),
      ],
    );
    return toReceipt(rows[0]);
  }

  async find(id: string, opts: TransactionOptions = {}): Promise<Receipt | null> {
    const rows = await this.m(opts).query(`SELECT ${COLUMNS} FROM receipts r WHERE r.id = $1`, [
      id,
    ]);
    return rows[0] ? toReceipt(rows[0]) : null;
  }

  async findByIssueKey(m: EntityManager, issueKey: string): Promise<Receipt | null> {
    const rows = await m.query(`SELECT ${COLUMNS} FROM receipts r WHERE r.issue_key = $1`, [
      issueKey,
    ]);
    return rows[0] ? toReceipt(rows[0]) : null;
  }

  async findByNumber(number: string): Promise<Receipt | null> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM receipts r WHERE r.number = $1`,
      [number],
    );
    return rows[0] ? toReceipt(rows[0]) : null;
  }

  /** Every receipt of a gift, oldest first (the first one, then voids and corrections). */
  async listForDonation(donationId: string, opts: TransactionOptions = {}): Promise<Receipt[]> {
    const rows = await this.m(opts).query(
      `SELECT ${COLUMNS} FROM receipts r WHERE r.donation_id = $1 ORDER BY r.issued_at, r.seq`,
      [donationId],
    );
    return rows.map(toReceipt);
  }

  /** Every receipt sent to an email address, newest first. */
  async listForDonor(email: string, limit = 500): Promise<Receipt[]> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM receipts r WHERE r.donor_email = $1
        ORDER BY r.issued_at DESC, r.seq DESC LIMIT $2`,
      [email.toLowerCase(), limit],
    );
    return rows.map(toReceipt);
  }

  async markVoid(
    m: EntityManager,
    id: string,
    reason: VoidReason,
    note: string,
    by: string | null,
  ): Promise<void> {
    await m.query(
      `UPDATE receipts SET voided_at = now(), void_reason = $2, void_note = $3, voided_by = $4
        WHERE id = $1 AND voided_at IS NULL`,
      [id, reason, note, by],
    );
  }

  async recordOfficial(
    m: EntityManager,
    id: string,
    official: { number: string; url: string | null },
  ): Promise<void> {
    await m.query(
      `UPDATE receipts SET official_number = $2, official_url = $3, official_issued_at = now()
        WHERE id = $1 AND official_number IS NULL`,
      [id, official.number, official.url],
    );
  }

  async settings(opts: TransactionOptions = {}): Promise<ReceiptSettings> {
    const rows = await this.m(opts).query(
      `SELECT address_zh AS "addressZh", address_en AS "addressEn", title_zh AS "titleZh",
              title_en AS "titleEn", statement_zh AS "statementZh", statement_en AS "statementEn",
              signatory, seal_png AS "sealPng", updated_at AS "updatedAt", updated_by AS "updatedBy"
         FROM receipt_settings WHERE id = 1`,
    );
    return rows[0] as ReceiptSettings;
  }

  async saveSettings(
    m: EntityManager,
    settings: Omit<ReceiptSettings, 'updatedAt' | 'sealPng'> & { sealPng?: Buffer | null },
  ): Promise<void> {
    await m.query(
      `UPDATE receipt_settings SET address_zh = $1, address_en = $2, title_zh = $3, title_en = $4,
              statement_zh = $5, statement_en = $6, signatory = $7, updated_by = $8,
              seal_png = CASE WHEN $9 THEN $10::bytea ELSE seal_png END, updated_at = now()
        WHERE id = 1`,
      [
        settings.addressZh,
        settings.addressEn,
        settings.titleZh,
        settings.titleEn,
        settings.statementZh,
        settings.statementEn,
        settings.signatory,
        settings.updatedBy,
        settings.sealPng !== undefined,
        settings.sealPng ?? null,
      ],
    );
  }

  async preference(email: string, opts: TransactionOptions = {}): Promise<ReceiptPreference> {
    const rows: { mode: ReceiptPreference }[] = await this.m(opts).query(
      `SELECT mode FROM receipt_preferences WHERE donor_email = $1`,
      [email.toLowerCase()],
    );
    return rows[0]?.mode ?? 'EACH_GIFT';
  }

  async setPreference(m: EntityManager, email: string, mode: ReceiptPreference): Promise<void> {
    await m.query(
      `INSERT INTO receipt_preferences (donor_email, mode) VALUES ($1, $2)
       ON CONFLICT (donor_email) DO UPDATE SET mode = EXCLUDED.mode, updated_at = now()`,
      [email.toLowerCase(), mode],
    );
  }

  async insertDelivery(
    m: EntityManager,
    d: Pick<ReceiptDelivery, 'receiptId' | 'purpose' | 'recipient' | 'outboxId' | 'requestedBy'>,
  ): Promise<void> {
    await m.query(
      `INSERT INTO receipt_deliveries (receipt_id, purpose, recipient, outbox_id, requested_by)
       VALUES ($1, $2, $3, $4, $5)`,
      [d.receiptId, d.purpose, d.recipient, d.outboxId, d.requestedBy],
    );
  }

  /**
   * The receipts of an erased donor (theirs by address, or of their gifts) not erased yet, locked
   * for the one change their guard allows.
   */
  async lockForErasure(
    m: EntityManager,
    email: string,
    donationIds: readonly string[],
  ): Promise<Receipt[]> {
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${COLUMNS} FROM receipts r
        WHERE (r.donor_email = $1 OR r.donation_id = ANY ($2::uuid[])) AND r.donor_erased_no IS NULL
        ORDER BY r.issued_at, r.id FOR UPDATE`,
      [email, donationIds],
    );
    return rows.map(toReceipt);
  }

  /**
   * The one change an issued receipt allows (its guard checks it): its donor's data taken out.
   * An annual statement's key names the address (`annual:<year>:<email>`): it becomes
   * `annual:<year>:erased:<no>`, still unique, no longer anyone's address.
   */
  async markErased(
    m: EntityManager,
    id: string,
    content: ReceiptContent,
    erasedNo: number,
  ): Promise<void> {
    await m.query(
      `UPDATE receipts SET donor_email = '', content = $2, donor_erased_no = $3,
              issue_key = CASE WHEN kind = 'ANNUAL' AND issue_key ~ '^annual:[0-9]+:'
                               THEN substring(issue_key FROM '^annual:[0-9]+:') || 'erased:' || $4
                               ELSE issue_key END
        WHERE id = $1`,
      [id, JSON.stringify(content), erasedNo, String(erasedNo)],
    );
  }

  /** An erased donor's receipt choice and the addresses their receipts were emailed to. */
  async eraseDonorContacts(
    m: EntityManager,
    email: string,
    receiptIds: readonly string[],
  ): Promise<{ preferences: number; deliveries: number }> {
    const preferences = affectedRows(
      await m.query(`DELETE FROM receipt_preferences WHERE donor_email = $1 RETURNING 1`, [email]),
    );
    const deliveries = affectedRows(
      await m.query(
        `UPDATE receipt_deliveries SET recipient = ''
          WHERE recipient <> '' AND (lower(recipient) = $1 OR receipt_id = ANY ($2::uuid[]))
          RETURNING 1`,
        [email, receiptIds],
      ),
    );
    return { preferences, deliveries };
  }

  /** A receipt's emails with their outbox rows' state (the outbox is infrastructure, not a module). */
  async deliveries(receiptIds: string[]): Promise<ReceiptDelivery[]> {
    if (receiptIds.length === 0) return [];
    const rows: (Omit<ReceiptDelivery, 'status'> & { status: OutboxStatus | null })[] =
      await this.dataSource.query(
        `SELECT d.id, d.receipt_id AS "receiptId", d.purpose, d.recipient, d.outbox_id AS "outboxId",
                d.requested_by AS "requestedBy", d.created_at AS "createdAt",
                o.status, COALESCE(o.attempts, 0) AS attempts, o.last_error AS "lastError",
                o.sent_at AS "sentAt"
           FROM receipt_deliveries d LEFT JOIN outbox o ON o.id = d.outbox_id
          WHERE d.receipt_id = ANY($1::uuid[])
          ORDER BY d.created_at`,
        [receiptIds],
      );
    return rows.map((r) => ({ ...r, status: r.status ?? 'SENT' }));
  }
}
