import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CampaignsService } from '../campaigns/campaigns.service';
import { OutboxWriter } from '../../queue/outbox-writer';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService } from '../funds/funds.service';
import { LedgerService } from '../ledger/ledger.service';
import { MatchingService } from '../matching/matching.service';
import type { ProviderEvent } from '../payments/payment-provider';
import { DonorEmails } from './donor-emails';
import { refundEntry, settleEntry, type SettleAccounts } from './donation-journal';
import { isSettled, nextDonationStatus } from './donation-status';
import { DonationsRepository } from './donations.repository';
import type { Donation } from './donations.types';
import { idOf, invoicePayment, invoiceSubscriptionId } from './stripe-objects';

/** Thrown when an event arrived before what it depends on (a refund before the payment): retry later. */
export class NotYet extends Error {}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' ? (v as Obj) : undefined);

/** The start of the donor's day in China (matching caps count per calendar day there). */
function startOfDayShanghai(at: Date): Date {
  const shifted = new Date(at.getTime() + 8 * 3600_000);
  shifted.setUTCHours(0, 0, 0, 0);
  return new Date(shifted.getTime() - 8 * 3600_000);
}

/**
 * Applies one payment event inside the caller's transaction: the donation's state, its ledger
 * entries (gift, match, refunds), campaign totals and the thank-you email, all or nothing. Every
 * step is idempotent (donation row lock, transition table, ledger idempotency keys), so duplicate,
 * late and out-of-order events change nothing twice.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);
  private clearing?: { clearingAccountId: string; offlineAccountId: string };

  constructor(
    private readonly repo: DonationsRepository,
    private readonly ledger: LedgerService,
    private readonly funds: FundsService,
    private readonly matching: MatchingService,
    private readonly campaigns: CampaignsService,
    private readonly emails: DonorEmails,
    private readonly foundation: FoundationService,
    private readonly outboxWriter: OutboxWriter,
  ) {}

  /**
   * Creates the processor clearing account on first use, in its own transaction: not in the
   * event's transaction (which may roll back), and before it opens (embedded mode has one
   * connection). Called by the inbox before each event.
   */
  async prepare(): Promise<void> {
    if (this.clearing) return;
    const currency = (await this.foundation.getProfile()).currency.trim();
    const clearing = await this.ledger.ensureAccount({
      code: 'processor:clearing',
      name: '支付渠道待清算 / Payment processor clearing',
      type: 'CLEARING',
      currency,
      allowNegative: true,
      balanceSlots: 16,
    });
    const offline = await this.ledger.ensureAccount({
      code: 'external:offline-gifts',
      name: '线下捐赠（银行转账、现金）/ Offline gifts (bank transfer, cash)',
      type: 'EXTERNAL',
      currency,
      allowNegative: true,
      balanceSlots: 4,
    });
    this.clearing = { clearingAccountId: clearing.id, offlineAccountId: offline.id };
  }

  /** Returns what happened, for the inbox's record; throws NotYet to be retried later. */
  async apply(m: EntityManager, event: ProviderEvent): Promise<string> {
    const o = event.data.object;
    switch (event.type) {
      case 'checkout.session.completed':
        // Delayed payment methods complete the session unpaid; async_payment_succeeded follows.
        if (o.payment_status !== 'paid' && o.payment_status !== 'no_payment_required')
          return 'awaiting payment';
        return this.paid(m, o);
      case 'checkout.session.async_payment_succeeded':
        return this.paid(m, o);
      case 'checkout.session.async_payment_failed':
        return this.unpaid(m, o, 'failed');
      case 'checkout.session.expired':
        return this.unpaid(m, o, 'expired');
      case 'charge.refunded':
        return this.refunded(m, o);
      case 'charge.dispute.created':
        return this.disputed(m, o);
      case 'charge.dispute.closed':
        return this.disputeClosed(m, o);
      case 'invoice.paid':
        return this.renewalPaid(m, o);
      case 'invoice.payment_failed':
        return this.renewalFailed(m, o);
      case 'customer.subscription.deleted': {
        const id = str(o.id);
        const n = id ? await this.repo.markSubscriptionCancelled(m, id) : 0;
        return `monthly gift stopped (${n} gifts marked)`;
      }
      default:
        return `ignored ${event.type}`;
    }
  }

  private donationIdOf(session: Obj): string | undefined {
    return str(obj(session.metadata)?.donation_id) ?? str(session.client_reference_id);
  }

  private async paid(m: EntityManager, session: Obj): Promise<string> {
    const id = this.donationIdOf(session);
    const donation = id
      ? await this.repo.lock(m, { id })
      : await this.repo.lock(m, { sessionId: str(session.id) });
    if (!donation) return 'unknown donation';
    const paidMinor = num(session.amount_total);
    if (paidMinor !== undefined && paidMinor !== donation.amountMinor) {
      // Never book a different amount than was paid: leave it for a person (and reconciliation).
      throw new Error(
        `session ${String(session.id)} paid ${paidMinor}, donation ${donation.id} is ${donation.amountMinor}`,
      );
    }
    return this.settle(m, donation, {
      paymentId: idOf(session.payment_intent),
      subscriptionId: idOf(session.subscription),
      // A monthly gift's first invoice: its PaymentIntent can be looked up from it.
      invoiceId: idOf(session.invoice),
    });
  }

  /**
   * Books a received gift: ledger, match, donation, totals, thank-you. A repeat is a no-op.
   * Everything that does not depend on the match comes before it: matching locks the pool, which
   * every matched gift waits for, so what follows the lock is as few statements as possible.
   */
  async settle(
    m: EntityManager,
    donation: Donation,
    ids: { paymentId?: string; chargeId?: string; subscriptionId?: string; invoiceId?: string },
  ): Promise<string> {
    const next = nextDonationStatus(donation.status, 'paid');
    if (!next) return `already ${donation.status}`;
    const accounts = await this.accountsFor(m, donation);
    await this.ledger.post(settleEntry(donation, accounts), { within: m });
    const recentGifts = await this.repo.recentFrom(
      m,
      donation.donorEmail,
      donation.ip,
      donation.createdAt,
    );
    if (donation.provider !== 'OFFLINE') {
      // The processor's fee is known a little later, from its balance transaction.
      await this.outboxWriter.add(
        m,
        'DONATION_FEE',
        { donationId: donation.id },
        `donation-fee:${donation.id}`,
      );
    }
    const campaign = await this.campaigns.getById(donation.campaignId, m);
    const succeededAt = new Date();
    const match = await this.matching.match(m, {
      id: donation.id,
      campaignId: donation.campaignId,
      fundId: donation.fundId,
      amountMinor: donation.amountMinor,
      currency: donation.currency,
      recentGifts,
      at: succeededAt,
      donorMatchedToday: () =>
        this.repo.matchedForDonorSince(
          m,
          donation.campaignId,
          donation.donorEmail,
          startOfDayShanghai(succeededAt),
        ),
    });
    await this.repo.update(m, donation.id, {
      status: next,
      succeededAt,
      matchedMinor: match.matchedMinor > 0 ? match.matchedMinor : undefined,
      providerPaymentId: ids.paymentId ?? donation.providerPaymentId ?? undefined,
      providerSubscriptionId: ids.subscriptionId ?? donation.providerSubscriptionId ?? undefined,
      providerInvoiceId: donation.providerInvoiceId ? undefined : ids.invoiceId,
      providerChargeId: donation.providerChargeId ? undefined : ids.chargeId,
    });
    await this.campaigns.recordGift(m, donation.campaignId, {
      amountMinor: donation.amountMinor,
      matchedMinor: match.matchedMinor,
      donorKey: donation.donorEmail,
    });
    await this.emails.thanks(m, donation, campaign, match.matchedMinor);
    return match.matchedMinor > 0
      ? `settled, matched ${match.matchedMinor}`
      : `settled${match.reason ? ` (no match: ${match.reason})` : ''}`;
  }

  private async unpaid(
    m: EntityManager,
    session: Obj,
    kind: 'failed' | 'expired',
  ): Promise<string> {
    const id = this.donationIdOf(session);
    const donation = id ? await this.repo.lock(m, { id }) : null;
    if (!donation) return 'unknown donation';
    const next = nextDonationStatus(donation.status, kind);
    if (!next) return `stays ${donation.status}`;
    await this.repo.update(m, donation.id, { status: next });
    return next;
  }

  /** charge.refunded carries the cumulative refunded amount: book the difference, once. */
  private async refunded(m: EntityManager, charge: Obj): Promise<string> {
    const paymentId = idOf(charge.payment_intent);
    const chargeId = str(charge.id);
    const donation = await this.repo.lock(m, { paymentId, chargeId });
    if (!donation || !isSettled(donation.status))
      throw new NotYet(`no settled donation for payment ${paymentId ?? chargeId ?? '?'} yet`);
    const refundedTotal = Math.min(num(charge.amount_refunded) ?? 0, donation.amountMinor);
    if (chargeId && !donation.providerChargeId) {
      await this.repo.update(m, donation.id, { providerChargeId: chargeId });
    }
    return this.bookRefund(m, donation, refundedTotal);
  }

  /** A refund with no provider behind it (offline gifts): booked directly. */
  refundOffline(m: EntityManager, donation: Donation, refundedTotal: number): Promise<string> {
    return this.bookRefund(m, donation, refundedTotal);
  }

  private async bookRefund(
    m: EntityManager,
    donation: Donation,
    refundedTotal: number,
  ): Promise<string> {
    const delta = refundedTotal - donation.refundedMinor;
    if (delta <= 0) return 'refund already booked';
    const accounts = await this.accountsFor(m, donation);
    // The refund first: it locks the fund's balance slots before the match goes back to the pool,
    // the same order (fund, then pool) a settling gift takes them in, so the two never deadlock.
    await this.ledger.post(refundEntry(donation, refundedTotal, delta, accounts), { within: m });
    const matchBack = await this.matching.reverse(
      m,
      donation,
      donation.refundedMinor,
      refundedTotal,
    );
    const status = nextDonationStatus(
      donation.status,
      refundedTotal >= donation.amountMinor ? 'refunded_all' : 'refunded_part',
    );
    await this.repo.update(m, donation.id, {
      refundedMinor: refundedTotal,
      matchedMinor: donation.matchedMinor - matchBack,
      status: status ?? (donation.status === 'DISPUTED' ? 'REFUNDED' : donation.status),
    });
    await this.campaigns.recordRefund(m, donation.campaignId, {
      amountMinor: delta,
      matchedMinor: matchBack,
    });
    return `refunded ${delta}${matchBack > 0 ? `, match given back ${matchBack}` : ''}`;
  }

  private async disputed(m: EntityManager, dispute: Obj): Promise<string> {
    const paymentId = str(dispute.payment_intent);
    const donation = paymentId ? await this.repo.lock(m, { paymentId }) : null;
    if (!donation || !isSettled(donation.status))
      throw new NotYet(`no settled donation for payment ${paymentId ?? '?'} yet`);
    const next = nextDonationStatus(donation.status, 'disputed');
    if (!next) return `stays ${donation.status}`;
    await this.repo.update(m, donation.id, { status: next });
    return 'frozen by dispute';
  }

  /** A lost dispute takes the money back like a full refund; a won one unfreezes the gift. */
  private async disputeClosed(m: EntityManager, dispute: Obj): Promise<string> {
    const paymentId = str(dispute.payment_intent);
    const donation = paymentId ? await this.repo.lock(m, { paymentId }) : null;
    if (!donation || donation.status !== 'DISPUTED')
      throw new NotYet(`no disputed donation for payment ${paymentId ?? '?'} yet`);
    if (dispute.status === 'lost') return this.bookRefund(m, donation, donation.amountMinor);
    await this.repo.update(m, donation.id, {
      status: nextDonationStatus('DISPUTED', 'dispute_won')!,
    });
    return 'dispute won';
  }

  /**
   * invoice.paid. The first invoice of a monthly gift is the checkout's own payment: it only
   * brings the PaymentIntent (and charge) of that gift. Every later invoice is a new gift: its own
   * donation, ledger entry and receipt, one per invoice. The invoice is read in the current API
   * format (stripe-objects.ts), legacy fields tolerated.
   */
  private async renewalPaid(m: EntityManager, invoice: Obj): Promise<string> {
    const subscriptionId = invoiceSubscriptionId(invoice);
    const invoiceId = str(invoice.id);
    if (!subscriptionId || !invoiceId) return 'not a subscription invoice';
    const first = await this.repo.firstOfSubscription(m, subscriptionId);
    if (!first) throw new NotYet(`subscription ${subscriptionId} not known yet`);
    const payment = invoicePayment(invoice);
    if (invoice.billing_reason === 'subscription_create') {
      const locked = (await this.repo.lock(m, { id: first.id }))!;
      await this.repo.update(m, first.id, {
        providerPaymentId: locked.providerPaymentId ? undefined : payment.paymentId,
        providerChargeId: locked.providerChargeId ? undefined : payment.chargeId,
        providerInvoiceId: locked.providerInvoiceId ? undefined : invoiceId,
      });
      return `first payment is the checkout itself${payment.paymentId ? '' : ' (payment to be looked up)'}`;
    }
    if (await this.repo.findRenewal(m, subscriptionId, invoiceId)) return 'renewal already booked';
    const renewal = await this.repo.insert(m, {
      campaignId: first.campaignId,
      fundId: first.fundId,
      amountMinor: num(invoice.amount_paid) ?? first.amountMinor,
      feeCoverMinor: 0,
      currency: first.currency,
      donorName: first.donorName,
      donorEmail: first.donorEmail,
      anonymous: first.anonymous,
      message: '',
      dedication: first.dedication,
      monthly: true,
      locale: first.locale,
      provider: first.provider,
      ip: null,
      parentDonationId: first.id,
      providerSubscriptionId: subscriptionId,
      providerInvoiceId: invoiceId,
      providerPaymentId: payment.paymentId,
    });
    return this.settle(m, renewal, { ...payment, subscriptionId, invoiceId });
  }

  private async renewalFailed(m: EntityManager, invoice: Obj): Promise<string> {
    const subscriptionId = invoiceSubscriptionId(invoice);
    const first = subscriptionId ? await this.repo.firstOfSubscription(m, subscriptionId) : null;
    if (!first) return 'unknown subscription';
    const campaign = await this.campaigns.getById(first.campaignId, m);
    await this.emails.renewalFailed(
      m,
      first,
      campaign,
      num(invoice.amount_due) ?? first.amountMinor,
      str(invoice.id) ?? subscriptionId!,
    );
    return 'donor told';
  }

  /** Where a gift's money comes from: the processor, or the offline-gifts account for bank and cash. */
  private async accountsFor(
    m: EntityManager,
    donation: Pick<Donation, 'fundId' | 'provider'>,
  ): Promise<SettleAccounts> {
    if (!this.clearing) throw new Error('SettlementService.prepare() must run before apply()');
    const source =
      donation.provider === 'OFFLINE'
        ? this.clearing.offlineAccountId
        : this.clearing.clearingAccountId;
    const fundAccountId = await this.funds.accountIdOf(donation.fundId, { within: m });
    return { clearingAccountId: source, fundAccountId };
  }
}
