import { Injectable } from '@nestjs/common';
import type { SupportedLocale } from '../../../common/i18n/i18n';
import { TransactionService } from '../../../database/transaction.service';
import { SessionRecordsService } from '../../accounts/session-records.service';
import { AuditService } from '../../audit/audit.service';
import { DonorDataService } from '../../donations/donor-data.service';
import { EmailRecordsService } from '../../notifications/email-records.service';
import { ReceiptDeliveryService } from '../../receipts/receipt-delivery.service';
import { ConsentService } from '../policy/consent.service';
import { AccessOtherAddressError } from '../privacy.errors';
import {
  exportCsv,
  exportJson,
  exportRowCount,
  exportSections,
  type DonorDataBundle,
} from './donor-export';
import { ErasureRequestsReader } from './erasure-requests.reader';

export type AccessFormat = 'json' | 'csv';

/** A download ready to send: its body, file name and how many rows it holds. */
export interface DonorDownload {
  body: string;
  filename: string;
  rows: number;
}

/**
 * The donor's right of access (PIPL): everything held about the address they signed in with,
 * gathered through each module's service (exact, lower-cased match), as JSON or CSV. Another
 * address is refused; each download is audited with its row count.
 */
@Injectable()
export class DonorAccessService {
  constructor(
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly donations: DonorDataService,
    private readonly receipts: ReceiptDeliveryService,
    private readonly emails: EmailRecordsService,
    private readonly consents: ConsentService,
    private readonly sessions: SessionRecordsService,
    private readonly erasures: ErasureRequestsReader,
  ) {}

  /** Refuses an `?email=` naming another address than the signed-in one (403). */
  assertOwnAddress(signedInAs: string, asked: unknown): void {
    if (asked === undefined) return;
    const own = signedInAs.trim().toLowerCase();
    if (typeof asked !== 'string' || asked.trim().toLowerCase() !== own) {
      throw new AccessOtherAddressError(own);
    }
  }

  async download(
    signedInAs: string,
    asked: unknown,
    format: AccessFormat,
    locale: SupportedLocale,
  ): Promise<DonorDownload> {
    this.assertOwnAddress(signedInAs, asked);
    const bundle = await this.gather(signedInAs.trim().toLowerCase());
    const sections = exportSections(bundle, locale);
    const rows = exportRowCount(sections);
    await this.tx.run((m) =>
      this.audit.record(m, {
        action: 'privacy.data_downloaded',
        entityType: 'donor_data',
        after: { format, rows },
      }),
    );
    const day = bundle.generatedAt.toISOString().slice(0, 10);
    return {
      body: format === 'json' ? exportJson(bundle, sections) : exportCsv(sections, locale),
      filename: `my-data-${day}.${format}`,
      rows,
    };
  }

  private async gather(email: string): Promise<DonorDataBundle> {
    const [gifts, receipts, receiptPreference, emails, consents, sessions, erasureRequests] =
      await Promise.all([
        this.donations.giftsOf(email),
        this.receipts.allForDonor(email),
        this.receipts.preference(email),
        this.emails.sentTo(email),
        this.consents.forSubject(email),
        this.sessions.donorSessions(email),
        this.erasures.forEmail(email),
      ]);
    return {
      email,
      generatedAt: new Date(),
      gifts,
      receipts,
      receiptPreference,
      emails,
      consents,
      sessions,
      erasureRequests,
    };
  }
}
