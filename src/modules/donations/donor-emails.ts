import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { formatMoney } from '../../common/money';
import { hashSecret, newSecret } from '../../common/secrets';
import { AppConfig } from '../../config/app-config';
import type { CampaignForDonation } from '../campaigns/campaigns.types';
import { OutboxService } from '../notifications/outbox.service';
import { DonationsRepository } from './donations.repository';
import type { Donation } from './donations.types';

/** The title in the reader's language; the Chinese one when there is no English one. */
function localName(locale: string, zh: string, en: string): string {
  return locale === 'en' && en ? en : zh;
}

/** How long the "stop this monthly gift" link in an email works. */
export const STOP_LINK_DAYS = 400;

type Gift = Pick<
  Donation,
  'id' | 'donorName' | 'donorEmail' | 'currency' | 'locale' | 'monthly' | 'parentDonationId'
>;

/**
 * The emails a donor gets about their gifts, in the donor's language, queued in the caller's
 * transaction. Every email about a monthly gift carries a link that stops it without signing in
 * (a fresh secret per email; only its hash is kept).
 */
@Injectable()
export class DonorEmails {
  constructor(
    private readonly outbox: OutboxService,
    private readonly repo: DonationsRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * Thanks the donor for a received gift, once (per gift), with its receipt: named always, attached
   * as a PDF unless the donor asked for the annual statement only. Returns the outbox id, or null
   * for a donor without an email (nothing is sent).
   */
  async thanks(
    m: EntityManager,
    gift: Gift & { amountMinor: number; feeCoverMinor: number },
    campaign: Pick<CampaignForDonation, 'titleZh' | 'titleEn'>,
    matchedMinor: number,
    receipt?: { id: string; number: string; attach: boolean },
  ): Promise<string | null> {
    if (gift.donorEmail === null) return null;
    const locale = gift.locale;
    return this.outbox.enqueue(m, {
      template: 'donation-thanks',
      to: gift.donorEmail,
      locale,
      dedupeKey: `donation-thanks:${gift.id}`,
      ...(receipt?.attach ? { attachments: [{ source: 'receipt-pdf', id: receipt.id }] } : {}),
      data: {
        receiptNumber: receipt?.number ?? '',
        receiptAttached: receipt?.attach ?? false,
        donorName: gift.donorName,
        amount: formatMoney(gift.amountMinor, gift.currency, locale),
        feeCover:
          gift.feeCoverMinor > 0 ? formatMoney(gift.feeCoverMinor, gift.currency, locale) : '',
        campaignTitle: locale === 'en' ? campaign.titleEn : campaign.titleZh,
        matched: matchedMinor > 0 ? formatMoney(matchedMinor, gift.currency, locale) : '',
        portalUrl: `${this.config.publicUrl}/donor`,
        ...(gift.monthly ? { stopUrl: await this.stopLink(m, gift) } : {}),
      },
    });
  }

  /** A monthly renewal could not be collected (`first` is the subscription's first gift). */
  async renewalFailed(
    m: EntityManager,
    first: Gift,
    campaign: Pick<CampaignForDonation, 'titleZh' | 'titleEn'>,
    amountMinor: number,
    invoiceRef: string,
  ): Promise<void> {
    if (first.donorEmail === null) return;
    const locale = first.locale;
    await this.outbox.enqueue(m, {
      template: 'renewal-failed',
      to: first.donorEmail,
      locale,
      dedupeKey: `renewal-failed:${invoiceRef}`,
      data: {
        donorName: first.donorName,
        amount: formatMoney(amountMinor, first.currency, locale),
        campaignTitle: locale === 'en' ? campaign.titleEn : campaign.titleZh,
        portalUrl: `${this.config.publicUrl}/donor`,
        stopUrl: await this.stopLink(m, first),
      },
    });
  }

  /**
   * Tells the donor a refund was issued: how much, when (Beijing time) and for which gift, in
   * their language. Once per refund (`refundRef`); nothing for a gift recorded without an email.
   */
  async refunded(
    m: EntityManager,
    gift: Gift & { amountMinor: number },
    campaign: Pick<CampaignForDonation, 'titleZh' | 'titleEn'>,
    refund: { amountMinor: number; refundRef: string; at: Date; viaProvider: boolean },
  ): Promise<void> {
    if (!gift.donorEmail) return;
    const locale = gift.locale;
    await this.outbox.enqueue(m, {
      template: 'donation-refunded',
      to: gift.donorEmail,
      locale,
      dedupeKey: `donation-refunded:${refund.refundRef}`,
      data: {
        donorName: gift.donorName,
        amount: formatMoney(refund.amountMinor, gift.currency, locale),
        giftAmount: formatMoney(gift.amountMinor, gift.currency, locale),
        campaignTitle: localName(locale, campaign.titleZh, campaign.titleEn),
        refundedOn: beijingDateTime(refund.at, locale),
        viaProvider: refund.viaProvider,
        portalUrl: `${this.config.publicUrl}/donor?lang=${locale}`,
      },
    });
  }

  /** A link to the page that stops the monthly gift this gift belongs to. */
  private async stopLink(m: EntityManager, gift: Gift): Promise<string> {
    const token = newSecret();
    await this.repo.insertLink(m, {
      tokenHash: hashSecret(token),
      purpose: 'STOP_MONTHLY',
      donationId: gift.parentDonationId ?? gift.id,
      expiresAt: new Date(Date.now() + STOP_LINK_DAYS * 86_400_000),
    });
    return `${this.config.publicUrl}/monthly/stop/${token}?lang=${gift.locale}`;
  }
}
