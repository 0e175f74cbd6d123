import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionService } from '../../database/transaction.service';
import { OutboxWriter } from '../../queue/outbox-writer';
import type { OutboxPayloads } from '../../queue/outbox-kinds';
import { AuditService } from '../audit/audit.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import { isSettled } from '../donations/donation-status';
import { DonationsService } from '../donations/donations.service';
import type { Donation } from '../donations/donations.types';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService } from '../funds/funds.service';
import { OfficialReceipts } from './official/official-receipts';
import { ReceiptEmails } from './receipt-emails';
import {
  formatReceiptNumber,
  newVerifyCode,
  shanghaiYear,
  type ReceiptKind,
  type VoidReason,
} from './receipt-number';
import {
  ReceiptGiftNotReceivedError,
  ReceiptNotFoundError,
  ReceiptAlreadyVoidError,
} from './receipts.errors';
import { erasedReceiptContent } from './receipt-erasure';
import { ReceiptsRepository, type NewReceipt } from './receipts.repository';
import type { Receipt, ReceiptContent, ReceiptGift } from './receipts.types';
import { words } from '../../common/i18n/i18n';

/** What a sync did, for the outbox's record and for tests. */
export type SyncOutcome =
  'issued' | 'voided' | 'corrected' | 'up to date' | 'not received' | 'nothing kept';

/**
 * Issues, voids and corrects gift receipts. A gift's receipts follow the gift: `syncGift` (run
 * from the outbox after the gift's transaction commits, and again after each refund) compares the
 * live receipt with what the foundation keeps of the gift and issues, voids or corrects, in one
 * transaction that also takes the number and queues the emails. Serialised per gift by an
 * advisory lock; repeats change nothing.
 */
