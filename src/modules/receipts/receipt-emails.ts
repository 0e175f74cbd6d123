import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { translate } from '../../common/i18n/i18n';
import { formatMoney } from '../../common/money';
import { AppConfig } from '../../config/app-config';
import { CampaignsService } from '../campaigns/campaigns.service';
import { DonorEmails } from '../donations/donor-emails';
import type { Donation } from '../donations/donations.types';
import { OutboxService } from '../notifications/outbox.service';
import { receiptDate } from './receipt-dates';
import { ReceiptHasNoEmailError } from './receipts.errors';
import { ReceiptsRepository } from './receipts.repository';
import type { Receipt } from './receipts.types';

/** The attachment source receipts register: a receipt's PDF by receipt id. */
export const RECEIPT_PDF = 'receipt-pdf';

/**
 * The emails about receipts, queued in the caller's transaction and recorded as deliveries: the
 * thank-you that carries a new gift's receipt, a void (with its correction), and a copy sent again
 * by staff or the donor. The PDF is made at send time (the email processor asks `RECEIPT_PDF`).
 * A donor who chose the annual statement only gets no PDF per gift, but is told the number.
 */
@Injectable()
export class ReceiptEmails {
  constructor(
    private readonly outbox: OutboxService,
    private readonly repo: ReceiptsRepository,
    private readonly donorEmails: DonorEmails,
    private readonly campaigns: CampaignsService,
    private readonly config: AppConfig,
  ) {}

  private get portalUrl(): string {
    return `${this.config.publicUrl}/donor`;
  }

  /** A gift's first receipt: the thank-you email carries it. */
  async issued(m: EntityManager, receipt: Receipt, donation: Donation): Promise<void> {
    // A donor who gave no email (an offline gift) gets no email: staff print the receipt.
    if (donation.donorEmail === null || receipt.donorEmail === '') return;
    const attach = (await this.repo.preference(receipt.donorEmail, { within: m })) === 'EACH_GIFT';
    // What the gift went to: its campaign, or the fund an offline gift was recorded into.
    const fund = receipt.content.gift?.fund;
    const campaign =
      donation.campaignId !== null
        ? await this.campaigns.getById(donation.campaignId, { within: m })
        : { titleZh: fund?.nameZh ?? '', titleEn: fund?.nameEn ?? '' };
    const outboxId = await this.donorEmails.thanks(m, donation, campaign, donation.matchedMinor, {
      id: receipt.id,
      number: receipt.number,
      attach,
    });
    if (attach && outboxId !== null) await this.record(m, receipt, 'ISSUED', outboxId, null);
  }

  /** A receipt was voided; `correction` replaces it (a partial refund). */
  async voided(
    m: EntityManager,
    voided: Receipt,
    correction: Receipt | null,
    donation: Pick<Donation, 'donorName'> | null,
  ): Promise<void> {
    if (voided.donorEmail === '') return;
    const locale = voided.locale;
    const attach =
      correction !== null &&
      (await this.repo.preference(voided.donorEmail, { within: m })) === 'EACH_GIFT';
    const outboxId = await this.outbox.enqueue(m, {
      template: 'receipt-voided',
      to: voided.donorEmail,
      locale,
      dedupeKey: `receipt-voided:${voided.id}`,
      ...(attach ? { attachments: [{ source: RECEIPT_PDF, id: correction.id }] } : {}),
      data: {
        donorName: donation?.donorName ?? voided.content.donor.name,
        number: voided.number,
        amount: formatMoney(voided.amountMinor, voided.currency, locale),
        voidedOn: receiptDate(voided.voidedAt ?? new Date(), locale),
        reason: translate(locale, `receipts.voidReason.${voided.voidReason ?? 'STAFF'}`),
        correctionNumber: correction?.number ?? '',
        correctionAmount: correction
          ? formatMoney(correction.amountMinor, correction.currency, locale)
          : '',
        correctionAttached: attach,
        portalUrl: this.portalUrl,
      },
    });
    await this.record(m, voided, 'VOIDED', outboxId, null);
    if (attach) await this.record(m, correction, 'ISSUED', outboxId, null);
  }

  /** The receipt again, as a PDF, to the donor's address (staff or the donor asked). */
  async resend(m: EntityManager, receipt: Receipt, requestedBy: string | null): Promise<void> {
    if (receipt.donorEmail === '') throw new ReceiptHasNoEmailError(receipt.number);
    const locale = receipt.locale;
    const outboxId = await this.outbox.enqueue(m, {
      template: 'receipt-copy',
      to: receipt.donorEmail,
      locale,
      attachments: [{ source: RECEIPT_PDF, id: receipt.id }],
      data: {
        donorName: receipt.content.donor.name,
        number: receipt.number,
        amount: formatMoney(receipt.amountMinor, receipt.currency, locale),
        portalUrl: this.portalUrl,
      },
    });
    await this.record(m, receipt, 'RESENT', outboxId, requestedBy);
  }

  private record(
    m: EntityManager,
    receipt: Receipt,
    purpose: 'ISSUED' | 'VOIDED' | 'RESENT',
    outboxId: string,
    requestedBy: string | null,
  ): Promise<void> {
    return this.repo.insertDelivery(m, {
      receiptId: receipt.id,
      purpose,
      recipient: receipt.donorEmail,
      outboxId,
      requestedBy,
    });
  }
}
