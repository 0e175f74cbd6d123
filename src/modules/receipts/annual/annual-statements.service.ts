import { Injectable } from '@nestjs/common';
import { TransactionService } from '../../../database/transaction.service';
import { FoundationService } from '../../foundation/foundation.service';
import { shanghaiYear } from '../receipt-number';
import { ReceiptYearInvalidError, ReceiptYearNotEndedError } from '../receipts.errors';
import { ReceiptsService } from '../receipts.service';
import { draftStatement } from './annual-statement';
import { AnnualStatementEmails } from './annual-statement-emails';
import { AnnualStatementsRepository, type YearDonor } from './annual-statements.repository';
import { beijingYearBounds, parseStatementYear, yearHasBegun, yearHasEnded } from './annual-year';
import { words } from '../../../common/i18n/i18n';

export interface AnnualRunOptions {
  /** Issue for a year that has not ended yet in Beijing time. */
  force?: boolean;
  /** The clock (tests). */
  now?: Date;
  /** Statements issued per transaction. */
  batchSize?: number;
  /** Called as donors are done (issued, found issued, or with nothing kept). */
  onProgress?: (done: number, total: number) => void;
}

export interface AnnualRunSummary {
  year: number;
  /** Donors whose money was received in the year (by email, stored lower-cased). */
  donors: number;
  issued: number;
  /** Donors whose statement of the year exists already (an earlier run). */
  alreadyIssued: number;
  /** Donors whose every gift of the year was refunded: no statement. */
  nothingKept: number;
  /** The sum of the statements issued by this run. */
  issuedMinor: number;
  currency: string;
}

const BATCH = 100;

export const annualIssueKey = (year: number, email: string): string => `annual:${year}:${email}`;

/**
 * Annual statements (年度捐赠汇总): one per donor (lower-cased email) and year in Beijing time,
 * listing every received gift of that year net of refunds, numbered in the ANNUAL series through
 * `ReceiptsService.insertNumbered` and emailed with the PDF. Idempotent: a statement's issue key
 * is `annual:<year>:<email>` (unique), checked before issuing, so a second run issues nothing.
 *
 * Batched for speed: one query lists the year's donors, one query per batch reads the batch's
 * gifts, and each batch's statements are issued in one transaction (numbers, receipts, emails and
 * deliveries commit together or not at all; a failed batch leaves no number used and the next run
 * picks it up). Concurrent runs take the year's advisory lock per batch and re-check inside it.
 */
@Injectable()
export class AnnualStatementsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AnnualStatementsRepository,
    private readonly receipts: ReceiptsService,
    private readonly emails: AnnualStatementEmails,
    private readonly foundation: FoundationService,
  ) {}

  /** Checks a year as typed: four digits, begun, and ended in Beijing time unless forced. */
  checkYear(given: string, { force = false, now = new Date() } = {}): number {
    const year = parseStatementYear(given);
    if (year === null)
      throw new ReceiptYearInvalidError(given, words('errors.receipts.yearDigits'));
    if (!yearHasBegun(year, now))
      throw new ReceiptYearInvalidError(
        given,
        words('errors.receipts.yearNotBegun', { current: String(shanghaiYear(now)) }),
      );
    if (!force && !yearHasEnded(year, now)) throw new ReceiptYearNotEndedError(year);
    return year;
  }

  async issue(given: string, options: AnnualRunOptions = {}): Promise<AnnualRunSummary> {
    const year = this.checkYear(given, options);
    const currency = await this.foundation.currency();
    const { from, to } = beijingYearBounds(year);
    const donors = await this.repo.donors(from, to, currency);
    const summary: AnnualRunSummary = {
      year,
      donors: donors.length,
      issued: 0,
      alreadyIssued: 0,
      nothingKept: 0,
      issuedMinor: 0,
      currency,
    };
    let done = 0;
    const size = Math.max(1, options.batchSize ?? BATCH);
    for (let i = 0; i < donors.length; i += size) {
      const batch = donors.slice(i, i + size);
      const outcome = await this.issueBatch(year, batch, from, to, currency);
      summary.issued += outcome.issued;
      summary.alreadyIssued += outcome.alreadyIssued;
      summary.nothingKept += outcome.nothingKept;
      summary.issuedMinor += outcome.issuedMinor;
      done += batch.length;
      options.onProgress?.(done, donors.length);
    }
    return summary;
  }

  private async issueBatch(
    year: number,
    batch: readonly YearDonor[],
    from: Date,
    to: Date,
    currency: string,
  ): Promise<Pick<AnnualRunSummary, 'issued' | 'alreadyIssued' | 'nothingKept' | 'issuedMinor'>> {
    const outcome = { issued: 0, alreadyIssued: 0, nothingKept: 0, issuedMinor: 0 };
    const kept = batch.filter((d) => d.keptMinor > 0);
    outcome.nothingKept = batch.length - kept.length;
    // Checked before reading gifts (a re-run reads nothing), and again under the lock.
    const before = await this.repo.issuedKeys(kept.map((d) => annualIssueKey(year, d.email)));
    const pending = kept.filter((d) => !before.has(annualIssueKey(year, d.email)));
    outcome.alreadyIssued = kept.length - pending.length;
    if (pending.length === 0) return outcome;

    const gifts = await this.repo.gifts(
      pending.map((d) => d.email),
      from,
      to,
      currency,
    );
    const issued = await this.tx.run(async (m) => {
      await this.tx.lock(m, `receipts:annual:${year}`);
      const now = await this.repo.issuedKeys(
        pending.map((d) => annualIssueKey(year, d.email)),
        { within: m },
      );
      const issuer = await this.receipts.issuerContent(m);
      const result = { issued: 0, alreadyIssued: 0, nothingKept: 0, issuedMinor: 0 };
      for (const donor of pending) {
        const issueKey = annualIssueKey(year, donor.email);
        if (now.has(issueKey)) {
          result.alreadyIssued += 1;
          continue;
        }
        const draft = draftStatement(donor.email, year, gifts.get(donor.email) ?? []);
        if (!draft) {
          result.nothingKept += 1;
          continue;
        }
        const receipt = await this.receipts.insertNumbered(m, {
          series: 'ANNUAL',
          year,
          kind: 'ANNUAL',
          issueKey,
          donationId: null,
          replacesId: null,
          donorEmail: draft.donorEmail,
          amountMinor: draft.amountMinor,
          currency: draft.currency,
          locale: draft.locale,
          content: { version: 1, ...issuer, donor: draft.donor, statement: draft.statement },
        });
        await this.emails.issued(m, receipt);
        result.issued += 1;
        result.issuedMinor += receipt.amountMinor;
      }
      return result;
    });
    return {
      issued: issued.issued,
      alreadyIssued: outcome.alreadyIssued + issued.alreadyIssued,
      nothingKept: outcome.nothingKept + issued.nothingKept,
      issuedMinor: issued.issuedMinor,
    };
  }
}