@Injectable()
export class ReceiptsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ReceiptsRepository,
    private readonly donations: DonationsService,
    private readonly campaigns: CampaignsService,
    private readonly funds: FundsService,
    private readonly foundation: FoundationService,
    private readonly emails: ReceiptEmails,
    private readonly official: OfficialReceipts,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditService,
  ) {}

  async syncGift(
    donationId: string,
    cause: OutboxPayloads['RECEIPT_SYNC']['cause'] = 'REFUNDED',
    /** Staff asked: a receipt they voided as issued in error is replaced by a new one. */
    { reissue = false }: { reissue?: boolean } = {},
  ): Promise<SyncOutcome> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, `receipt:gift:${donationId}`);
      const donation = await this.donations.get(donationId, { within: m });
      if (!isSettled(donation.status)) return 'not received';
      const receipts = await this.repo.listForDonation(donationId, { within: m });
      const live = receipts.find((r) => r.voidedAt === null);
      const kept = donation.amountMinor - donation.refundedMinor;
      if (!live) {
        // Voided earlier (refunded in full, or by staff): nothing is issued again by itself; staff
        // may replace one they voided as issued in error, and the donor gets the new one.
        const last = receipts.at(-1);
        if (reissue && last?.voidReason === 'STAFF' && kept > 0) {
          const receipt = await this.issueForGift(
            m,
            donation,
            'CORRECTION',
            last,
            `reissue:${last.id}`,
          );
          await this.emails.resend(m, receipt, null);
          return 'corrected';
        }
        if (receipts.length > 0 || kept <= 0) return 'nothing kept';
        const receipt = await this.issueForGift(m, donation, 'GIFT', null);
        await this.emails.issued(m, receipt, donation);
        return 'issued';
      }
      if (live.amountMinor === kept) return 'up to date';
      const reason: VoidReason =
        kept > 0 ? 'PARTIALLY_REFUNDED' : cause === 'DISPUTE_LOST' ? 'DISPUTE_LOST' : 'REFUNDED';
      await this.repo.markVoid(m, live.id, reason, '', null);
      const voided = (await this.repo.find(live.id, { within: m }))!;
      const correction = kept > 0 ? await this.issueForGift(m, donation, 'CORRECTION', live) : null;
      await this.emails.voided(m, voided, correction, donation);
      return correction ? 'corrected' : 'voided';
    });
  }

  /**
   * Issues the receipt of a received gift now (staff, or a repair), or returns the live one; the
   * same as the outbox would do, and replaces a receipt staff voided as issued in error. Refused
   * for a gift that was not received.
   */
  async issueNow(donationId: string): Promise<Receipt> {
    const donation = await this.donations.get(donationId);
    if (!isSettled(donation.status))
      throw new ReceiptGiftNotReceivedError(donationId, donation.status);
    await this.syncGift(donationId, 'REFUNDED', { reissue: true });
    const live = (await this.repo.listForDonation(donationId)).find((r) => r.voidedAt === null);
    if (!live) {
      throw new ReceiptNotFoundError(donationId, words('errors.receipts.refundedInFull'));
    }
    return live;
  }

  /** Staff void a receipt (issued in error), with a reason; emailed to the donor. */
  async voidByStaff(receiptId: string, note: string, actorId: string): Promise<Receipt> {
    return this.tx.run(async (m) => {
      const found = await this.repo.find(receiptId, { within: m });
      if (!found) throw new ReceiptNotFoundError(receiptId);
      await this.tx.lock(
        m,
        found.donationId ? `receipt:gift:${found.donationId}` : `receipt:${found.id}`,
      );
      const receipt = (await this.repo.find(receiptId, { within: m }))!;
      if (receipt.voidedAt) throw new ReceiptAlreadyVoidError(receipt.number);
      await this.repo.markVoid(m, receipt.id, 'STAFF', note, actorId);
      const voided = (await this.repo.find(receipt.id, { within: m }))!;
      await this.emails.voided(m, voided, null, null);
      await this.audit.record(m, {
        action: 'receipt.voided',
        entityType: 'receipt',
        entityId: receipt.id,
        before: { number: receipt.number },
        after: { voidReason: 'STAFF', note },
      });
      return voided;
    });
  }

  async get(id: string): Promise<Receipt> {
    const receipt = await this.repo.find(id);
    if (!receipt) throw new ReceiptNotFoundError(id);
    return receipt;
  }

  listForDonation(donationId: string): Promise<Receipt[]> {
    return this.repo.listForDonation(donationId);
  }

  listForDonor(email: string): Promise<Receipt[]> {
    return this.repo.listForDonor(email);
  }

  /**
   * Takes the next number of the series and year and inserts the receipt, in the caller's
   * transaction (a rollback gives the number back); queues the official e-receipt when a platform
   * is configured. The one place receipts are created.
   */
  async insertNumbered(
    m: EntityManager,
    receipt: Omit<NewReceipt, 'number' | 'seq' | 'verifyCode'>,
  ): Promise<Receipt> {
    const prefix = (await this.foundation.getProfile({ within: m })).receiptPrefix;
    const seq = await this.repo.nextSeq(m, receipt.series, receipt.year);
    const inserted = await this.repo.insert(m, {
      ...receipt,
      seq,
      number: formatReceiptNumber(prefix, receipt.series, receipt.year, seq),
      verifyCode: newVerifyCode(),
    });
    if (this.official.enabled) {
      await this.outbox.add(
        m,
        'OFFICIAL_RECEIPT',
        { receiptId: inserted.id },
        `official-receipt:${inserted.id}`,
      );
    }
    return inserted;
  }

  /** The facts every receipt states about the foundation, in its current words. */
  async issuerContent(m: EntityManager): Promise<Pick<ReceiptContent, 'foundation' | 'wording'>> {
    const profile = await this.foundation.getProfile({ within: m });
    const settings = await this.repo.settings({ within: m });
    return {
      foundation: {
        legalNameZh: profile.legalNameZh,
        legalNameEn: profile.legalNameEn,
        creditCode: profile.registrationNumber,
        addressZh: settings.addressZh,
        addressEn: settings.addressEn,
      },
      wording: {
        titleZh: settings.titleZh,
        titleEn: settings.titleEn,
        statementZh: settings.statementZh,
        statementEn: settings.statementEn,
        signatory: settings.signatory,
      },
    };
  }

  private async issueForGift(
    m: EntityManager,
    donation: Donation,
    kind: Extract<ReceiptKind, 'GIFT' | 'CORRECTION'>,
    replaces: Receipt | null,
    issueKey = kind === 'GIFT'
      ? `gift:${donation.id}`
      : `correction:${donation.id}:${donation.refundedMinor}`,
  ): Promise<Receipt> {
    const gift = await this.giftFacts(m, donation);
    const receivedAt = donation.succeededAt ?? donation.createdAt;
    return this.insertNumbered(m, {
      series: 'GIFT',
      // The gift's year in Beijing time, also for a receipt issued (or corrected) after New Year.
      year: shanghaiYear(receivedAt),
      kind,
      issueKey,
      donationId: donation.id,
      replacesId: replaces?.id ?? null,
      // '' for a donor who gave no email: the receipt is printed, never emailed.
      donorEmail: (donation.donorEmail ?? '').toLowerCase(),
      amountMinor: donation.amountMinor - donation.refundedMinor,
      currency: donation.currency,
      locale: donation.locale,
      content: {
        version: 1,
        ...(await this.issuerContent(m)),
        donor: {
          name: donation.donorName,
          kind: donation.donorKind,
          address: donation.receiptAddress,
          taxId: donation.receiptTaxId,
        },
        gift,
        ...(replaces
          ? { replaces: { number: replaces.number, issuedAt: replaces.issuedAt.toISOString() } }
          : {}),
      },
    });
  }

  private async giftFacts(m: EntityManager, donation: Donation): Promise<ReceiptGift> {
    const fund = await this.funds.get(donation.fundId, { within: m });
    const campaign =
      donation.campaignId === null
        ? null
        : await this.campaigns.getById(donation.campaignId, { within: m });
    return {
      donationId: donation.id,
      receivedAt: (donation.succeededAt ?? donation.createdAt).toISOString(),
      originalAmountMinor: donation.amountMinor,
      refundedMinor: donation.refundedMinor,
      matchedMinor: donation.matchedMinor,
      fund: { id: fund.id, code: fund.code, nameZh: fund.nameZh, nameEn: fund.nameEn },
      campaign: campaign && {
        id: campaign.id,
        slug: campaign.slug,
        titleZh: campaign.titleZh,
        titleEn: campaign.titleEn,
      },
      method: donation.provider,
      reference: paymentReference(donation),
      monthly: donation.monthly,
    };
  }

  /**
   * Erasure, in the caller's transaction: every receipt of the address or of its gifts loses the
   * donor's name (the pseudonym instead), address, ID code and email, and is marked as an erased
   * donor's; numbers, amounts and dates stay (the receipts' guard allows exactly this, once). The
   * receipt choice is deleted and past deliveries forget the address. Returns the counts.
   */
  async eraseDonor(
    m: EntityManager,
    email: string,
    donationIds: readonly string[],
    erased: { no: number; donorName: string },
  ): Promise<{ receipts: number; receiptPreferences: number; receiptDeliveries: number }> {
    const receipts = await this.repo.lockForErasure(m, email, donationIds);
    for (const r of receipts) {
      await this.repo.markErased(
        m,
        r.id,
        erasedReceiptContent(r.content, erased.donorName),
        erased.no,
      );
    }
    const contacts = await this.repo.eraseDonorContacts(
      m,
      email,
      receipts.map((r) => r.id),
    );
    return {
      receipts: receipts.length,
      receiptPreferences: contacts.preferences,
      receiptDeliveries: contacts.deliveries,
    };
  }
}

/** The reference a donor or bank statement shows: the provider's payment, or the bank reference. */
export function paymentReference(
  donation: Pick<Donation, 'id' | 'provider' | 'providerPaymentId' | 'providerInvoiceId'>,
): string {
  const payment = donation.providerPaymentId ?? donation.providerInvoiceId ?? donation.id;
  return donation.provider === 'OFFLINE' ? payment.replace(/^offline:/, '') : payment;
}
