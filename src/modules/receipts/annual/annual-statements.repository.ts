import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { SupportedLocale } from '../../../common/i18n/i18n';
import type { TransactionOptions } from '../../../database/transaction.service';
import type { Donation } from '../../donations/donations.types';
import { paymentReference } from '../receipts.service';
import type { YearGift } from './annual-statement';

/** Statuses of a gift whose money was received (`isSettled`), also when it went back since. */
const RECEIVED = `('SUCCEEDED', 'PARTIALLY_REFUNDED', 'DISPUTED', 'REFUNDED')`;

/** A donor of the year: their email (stored lower-cased: a CHECK on donations holds it). */
export interface YearDonor {
  email: string;
  keptMinor: number;
}

/**
 * The reads annual statements need, in few round trips: the year's donors in one query, then
 * their gifts a batch of donors at a time (fund, campaign and each gift's live receipt joined in),
 * and which statements exist already. Read-only over donations, funds and campaigns: a report
 * across modules, like the ledger check, written as SQL so a batch is one query, not thousands of
 * service calls.
 */
@Injectable()
export class AnnualStatementsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(opts: TransactionOptions): EntityManager {
    return opts.within ?? this.dataSource.manager;
  }

  /** Everyone whose money was received in [from, to) in `currency`, by email. */
  async donors(from: Date, to: Date, currency: string): Promise<YearDonor[]> {
    const rows: { email: string; kept: string }[] = await this.dataSource.query(
      `SELECT d.donor_email AS email, sum(d.amount_minor - d.refunded_minor) AS kept
         FROM donations d
        WHERE d.status IN ${RECEIVED} AND d.succeeded_at >= $1 AND d.succeeded_at < $2
          AND d.currency = $3
          -- A donor without an email (an offline gift) gets no statement: none could reach them.
          AND d.donor_email IS NOT NULL
        GROUP BY d.donor_email
        ORDER BY d.donor_email`,
      [from, to, currency],
    );
    return rows.map((r) => ({ email: r.email, keptMinor: Number(r.kept) }));
  }

  /** The received gifts of [from, to) of these donors, by email. */
  async gifts(
    emails: readonly string[],
    from: Date,
    to: Date,
    currency: string,
  ): Promise<Map<string, YearGift[]>> {
    const rows: GiftRow[] = await this.dataSource.query(
      `SELECT d.id, d.donor_email AS email, d.donor_name, d.locale, d.receipt_address,
              d.receipt_tax_id, d.succeeded_at, (d.amount_minor - d.refunded_minor) AS kept,
              d.currency, d.provider, d.provider_payment_id, d.provider_invoice_id,
              f.name_zh AS fund_zh, f.name_en AS fund_en,
              coalesce(c.title_zh, '') AS campaign_zh, coalesce(nullif(c.title_en, ''), c.title_zh, '') AS campaign_en,
              r.number AS receipt_number
         FROM donations d
         JOIN funds f ON f.id = d.fund_id
         LEFT JOIN campaigns c ON c.id = d.campaign_id
         LEFT JOIN receipts r ON r.donation_id = d.id AND r.voided_at IS NULL
        WHERE d.donor_email = ANY($1::text[]) AND d.status IN ${RECEIVED}
          AND d.succeeded_at >= $2 AND d.succeeded_at < $3 AND d.currency = $4`,
      [emails, from, to, currency],
    );
    const byDonor = new Map<string, YearGift[]>();
    for (const row of rows) {
      const list = byDonor.get(row.email) ?? [];
      list.push(toYearGift(row));
      byDonor.set(row.email, list);
    }
    return byDonor;
  }

  /** Which of these issue keys a receipt has already been issued under. */
  async issuedKeys(
    issueKeys: readonly string[],
    opts: TransactionOptions = {},
  ): Promise<Set<string>> {
    const rows: { issue_key: string }[] = await this.m(opts).query(
      `SELECT issue_key FROM receipts WHERE issue_key = ANY($1::text[])`,
      [issueKeys],
    );
    return new Set(rows.map((r) => r.issue_key));
  }
}

interface GiftRow {
  id: string;
  email: string;
  donor_name: string;
  locale: SupportedLocale;
  receipt_address: string | null;
  receipt_tax_id: string | null;
  succeeded_at: Date;
  kept: string;
  currency: string;
  provider: Donation['provider'];
  provider_payment_id: string | null;
  provider_invoice_id: string | null;
  fund_zh: string;
  fund_en: string;
  campaign_zh: string;
  campaign_en: string;
  receipt_number: string | null;
}

function toYearGift(row: GiftRow): YearGift {
  return {
    donationId: row.id,
    donorName: row.donor_name,
    locale: row.locale,
    receiptAddress: row.receipt_address,
    receiptTaxId: row.receipt_tax_id,
    receivedAt: new Date(row.succeeded_at),
    keptMinor: Number(row.kept),
    currency: row.currency.trim(),
    fundNameZh: row.fund_zh,
    fundNameEn: row.fund_en,
    campaignTitleZh: row.campaign_zh,
    campaignTitleEn: row.campaign_en,
    reference: paymentReference({
      id: row.id,
      provider: row.provider,
      providerPaymentId: row.provider_payment_id,
      providerInvoiceId: row.provider_invoice_id,
    }),
    receiptNumber: row.receipt_number,
  };
}
