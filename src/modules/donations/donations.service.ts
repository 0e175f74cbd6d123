import { WechatSignIn } from '../payments/wechatpay/wechat-oauth';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Actor, RequestContext } from '../../common/context/request-context';
import { ConflictError, CurrencyMismatchError, TooManyAttemptsError } from '../../common/errors';
import { isUUID } from 'class-validator';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { pickLocale, words } from '../../common/i18n/i18n';
import { hashSecret, newSecret } from '../../common/secrets';
import { RateLimiter, type RateLimit } from '../../common/rate-limit/rate-limiter';
import { AppConfig } from '../../config/app-config';
import { TransactionService, type TransactionOptions } from '../../database/transaction.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import { FundsService } from '../funds/funds.service';
import type { PaymentRail } from '../payments/payment-events';
import {
  CHECKOUT_LIFETIME_SECONDS,
  type PaymentAdapter,
  ProviderBusyError,
} from '../payments/payment-provider';
import { PaymentRails } from '../payments/payment-rails';
import { checkoutChannel, RAIL_OF_METHOD } from '../payments/rail-choice';
import { AuditService } from '../audit/audit.service';
import { ConsentService } from '../privacy/policy/consent.service';
import { TaxConsentRequiredError } from '../privacy/privacy.errors';
import {
  AmountBelowMinimumError,
  CampaignNotAcceptingError,
  CaptchaFailedError,
  DonationNotFoundError,
  DonationNotRefundableError,
  DonorLinkInvalidError,
  MonthlyNeedsCardError,
} from './donations.errors';
import { SettlementService } from './settlement.service';
import { DonorEmails } from './donor-emails';
import { DonationsRepository } from './donations.repository';
import type { DonationStatus } from './donation-status';
import { monthlyStopState, offersMonthlyStop } from './monthly-gift';
import type { Donation } from './donations.types';
import type { CreateDonationDto } from './dto/create-donation.dto';
import { publicDonor } from './public-donor';

/** What covering the fee adds: 0.6 % (a typical domestic wallet rate), rounded up to the fen. */
export const FEE_COVER_BP = 60;
const WINDOW_MS = 10 * 60_000;
/** When to try the provider again after it said it was busy. */
export const BUSY_RETRY_SECONDS = 5;

/** How long the browser that started a gift may have its form back from it. */
export const RETURN_TO_FORM_SECONDS = 2 * 3600;

/** A CAPTCHA check, plugged in where a deployment needs one; the default accepts everything. */
export const CAPTCHA_VERIFIER = Symbol('CAPTCHA_VERIFIER');
export interface CaptchaVerifier {
  verify(token: string | undefined, ip: string | undefined): Promise<boolean>;
}

export function feeCover(amountMinor: number): number {
  return Math.ceil((amountMinor * FEE_COVER_BP) / 10_000);
}

/**
 * Donation intake: checks the campaign and the amount, refuses card-testing patterns, records a
 * PENDING gift and opens the provider's checkout. Money is only booked when the provider confirms
 * (SettlementService, through the webhook inbox).
 */
@Injectable()
export class DonationsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: DonationsRepository,
    private readonly campaigns: CampaignsService,
    private readonly config: AppConfig,
    private readonly rails: PaymentRails,
    @Inject(CAPTCHA_VERIFIER) private readonly captcha: CaptchaVerifier,
    private readonly settlement: SettlementService,
    private readonly audit: AuditService,
    private readonly emails: DonorEmails,
    private readonly funds: FundsService,
    private readonly wechatSignIn: WechatSignIn,
    private readonly limits: RateLimiter,
    private readonly consent: ConsentService,
  ) {}

  async start(
    slug: string,
    dto: CreateDonationDto,
    meta: { ip?: string; acceptLanguage?: string; userAgent?: string },
  ) {
    const email = dto.donorEmail.trim().toLowerCase();
    // Tax fields are collected only with their own consent (PIPL): refused before anything counts.
    const taxDetails = Boolean(dto.receiptAddress || dto.receiptTaxId);
    if (taxDetails && dto.receiptTaxConsent !== true) throw new TaxConsentRequiredError();
    const { perIp, perEmail } = this.startLimits();
    if (
      (meta.ip && !(await this.limits.allows(perIp, meta.ip))) ||
      !(await this.limits.allows(perEmail, email))
    ) {
      throw new TooManyAttemptsError(words('errors.donations.tooManyGifts'));
    }
    if (!(await this.captcha.verify(dto.captchaToken, meta.ip))) {
      throw new CaptchaFailedError();
    }
    const campaign = await this.campaigns.getForDonation(slug);
    if (!this.campaigns.isAcceptingGifts(campaign, new Date())) {
      throw new CampaignNotAcceptingError(slug, campaign.status);
    }
    if (dto.currency && dto.currency !== campaign.currency) {
      throw new CurrencyMismatchError(
        words('errors.donations.currency', { expected: campaign.currency, given: dto.currency }),
      );
    }
    if (dto.amountMinor < campaign.minAmountMinor) {
      throw new AmountBelowMinimumError(
        { amountMinor: campaign.minAmountMinor, currency: campaign.currency },
        dto.amountMinor,
      );
    }
    const adapter = this.chooseRail(dto, meta.userAgent);
    const cover = dto.coverFee ? feeCover(dto.amountMinor) : 0;
    const locale = dto.locale ?? pickLocale(undefined, meta.acceptLanguage, 'zh-CN');
    const donation = await this.tx.run(async (m) => {
      const inserted = await this.repo.insert(m, {
        campaignId: campaign.id,
        fundId: campaign.fundId,
        amountMinor: dto.amountMinor + cover,
        feeCoverMinor: cover,
        currency: campaign.currency,
        donorName: dto.donorName,
        donorEmail: email,
        anonymous: dto.anonymous ?? false,
        message: dto.message ?? '',
        dedication: dto.dedication ?? '',
        monthly: dto.monthly ?? false,
        locale,
        provider: adapter.name,
        ip: meta.ip ?? null,
        receiptAddress: dto.receiptAddress ?? null,
        receiptTaxId: dto.receiptTaxId ?? null,
      });
      const given = { subject: email, locale, donationId: inserted.id };
      await this.consent.record(m, { ...given, purpose: 'DONATION' });
      if (taxDetails) await this.consent.record(m, { ...given, purpose: 'RECEIPT_TAX' });
      return inserted;
    });
    const checkoutUrl = await this.openCheckout(donation, campaign, meta);
    return {
      id: donation.id,
      status: donation.status,
      amountMinor: donation.amountMinor,
      feeCoverMinor: donation.feeCoverMinor,
      currency: donation.currency,
      method: adapter.rail,
      checkoutUrl,
    };
  }

  /** Gift starts per IP address and per donor email in ten minutes: card testers try many. */
  private startLimits(): { perIp: RateLimit; perEmail: RateLimit } {
    const { perIp, perEmail } = this.config.donationLimits;
    return {
      perIp: { name: 'donation-start-ip', windowMs: WINDOW_MS, max: perIp },
      perEmail: { name: 'donation-start-email', windowMs: WINDOW_MS, max: perEmail },
    };
  }

  /** The enabled rails in the order this browser's donor expects, for the donation form. */
  paymentChoices(userAgent: string | undefined): { rail: PaymentRail; recurring: boolean }[] {
    return this.rails
      .ordered(userAgent)
      .map((rail) => ({ rail, recurring: this.rails.forRail(rail).recurring }));
  }

  /**
   * The rail a new gift is paid on: the one asked for (`method`), else Stripe when it is enabled
   * (what API clients always had), else the first one this browser's donor expects. A rail that is
   * off is refused naming the enabled ones; a monthly gift needs a rail with recurring agreements.
   */
  private chooseRail(dto: CreateDonationDto, userAgent: string | undefined): PaymentAdapter {
    const rail: PaymentRail | undefined = dto.method
      ? RAIL_OF_METHOD[dto.method]
      : this.rails.isEnabled('STRIPE')
        ? 'STRIPE'
        : this.rails.ordered(userAgent)[0];
    const adapter = this.rails.forRail(rail ?? 'STRIPE');
    if (dto.monthly && !adapter.recurring) throw new MonthlyNeedsCardError();
    return adapter;
  }

  /**
   * The checkout of a PENDING gift whose checkout could not be opened (the provider was busy):
   * asks again, with the same idempotency key, so it never opens two. Returns where to send the
   * donor: the checkout, or null when the gift is no longer waiting for payment.
   */
  async resumeCheckout(
    id: string,
    meta: { userAgent?: string } = {},
  ): Promise<{ checkoutUrl: string | null; donation: Donation }> {
    const donation = await this.get(id);
    if (donation.status !== 'PENDING') return { checkoutUrl: null, donation };
    if (donation.checkoutUrl) return { checkoutUrl: donation.checkoutUrl, donation };
    const campaign = await this.campaigns.getById(onlineCampaignId(donation));
    return { checkoutUrl: await this.openCheckout(donation, campaign, meta), donation };
  }

  /**
   * Inside WeChat, after WeChat's sign-in named the donor (their openid for this official
   * account): opens the gift's JSAPI order, whose pay sheet our payment page then calls. A gift no
   * longer waiting, or one that has its order already, is left as it is.
   */
  async openInWechat(id: string, openid: string): Promise<Donation> {
    const donation = await this.get(id);
    if (donation.status !== 'PENDING' || donation.provider !== 'WECHAT_PAY') return donation;
    if (donation.checkoutInvoke) return donation;
    const campaign = await this.campaigns.getById(onlineCampaignId(donation));
    await this.openCheckout(donation, campaign, { openid });
    return this.get(id);
  }

  /**
   * Opens the provider's checkout or order for a recorded gift; a busy provider is a 503 naming
   * the gift. Returns where to send the donor: the provider's page, or our own payment page for a
   * QR code (WeChat Pay Native) or an in-app pay sheet (JSAPI), which read what is kept on the gift.
   */
  private async openCheckout(
    donation: Donation,
    campaign: { slug: string; titleZh: string; titleEn: string },
    meta: { ip?: string; userAgent?: string; openid?: string },
  ): Promise<string> {
    if (donation.provider === 'OFFLINE') throw new DonationNotFoundError(donation.id);
    const adapter = this.rails.byName(donation.provider);
    const channel = meta.openid ? 'wechat' : checkoutChannel(meta.userAgent);
    if (
      adapter.rail === 'WECHAT_PAY' &&
      channel === 'wechat' &&
      !meta.openid &&
      this.wechatSignIn.oauth
    ) {
      // Inside WeChat, WeChat Pay's own pay sheet (JSAPI) needs the donor's openid: WeChat's
      // silent sign-in comes first, and its return opens the order (openInWechat).
      const signIn = `${this.config.publicUrl}/campaigns/${campaign.slug}/pay/${donation.id}/wechat-sign-in`;
      await this.tx.run((m) => this.repo.update(m, donation.id, { checkoutUrl: signIn }));
      return signIn;
    }
    let checkout;
    try {
      // Outside any transaction: a network call. The provider's idempotency key (from the
      // donation id) makes a retry of this step return the same checkout.
      checkout = await adapter.createOrder({
        donationId: donation.id,
        amountMinor: donation.amountMinor,
        currency: donation.currency,
        description: donation.locale === 'en' ? campaign.titleEn : campaign.titleZh,
        donorEmail: donation.donorEmail ?? '',
        monthly: donation.monthly,
        // Back in the donor's language.
        successUrl: `${this.config.publicUrl}/campaigns/${campaign.slug}/thanks?donation=${donation.id}&lang=${donation.locale}`,
        // Declined or abandoned: the form again (#give), with "nothing was charged".
        cancelUrl: `${this.config.publicUrl}/campaigns/${campaign.slug}/not-completed?donation=${donation.id}&lang=${donation.locale}#give`,
        locale: donation.locale,
        channel,
        openid: meta.openid,
        clientIp: meta.ip ?? donation.ip ?? undefined,
        expiresAt: new Date(donation.createdAt.getTime() + CHECKOUT_LIFETIME_SECONDS * 1000),
      });
    } catch (error) {
      if (error instanceof ProviderBusyError) {
        throw new ProviderBusyError(words('errors.donations.busy'), {
          donationId: donation.id,
          retryAfterSeconds: BUSY_RETRY_SECONDS,
          retry: `POST /api/v1/donations/${donation.id}/checkout`,
        });
      }
      throw error;
    }
    const payPage = `${this.config.publicUrl}/campaigns/${campaign.slug}/pay/${donation.id}`;
    // The sandbox answers with a path on this server; clients get an address they can open.
    const checkoutUrl =
      checkout.display === 'redirect'
        ? new URL(checkout.url, this.config.publicUrl).toString()
        : payPage;
    await this.tx.run((m) =>
      this.repo.update(m, donation.id, {
        providerSessionId: checkout.sessionId,
        checkoutUrl,
        checkoutQr: checkout.display === 'qr' ? checkout.qrContent : undefined,
        checkoutInvoke: checkout.display === 'jsapi' ? checkout.invoke : undefined,
      }),
    );
    return checkoutUrl;
  }

  /** Several gifts by id (a statement's lines), keyed by id; unknown ids are left out. */
  async getMany(ids: Iterable<string>): Promise<Map<string, Donation>> {
    const wanted = [...new Set(ids)].filter((id) => isUUID(id));
    return new Map((await this.repo.findMany(wanted)).map((d) => [d.id, d]));
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<Donation> {
    const donation = await this.repo.find(id, opts);
    if (!donation) throw new DonationNotFoundError(id);
    return donation;
  }

  /** Gifts for the back office (FINANCE, ADMIN), newest first, with a cursor to the next page. */
  async listForStaff(query: {
    campaignSlug?: string;
    status?: DonationStatus;
    email?: string;
    cursor?: string;
    limit: number;
  }): Promise<{ items: Donation[]; nextCursor: string | null }> {
    const after = query.cursor
      ? decodeCursor<{ id: string }>(query.cursor, (c) => isUUID(c.id))
      : undefined;
    const campaignId = query.campaignSlug
      ? (await this.campaigns.getForDonation(query.campaignSlug)).id
      : undefined;
    const rows = await this.repo.listForStaff({
      campaignId,
      status: query.status,
      email: query.email,
      afterId: after?.id,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeCursor({ id: last.id }) : null,
    };
  }

  /**
   * The latest gifts to a campaign as the public may see them: the donor's name, dedication and
   * message only when they gave online and did not ask to be anonymous, never an email.
   */
  async recentPublic(campaignId: string, limit = 20) {
    const gifts = await this.repo.recentForCampaign(campaignId, limit);
    return gifts.map((d) => {
      const shown = publicDonor(d);
      return {
        name: shown.name,
        // The gift itself: a fee cover the donor added goes to the processor, not the campaign.
        amountMinor: d.amountMinor - d.feeCoverMinor,
        matchedMinor: d.matchedMinor,
        currency: d.currency,
        monthly: d.monthly,
        dedication: shown.dedication,
        message: shown.message,
        at: d.succeededAt!,
      };
    });
  }

  /** What a visitor returning from checkout may see: status and amount, no personal data. */
  async publicStatus(id: string) {
    const d = await this.get(id);
    return {
      id: d.id,
      campaignId: d.campaignId,
      status: d.status,
      amountMinor: d.amountMinor,
      feeCoverMinor: d.feeCoverMinor,
      matchedMinor: d.matchedMinor,
      currency: d.currency,
      monthly: d.monthly,
    };
  }

  /**
   * The PaymentIntent a card gift's refund names: a monthly gift's first payment may not be
   * recorded yet (its invoice.paid not processed), so it is asked of the provider from the
   * invoice. Never booked as if offline: the money would leave the fund but not the provider.
   */
  private async paymentIdForRefund(donation: Donation): Promise<string> {
    if (donation.providerPaymentId) return donation.providerPaymentId;
    const recurring =
      donation.provider === 'OFFLINE' ? null : this.rails.recurringByName(donation.provider);
    const found =
      donation.providerInvoiceId && recurring
        ? await recurring.retrieveInvoicePayment(donation.providerInvoiceId)
        : null;
    if (!found) {
      throw new ConflictError(words('errors.donations.paymentNotConfirmed'));
    }
    return found.paymentId;
  }

  /**
   * FINANCE refunds a gift in full or in part through the provider; the provider's
   * charge.refunded webhook then books it (reversing the match share too). Offline gifts have no
   * provider: their refund is booked at once.
   */
  async requestRefund(
    id: string,
    amountMinor?: number,
    /** What the form showed as refunded already: a resubmitted form refunds nothing twice. */
    expectRefundedMinor?: number,
    /** Why (FINANCE's words): kept with the refund, shown on the gift's page and in the audit. */
    reason?: string,
  ): Promise<{ donationId: string; amountMinor: number; refundId: string; booked: boolean }> {
    const donation = await this.get(id);
    if (expectRefundedMinor !== undefined && donation.refundedMinor !== expectRefundedMinor) {
      throw new ConflictError(
        words('errors.donations.refundedSinceLoaded', {
          refunded: { amountMinor: donation.refundedMinor, currency: donation.currency },
        }),
      );
    }
    if (donation.status !== 'SUCCEEDED' && donation.status !== 'PARTIALLY_REFUNDED') {
      throw new DonationNotRefundableError(words('errors.donations.notRefundable'));
    }
    const remaining = donation.amountMinor - donation.refundedMinor;
    const amount = amountMinor ?? remaining;
    if (amount > remaining) {
      throw new DonationNotRefundableError(
        words('errors.donations.refundTooMuch', {
          remaining: { amountMinor: remaining, currency: donation.currency },
          asked: { amountMinor: amount, currency: donation.currency },
        }),
      );
    }
    const refundedAfter = donation.refundedMinor + amount;
    if (donation.provider === 'OFFLINE') {
      const refundId = `offline:${id}:${refundedAfter}`;
      await this.settlement.prepare();
      await this.tx.run(async (m) => {
        const locked = (await this.repo.lock(m, { id }))!;
        if (locked.refundedMinor !== donation.refundedMinor) {
          // Another refund of this gift was booked meanwhile: this one was based on old figures.
          throw new ConflictError(
            words('errors.donations.refundedMeanwhile', {
              refunded: { amountMinor: locked.refundedMinor, currency: locked.currency },
            }),
          );
        }
        await this.settlement.refundOffline(m, locked, refundedAfter);
        await this.audit.record(m, {
          action: 'donation.refunded',
          entityType: 'donation',
          entityId: id,
          after: { amountMinor: amount, refundedAfter, ...(reason ? { reason } : {}) },
        });
        await this.recordRefund(m, locked, { amount, refundId, reason, viaProvider: false });
      });
      return { donationId: id, amountMinor: amount, refundId, booked: true };
    }
    const paymentId = await this.paymentIdForRefund(donation);
    const { refundId } = await this.rails.byName(donation.provider).refund({
      donationId: id,
      paymentId,
      amountMinor: amount,
      idempotencyKey: `refund:${id}:${refundedAfter}`,
      sessionId: donation.providerSessionId ?? '',
      totalMinor: donation.amountMinor,
      currency: donation.currency,
      ...(reason ? { reason } : {}),
    });
    await this.tx.run(async (m) => {
      await this.audit.record(m, {
        action: 'donation.refund_requested',
        entityType: 'donation',
        entityId: id,
        after: { amountMinor: amount, refundId, ...(reason ? { reason } : {}) },
      });
      await this.recordRefund(m, donation, { amount, refundId, reason, viaProvider: true });
    });
    return { donationId: id, amountMinor: amount, refundId, booked: false };
  }

  /**
   * What a refund of `amountMinor` (the whole remaining gift when left out) would do, for the
   * confirmation page; refused as requestRefund would refuse it. Changes nothing.
   */
  async refundPreview(id: string, amountMinor?: number) {
    const donation = await this.get(id);
    const remainingMinor = donation.amountMinor - donation.refundedMinor;
    const amount = amountMinor ?? remainingMinor;
    if (donation.status !== 'SUCCEEDED' && donation.status !== 'PARTIALLY_REFUNDED') {
      throw new DonationNotRefundableError(words('errors.donations.notRefundable'));
    }
    if (amount > remainingMinor) {
      throw new DonationNotRefundableError(
        words('errors.donations.refundTooMuch', {
          remaining: { amountMinor: remainingMinor, currency: donation.currency },
          asked: { amountMinor: amount, currency: donation.currency },
        }),
      );
    }
    const title = await this.giftTitle(donation);
    return { donation, title, amountMinor: amount, remainingMinor };
  }

  /** What a gift was given to, as people name it: its campaign, or its fund (offline, no campaign). */
  private async giftTitle(
    donation: Donation,
    opts: TransactionOptions = {},
  ): Promise<{ titleZh: string; titleEn: string }> {
    if (donation.campaignId !== null) return this.campaigns.getById(donation.campaignId, opts);
    const fund = await this.funds.get(donation.fundId, opts);
    return { titleZh: fund.nameZh, titleEn: fund.nameEn };
  }

  /** The refunds of a gift with FINANCE's reasons, oldest first. */
  refundsOf(id: string) {
    return this.repo.refundsOf(id);
  }

  /** Keeps the refund's reason (when given) and tells the donor, in the refund's transaction. */
  private async recordRefund(
    m: EntityManager,
    donation: Donation,
    refund: { amount: number; refundId: string; reason?: string; viaProvider: boolean },
  ): Promise<void> {
    if (refund.reason) {
      await this.repo.insertRefund(m, {
        donationId: donation.id,
        amountMinor: refund.amount,
        currency: donation.currency,
        reason: refund.reason,
        refundRef: refund.refundId,
        requestedBy: staffId(RequestContext.actor()),
      });
    }
    await this.emails.refunded(m, donation, await this.giftTitle(donation, { within: m }), {
      amountMinor: refund.amount,
      refundRef: refund.refundId,
      at: new Date(),
      viaProvider: refund.viaProvider,
    });
  }

  /**
   * A donor stops their own monthly gift (from the portal). The provider confirms with
   * customer.subscription.deleted, which marks the gifts; a second request does nothing.
   */
  async stopMonthly(donorEmail: string, donationId: string): Promise<void> {
    const donation = await this.repo.find(donationId);
    if (!donation || donation.donorEmail !== donorEmail.toLowerCase()) {
      throw new DonationNotFoundError(donationId);
    }
    await this.stop(donation, 'portal');
  }

  /**
   * A link for the browser that started this gift (kept in an HttpOnly cookie, only its hash
   * here): coming back from a checkout that did not complete, it gets the form again, filled in
   * from the gift. Nothing personal travels in an address.
   */
  async returnToFormLink(donationId: string): Promise<string> {
    const token = newSecret();
    await this.tx.run(async (m) => {
      await this.repo.deleteExpiredLinks(m, 'RETURN_TO_FORM');
      await this.repo.insertLink(m, {
        tokenHash: hashSecret(token),
        purpose: 'RETURN_TO_FORM',
        donationId,
        expiresAt: new Date(Date.now() + RETURN_TO_FORM_SECONDS * 1000),
      });
    });
    return token;
  }

  /** The gift a live return-to-form link names, when it is `donationId`; otherwise null. */
  async byReturnToFormLink(token: string | undefined, donationId: string) {
    if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const donation = await this.repo.findByLink(hashSecret(token), 'RETURN_TO_FORM');
    return donation && donation.id === donationId ? donation : null;
  }

  /** The monthly gift a "stop" link from an email points to, with its campaign's titles. */
  async monthlyByLink(token: string) {
    const donation =
      /^[A-Za-z0-9_-]{20,100}$/.test(token) &&
      (await this.repo.findByLink(hashSecret(token), 'STOP_MONTHLY'));
    if (!donation || !donation.providerSubscriptionId) {
      throw new DonorLinkInvalidError();
    }
    const campaign = await this.campaigns.getById(onlineCampaignId(donation));
    return { donation, campaign };
  }

  /** Stops the monthly gift a link from an email points to, without signing in. */
  async stopMonthlyByLink(token: string): Promise<void> {
    const { donation } = await this.monthlyByLink(token);
    await this.stop(donation, 'email link');
  }

  private async stop(donation: Donation, via: 'portal' | 'email link' | 'erasure'): Promise<void> {
    const state = monthlyStopState(donation);
    if (state === 'none' || !donation.providerSubscriptionId) {
      throw new DonationNotFoundError(donation.id);
    }
    if (state === 'stopped') return;
    const recurring =
      donation.provider === 'OFFLINE' ? null : this.rails.recurringByName(donation.provider);
    if (!recurring) throw new DonationNotFoundError(donation.id);
    await recurring.cancelSubscription(donation.providerSubscriptionId);
    await this.tx.run((m) =>
      this.audit.record(m, {
        action: 'donation.monthly_stopped',
        entityType: 'donation',
        entityId: donation.id,
        after: { subscriptionId: donation.providerSubscriptionId, via },
      }),
    );
  }

  /** What an erasure of this address will touch: its gifts, and its monthly gifts running. */
  donorSummary(email: string) {
    return this.repo.donorSummary(email.toLowerCase());
  }

  /**
   * Stops every monthly gift of an address still running, through the usual stop (the provider
   * cancels the subscription; a second stop does nothing). Before an erasure: a stop that fails
   * throws, and nothing is erased. Returns how many were stopped.
   */
  async stopAllMonthly(email: string): Promise<number> {
    const { runningMonthly } = await this.repo.donorSummary(email.toLowerCase());
    for (const donation of runningMonthly) await this.stop(donation, 'erasure');
    return runningMonthly.length;
  }

  /**
   * Pseudonymises every gift of an address, in the caller's transaction (erasure: see
   * DonationsRepository.eraseDonor). Money is not touched. Returns the gifts changed.
   */
  eraseDonor(m: EntityManager, email: string, erased: { no: number; donorName: string }) {
    return this.repo.eraseDonor(m, email.toLowerCase(), erased);
  }

  /**
   * A donor's gifts for the donor portal, with their campaigns' titles (an offline gift recorded
   * straight into a fund: the fund's name).
   */
  async historyForDonor(email: string) {
    const donations = await this.repo.listByEmail(email.toLowerCase());
    const campaigns = await this.campaigns.getManyById(
      donations.flatMap((d) => (d.campaignId === null ? [] : [d.campaignId])),
    );
    const funds = new Map<string, { titleZh: string; titleEn: string }>();
    for (const d of donations) {
      if (d.campaignId !== null || funds.has(d.fundId)) continue;
      const fund = await this.funds.get(d.fundId);
      funds.set(d.fundId, { titleZh: fund.nameZh, titleEn: fund.nameEn });
    }
    return donations.map((d) => {
      const c = d.campaignId === null ? funds.get(d.fundId)! : campaigns.get(d.campaignId)!;
      return {
        ...d,
        campaign: { titleZh: c.titleZh, titleEn: c.titleEn },
        /** The portal's "stop" button: on the first gift of a subscription still running. */
        offersStop: offersMonthlyStop(d),
      };
    });
  }
}

/** The signed-in user behind a request, or null (the CLI, a token-less system actor). */
function staffId(actor: Actor | undefined): string | null {
  return actor?.kind === 'user' ? actor.userId : null;
}

/** An online gift's campaign: every online gift has one (only offline gifts go straight to a fund). */
function onlineCampaignId(donation: Donation): string {
  if (donation.campaignId === null) throw new DonationNotFoundError(donation.id);
  return donation.campaignId;
}
