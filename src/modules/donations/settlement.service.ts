import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CampaignTotalsService } from '../campaigns/campaign-totals.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import { OutboxWriter } from '../../queue/outbox-writer';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService } from '../funds/funds.service';
import { LedgerService } from '../ledger/ledger.service';
import type { NoMatchReason } from '../matching/match-amount';
import { MatchingService, type MatchableGift, type MatchPlan } from '../matching/matching.service';
import type { GiftRef, PaymentEvent } from '../payments/payment-events';
import { AmountMismatchError, UnknownDonationError } from './dead-letters';
import { DonorEmails } from './donor-emails';
import { refundEntry, settleEntry, type SettleAccounts } from './donation-journal';
import {
  isSettled,
  nextDonationStatus,
  statusAfterDispute,
  statusAfterRefund,
} from './donation-status';
import { DonationsRepository } from './donations.repository';
import type { Donation } from './donations.types';
import { holdAmount, lossAdvance, splitFromFund, unusedAdvance } from './dispute-amounts';

/** Thrown when an event arrived before what it depends on (a refund before the payment): retry later. */
export class NotYet extends Error {}

type Of<K extends PaymentEvent['kind']> = Extract<PaymentEvent, { kind: K }>;

/** The start of the donor's day in China (matching caps count per calendar day there). */
export function startOfDayShanghai(at: Date): Date {
  const shifted = new Date(at.getTime() + 8 * 3600_000);
  shifted.setUTCHours(0, 0, 0, 0);
  return new Date(shifted.getTime() - 8 * 3600_000);
}

/**
 * Applies one payment event inside the caller's transaction: the donation's state, its ledger
 * entries (gift, match, refunds), campaign totals and the outbox row that issues its receipt (and
 * thanks the donor), all or nothing. Every
 * step is idempotent (donation row lock, transition table, ledger idempotency keys), so duplicate,
 * late and out-of-order events change nothing twice.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);
  private clearing?: {
    clearingAccountId: string;
    offlineAccountId: string;
    feesAccountId: string;
    uncoveredAccountId: string;
  };

  constructor(
    private readonly repo: DonationsRepository,
    private readonly ledger: LedgerService,
    private readonly funds: FundsService,
    private readonly matching: MatchingService,
    private readonly campaigns: CampaignsService,
    private readonly campaignTotals: CampaignTotalsService,
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
    const fees = await this.ledger.ensureAccount({
      code: 'processor:fees',
      name: '支付手续费 / Payment processing fees',
      type: 'EXPENSE',
      currency,
      allowNegative: true,
      balanceSlots: 4,
    });
    // Dispute losses and fees a fund could no longer pay (its money was granted out): advanced
    // here, for FINANCE to settle (from the general fund) with a manual entry. See docs/donations.md.
    // A FUND account (that may go negative): an advance moves money between the foundation's own
    // accounts, so it is not "money raised", and what the foundation holds counts what it owes.
    const uncovered = await this.ledger.ensureAccount({
      code: 'disputes:uncovered',
      name: '争议损失垫付（待结清）/ Dispute losses advanced (to be settled)',
      type: 'FUND',
      currency,
      allowNegative: true,
      balanceSlots: 1,
    });
    this.clearing = {
      clearingAccountId: clearing.id,
      offlineAccountId: offline.id,
      feesAccountId: fees.id,
      uncoveredAccountId: uncovered.id,
    };
  }

  /**
   * Applies one provider-neutral event (each adapter translated its own notification). Returns
   * what happened, for the inbox's record; throws NotYet to be retried later.
   */
  async apply(m: EntityManager, event: PaymentEvent): Promise<string> {
    switch (event.kind) {
      case 'paid':
        return this.paid(m, event);
      case 'awaiting_payment':
        return 'awaiting payment';
      case 'failed':
      case 'expired':
        return this.unpaid(m, event.gift, event.kind);
      case 'payment_method':
        return this.paymentMethod(m, event);
      case 'refunded':
        return this.refunded(m, event);
      case 'dispute_opened':
        return this.disputed(m, event);
      case 'dispute_closed':
        return this.disputeClosed(m, event);
      case 'dispute_funds':
        return this.disputeFunds(m, event);
      case 'renewal_paid':
        return this.renewalPaid(m, event);
      case 'renewal_failed':
        return this.renewalFailed(m, event);
      case 'subscription_ended': {
        const n = await this.repo.markSubscriptionCancelled(m, event.subscriptionId);
        return `monthly gift stopped (${n} gifts marked)`;
      }
      case 'ignored':
        return event.why;
    }
  }

  /**
   * The gift a notification names, locked: by our donation id, else the checkout or order, else
   * the provider's payment, else its charge; the first that finds one wins.
   */
  private async lockGift(m: EntityManager, gift: GiftRef): Promise<Donation | null> {
    const tries: { id?: string; sessionId?: string; paymentId?: string; chargeId?: string }[] = [
      { id: gift.donationId },
      { sessionId: gift.sessionId },
      { paymentId: gift.paymentId },
      { chargeId: gift.chargeId },
    ];
    for (const by of tries) {
      if (!Object.values(by)[0]) continue;
      const found = await this.repo.lock(m, by);
      if (found) return found;
    }
    return null;
  }

  private async paid(m: EntityManager, event: Of<'paid'>): Promise<string> {
    const donation = await this.lockGift(m, event.gift);
    const ref = event.gift.sessionId ?? event.gift.paymentId ?? '?';
    if (!donation) {
      // Money was taken for a gift this deployment does not know: a person must look, so it is
      // retried, then a dead letter. A payment naming no gift of ours at all is not one of ours.
      if (!event.gift.donationId) return 'not a gift of this deployment';
      throw new UnknownDonationError(
        `order ${ref} names donation ${event.gift.donationId}, which does not exist`,
      );
    }
    const paid = event.paid;
    if (
      paid &&
      (paid.amountMinor !== donation.amountMinor ||
        (paid.currency !== undefined && paid.currency.toUpperCase() !== donation.currency))
    ) {
      // Never book a different amount than was paid: leave it for a person (and reconciliation).
      throw new AmountMismatchError(
        `order ${ref} paid ${paid.amountMinor} ${paid.currency ?? ''}, donation ${donation.id} is ${donation.amountMinor} ${donation.currency}`,
      );
    }
    return this.settle(m, donation, {
      paymentId: event.paymentId ?? event.gift.paymentId,
      chargeId: event.chargeId,
      subscriptionId: event.subscriptionId,
      invoiceId: event.invoiceId,
      fingerprint: event.fingerprint,
    });
  }

  /**
   * A charge went through: keeps the payment method's fingerprint (card, wallet account) on the
   * gift for the bot check. Stripe sends it around the session's completion, in either order: one
   * that comes first is counted by that settlement; one that comes after still counts for the
   * donor's next gifts. Never retried: a charge of no known gift changes nothing.
   */
  private async paymentMethod(m: EntityManager, event: Of<'payment_method'>): Promise<string> {
    const donation = await this.lockGift(m, event.gift);
    if (!donation) return 'unknown donation';
    const chargeId = donation.providerChargeId ? undefined : event.chargeId;
    if (donation.paymentFingerprint && !chargeId) return 'payment fingerprint known';
    await this.repo.update(m, donation.id, {
      paymentFingerprint: donation.paymentFingerprint ? undefined : event.fingerprint,
      providerChargeId: chargeId,
    });
    return 'payment fingerprint recorded';
  }

  /**
   * Books a received gift: ledger, match, donation, totals, thank-you. A repeat is a no-op.
   * Matching takes a slot of the sponsor's pool and the rule's row, which other matched gifts
   * may be waiting for: so the match is planned first (no lock), the donation is updated with
   * the planned amount and the outbox rows written, then the gift's entry is posted, the match
   * taken in one statement, and the campaign's totals added, just before the commit. Should the
   * pool or the rule allow less than planned by then (a pool running out), the donation is
   * corrected after it.
   */
  async settle(
    m: EntityManager,
    donation: Donation,
    ids: {
      paymentId?: string;
      chargeId?: string;
      subscriptionId?: string;
      invoiceId?: string;
      fingerprint?: string;
      /** When the money arrived, if not now (offline gifts recorded later); never in the future. */
      receivedAt?: Date;
    },
  ): Promise<string> {
    const next = nextDonationStatus(donation.status, 'paid');
    if (!next) return `already ${donation.status}`;
    const accounts = await this.accountsFor(m, donation);
    const now = new Date();
    const received = ids.receivedAt && ids.receivedAt < now ? ids.receivedAt : undefined;
    const fingerprint = ids.fingerprint ?? donation.paymentFingerprint;
    const succeededAt = received ?? now;
    const campaignId = donation.campaignId;
    const email = donation.donorEmail;
    // A gift straight into a fund (offline, no campaign) has no matching rule and no campaign
    // totals: the fund's ledger entry is all it changes.
    const gift: MatchableGift | null =
      campaignId === null
        ? null
        : {
            id: donation.id,
            campaignId,
            fundId: donation.fundId,
            amountMinor: donation.amountMinor,
            feeCoverMinor: donation.feeCoverMinor,
            currency: donation.currency,
            lockDonor: () => this.repo.lockDonor(m, { email, fingerprint }),
            // Paid gifts by email and payment method; staff-recorded offline gifts are not bot-like.
            paidRecently:
              donation.provider === 'OFFLINE'
                ? undefined
                : () =>
                    this.repo.paidRecently(m, {
                      email,
                      fingerprint,
                      at: succeededAt,
                      excludeId: donation.id,
                    }),
            at: succeededAt,
            receivedAt: received,
            // A donor without an email is a donor of one gift: email-less gifts are never lumped
            // together under one per-donor cap.
            donorMatchedToday: () =>
              email === null
                ? Promise.resolve(0)
                : this.repo.matchedForDonorSince(
                    m,
                    campaignId,
                    email,
                    startOfDayShanghai(succeededAt),
                  ),
          };
    const plan: MatchPlan = gift
      ? await this.matching.plan(m, gift)
      : { matchedMinor: 0, reason: 'NO_CAMPAIGN' as NoMatchReason };
    await this.repo.update(m, donation.id, {
      status: next,
      succeededAt,
      matchedMinor: plan.matchedMinor > 0 ? plan.matchedMinor : undefined,
      matchWithheldReason: plan.reason === 'VELOCITY' ? 'VELOCITY' : undefined,
      paymentFingerprint: fingerprint ?? undefined,
      providerPaymentId: ids.paymentId ?? donation.providerPaymentId ?? undefined,
      providerSubscriptionId: ids.subscriptionId ?? donation.providerSubscriptionId ?? undefined,
      providerInvoiceId: donation.providerInvoiceId ? undefined : ids.invoiceId,
      providerChargeId: donation.providerChargeId ? undefined : ids.chargeId,
    });
    if (donation.provider !== 'OFFLINE') {
      // The processor's fee is known a little later, from its balance transaction.
      await this.outboxWriter.add(
        m,
        'DONATION_FEE',
        { donationId: donation.id },
        `donation-fee:${donation.id}`,
      );
    }
    // The receipt is issued, and the thank-you carrying it sent, once this commits.
    await this.outboxWriter.add(
      m,
      'RECEIPT_SYNC',
      { donationId: donation.id },
      `receipt-sync:${donation.id}:received`,
    );
    // From here on every statement holds rows other settlements want (balance slots of the fund
    // and the clearing account, then a slot of the pool and the rule's row, then a campaign
    // totals slot: the order refunds take them in too) until the commit.
    await this.ledger.post(settleEntry(donation, accounts, received), { within: m });
    const match: { matchedMinor: number; reason?: string } = gift
      ? await this.matching.take(m, gift, plan)
      : plan;
    if (campaignId !== null) {
      await this.campaignTotals.recordGift(m, campaignId, {
        amountMinor: donation.amountMinor,
        matchedMinor: match.matchedMinor,
        // Each email-less gift counts as its own donor.
        donorKey: email ?? `gift:${donation.id}`,
      });
      if (match.matchedMinor !== plan.matchedMinor)
        await this.repo.update(m, donation.id, { matchedMinor: match.matchedMinor });
    }
    return match.matchedMinor > 0
      ? `settled, matched ${match.matchedMinor}`
      : `settled${match.reason ? ` (no match: ${match.reason})` : ''}`;
  }

  /**
   * A payment attempt failed, or the checkout expired or was closed unpaid. A failed attempt only
   * marks a PENDING gift FAILED (the donor may still try again: FAILED may become SUCCEEDED).
   */
  private async unpaid(
    m: EntityManager,
    gift: GiftRef,
    kind: 'failed' | 'expired',
  ): Promise<string> {
    const donation = await this.lockGift(m, gift);
    if (!donation) return 'unknown donation';
    const next = nextDonationStatus(donation.status, kind);
    if (!next) return `stays ${donation.status}`;
    await this.repo.update(m, donation.id, { status: next });
    return next;
  }

  /**
   * Money went back to the donor. A cumulative total (Stripe, Alipay) books the difference, once;
   * a single refund (WeChat Pay) is recorded once per (gift, refund reference) in
   * `payment_refunds`, in this transaction, and the sum of the gift's refunds is booked.
   */
  private async refunded(m: EntityManager, event: Of<'refunded'>): Promise<string> {
    const donation = await this.lockGift(m, event.gift);
    const ref = event.gift.paymentId ?? event.gift.chargeId ?? event.gift.sessionId ?? '?';
    if (!donation || !isSettled(donation.status))
      throw new NotYet(`no settled donation for payment ${ref} yet`);
    let total: number;
    if (event.refund) {
      const added = await this.repo.insertPaymentRefund(m, donation.id, event.refund);
      if (!added) return 'refund already booked';
      total = await this.repo.paymentRefundsTotal(m, donation.id);
    } else {
      total = event.refundedTotalMinor ?? 0;
    }
    const refundedTotal = Math.min(total, donation.amountMinor);
    if (event.chargeId && !donation.providerChargeId) {
      await this.repo.update(m, donation.id, { providerChargeId: event.chargeId });
    }
    await this.releaseForRefund(m, donation, refundedTotal);
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
    cause: 'REFUNDED' | 'DISPUTE_LOST' = 'REFUNDED',
  ): Promise<string> {
    const delta = refundedTotal - donation.refundedMinor;
    if (delta <= 0) return 'refund already booked';
    // Its receipt is voided (and corrected for what is kept) once this commits.
    await this.outboxWriter.add(
      m,
      'RECEIPT_SYNC',
      { donationId: donation.id, cause },
      `receipt-sync:${donation.id}:refunded:${refundedTotal}`,
    );
    const accounts = await this.accountsFor(m, donation);
    // The refund first: it locks the fund's balance slots before the match goes back to the pool,
    // the same order (fund, then pool) a settling gift takes them in, so the two never deadlock.
    await this.ledger.post(refundEntry(donation, refundedTotal, delta, accounts), { within: m });
    const matchBack = await this.matching.reverse(m, donation, refundedTotal);
    await this.repo.update(m, donation.id, {
      refundedMinor: refundedTotal,
      matchedMinor: donation.matchedMinor - matchBack,
      matchReturnedMinor: donation.matchReturnedMinor + matchBack,
      status: statusAfterRefund(donation.status, refundedTotal, donation.amountMinor),
    });
    if (donation.campaignId !== null) {
      await this.campaignTotals.recordRefund(m, donation.campaignId, {
        amountMinor: delta,
        matchedMinor: matchBack,
      });
    }
    return `refunded ${delta}${matchBack > 0 ? `, match given back ${matchBack}` : ''}`;
  }

  /*
   * Disputes (chargebacks and inquiries). While one is open, the disputed amount (what is left of
   * the gift after refunds) moves from the gift's fund to the fund's held account, so it cannot be
   * granted out or allocated; the fund never goes below zero for it: a fund that no longer holds
   * the whole amount (it was granted out) holds what it has. Closed as won (or an inquiry closed),
   * the hold goes back to the fund. Closed as lost, the processor has taken the money: the hold
   * goes back to the fund and the loss is booked as a refund (bookRefund: the same give-back of
   * the match, campaign totals and status as a refund). What the fund then lacks for the loss and
   * the match give-back is advanced from `disputes:uncovered`, for FINANCE to settle. The
   * processor's dispute fee (from the dispute's balance transactions) leaves the fund for
   * `processor:fees`, the same way. Keys: `donation:<id>:dispute:<dispute id>:<step>`.
   */

  private async disputed(m: EntityManager, dispute: Of<'dispute_opened'>): Promise<string> {
    const donation = await this.lockGift(m, dispute.gift);
    const disputeId = dispute.disputeId;
    if (!donation || !isSettled(donation.status))
      throw new NotYet(`no settled donation for dispute ${disputeId} yet`);
    // A gift's disputes are one at a time (one per charge on Stripe); the fee counts per dispute.
    const opened = this.disputeOpened(donation, disputeId)
      ? donation
      : { ...donation, providerDisputeId: disputeId, disputeFeeMinor: 0 };
    if (opened !== donation) {
      await this.repo.update(m, donation.id, {
        providerDisputeId: disputeId,
        disputeFeeMinor: 0,
        providerChargeId: donation.providerChargeId ? undefined : dispute.gift.chargeId,
      });
    }
    // The fee first: the fund pays its own costs while it can; the hold is what is left of it.
    const fee = await this.bookDisputeFee(m, opened, dispute);
    const next = nextDonationStatus(donation.status, 'disputed');
    // Already disputed (a repeat), or refunded in full before: nothing (more) to hold.
    if (!next) return `stays ${donation.status}${fee}`;
    const disputedMinor = Math.min(
      dispute.amountMinor ?? donation.amountMinor,
      donation.amountMinor - donation.refundedMinor,
    );
    const fundAccountId = await this.funds.accountIdOf(donation.fundId, { within: m });
    const heldAccountId = await this.funds.heldAccountIdOf(m, donation.fundId);
    const available = await this.fundBalance(m, fundAccountId);
    const heldMinor = holdAmount(disputedMinor, available);
    if (heldMinor > 0) {
      await this.ledger.post(
        {
          idempotencyKey: `donation:${donation.id}:dispute:${disputeId}:hold`,
          kind: 'DISPUTE_HOLD',
          description: `Held while dispute ${disputeId} on gift ${donation.id} is open`,
          currency: donation.currency,
          postings: [
            { accountId: fundAccountId, amountMinor: -heldMinor },
            { accountId: heldAccountId, amountMinor: heldMinor },
          ],
          metadata: { donationId: donation.id, disputeId, disputedMinor },
        },
        { within: m },
      );
    }
    await this.repo.update(m, donation.id, { status: next, disputeHeldMinor: heldMinor });
    const short = disputedMinor - heldMinor;
    return `held ${heldMinor} by dispute${short > 0 ? ` (${short} no longer in the fund)` : ''}${fee}`;
  }

  /** Closed: won (or an inquiry closed) gives the hold back; lost books it as a refund. */
  private async disputeClosed(m: EntityManager, dispute: Of<'dispute_closed'>): Promise<string> {
    const donation = await this.lockGift(m, dispute.gift);
    const disputeId = dispute.disputeId;
    if (!donation) throw new NotYet(`no donation for dispute ${disputeId} yet`);
    if (donation.status !== 'DISPUTED') {
      // Closed before its opening was processed: wait for it. Already closed: only the fee.
      if (!this.disputeOpened(donation, disputeId))
        throw new NotYet(`dispute ${disputeId} not opened yet`);
      return `dispute already closed${await this.bookDisputeFee(m, donation, dispute)}`;
    }
    const key = `donation:${donation.id}:dispute:${disputeId}`;
    await this.releaseHold(m, donation, donation.disputeHeldMinor, `${key}:release`);
    const undisputed: Donation = {
      ...donation,
      status: statusAfterDispute(donation.refundedMinor),
      disputeHeldMinor: 0,
    };
    await this.repo.update(m, donation.id, { status: undisputed.status, disputeHeldMinor: 0 });
    let outcome: string;
    if (dispute.outcome === 'lost') {
      const lostMinor = Math.min(
        dispute.amountMinor ?? donation.amountMinor,
        donation.amountMinor - donation.refundedMinor,
      );
      outcome = `dispute lost: ${await this.bookLoss(m, undisputed, lostMinor, key)}`;
    } else {
      outcome = `dispute ${dispute.outcome}, hold returned`;
    }
    return `${outcome}${await this.bookDisputeFee(m, undisputed, dispute)}`;
  }

  /** funds_withdrawn / funds_reinstated: only the fee can have changed. */
  private async disputeFunds(m: EntityManager, dispute: Of<'dispute_funds'>): Promise<string> {
    const donation = await this.lockGift(m, dispute.gift);
    const disputeId = dispute.disputeId;
    if (!donation || !this.disputeOpened(donation, disputeId))
      throw new NotYet(`dispute ${disputeId} not opened yet`);
    return `dispute funds${await this.bookDisputeFee(m, donation, dispute)}`;
  }

  /**
   * The fund's balance, read without locking it: locking all its slots here, before postings that
   * also touch the clearing or fee accounts, would take locks in another order than settlements
   * and fee jobs do (a deadlock). The postings are still checked by the database under its lock: if
   * another outflow came in between, the entry is refused and the event retried.
   */
  private fundBalance(m: EntityManager, fundAccountId: string): Promise<number> {
    return this.ledger.balance(fundAccountId, { within: m });
  }

  /** Whether charge.dispute.created was booked for this gift. */
  private disputeOpened(donation: Donation, disputeId: string): boolean {
    return donation.providerDisputeId === disputeId;
  }

  /**
   * The lost amount as a refund of that much more: bookRefund takes it from the fund (the hold
   * was just returned to it) and gives the match back. What the fund lacks for the loss plus the
   * match still with it (the most that can go back) is advanced from `disputes:uncovered` first;
   * what the give-back did not need of that advance returns to it.
   */
  private async bookLoss(
    m: EntityManager,
    donation: Donation,
    lostMinor: number,
    key: string,
  ): Promise<string> {
    if (lostMinor <= 0) return 'nothing left to take';
    const { uncoveredAccountId } = this.accounts();
    const fundAccountId = await this.funds.accountIdOf(donation.fundId, { within: m });
    const before = await this.fundBalance(m, fundAccountId);
    const advance = lossAdvance({
      lostMinor,
      matchedMinor: donation.matchedMinor,
      fundBeforeMinor: before,
    });
    if (advance > 0) {
      await this.ledger.post(
        {
          idempotencyKey: `${key}:advance`,
          kind: 'DISPUTE_ADVANCE',
          description: `Lost dispute on gift ${donation.id}: advanced what the fund no longer holds`,
          currency: donation.currency,
          postings: [
            { accountId: uncoveredAccountId, amountMinor: -advance },
            { accountId: fundAccountId, amountMinor: advance },
          ],
          metadata: { donationId: donation.id },
        },
        { within: m },
      );
    }
    const booked = await this.bookRefund(
      m,
      donation,
      donation.refundedMinor + lostMinor,
      'DISPUTE_LOST',
    );
    const after = await this.repo.find(donation.id, { within: m });
    const matchBack = donation.matchedMinor - (after?.matchedMinor ?? donation.matchedMinor);
    const unused = unusedAdvance({
      advanceMinor: advance,
      lostMinor,
      matchBackMinor: matchBack,
      fundBeforeMinor: before,
    });
    if (unused > 0) {
      await this.ledger.post(
        {
          idempotencyKey: `${key}:advance-unused`,
          kind: 'DISPUTE_ADVANCE',
          description: `Lost dispute on gift ${donation.id}: advance not needed`,
          currency: donation.currency,
          postings: [
            { accountId: fundAccountId, amountMinor: -unused },
            { accountId: uncoveredAccountId, amountMinor: unused },
          ],
          metadata: { donationId: donation.id },
        },
        { within: m },
      );
    }
    const advanced = advance - unused;
    return `${booked}${advanced > 0 ? `, ${advanced} advanced (no longer in the fund)` : ''}`;
  }

  /** A refund during an open dispute is paid from the hold first (it is that gift's money). */
  private async releaseForRefund(
    m: EntityManager,
    donation: Donation,
    refundedTotal: number,
  ): Promise<void> {
    const delta = refundedTotal - donation.refundedMinor;
    const amount = Math.min(Math.max(delta, 0), donation.disputeHeldMinor);
    if (amount <= 0) return;
    await this.releaseHold(
      m,
      donation,
      amount,
      `donation:${donation.id}:dispute:release-for-refund:${refundedTotal}`,
    );
    await this.repo.update(m, donation.id, {
      disputeHeldMinor: donation.disputeHeldMinor - amount,
    });
  }

  /** Moves held money back from the fund's held account to the fund. */
  private async releaseHold(
    m: EntityManager,
    donation: Donation,
    amountMinor: number,
    idempotencyKey: string,
  ): Promise<void> {
    if (amountMinor <= 0) return;
    const fundAccountId = await this.funds.accountIdOf(donation.fundId, { within: m });
    const heldAccountId = await this.funds.heldAccountIdOf(m, donation.fundId);
    await this.ledger.post(
      {
        idempotencyKey,
        kind: 'DISPUTE_RELEASE',
        description: `Dispute hold on gift ${donation.id} returned to its fund`,
        currency: donation.currency,
        postings: [
          { accountId: heldAccountId, amountMinor: -amountMinor },
          { accountId: fundAccountId, amountMinor },
        ],
        metadata: { donationId: donation.id },
      },
      { within: m },
    );
  }

  /**
   * Books the change in the dispute's fees since the last event (they are cumulative in its
   * balance transactions): a new fee leaves the fund (what it lacks is advanced from
   * `disputes:uncovered`) for `processor:fees`; a fee given back returns to the fund.
   */
  private async bookDisputeFee(
    m: EntityManager,
    donation: Donation,
    dispute: { disputeId: string; feeTotalMinor?: number },
  ): Promise<string> {
    const total = dispute.feeTotalMinor;
    if (total === undefined || total === donation.disputeFeeMinor) return '';
    const delta = total - donation.disputeFeeMinor;
    const { feesAccountId, uncoveredAccountId } = this.accounts();
    const fundAccountId = await this.funds.accountIdOf(donation.fundId, { within: m });
    let postings: { accountId: string; amountMinor: number }[];
    if (delta > 0) {
      const available = await this.fundBalance(m, fundAccountId);
      const { fromFundMinor, advancedMinor } = splitFromFund(delta, available);
      postings = [
        { accountId: fundAccountId, amountMinor: -fromFundMinor },
        { accountId: uncoveredAccountId, amountMinor: -advancedMinor },
        { accountId: feesAccountId, amountMinor: delta },
      ].filter((p) => p.amountMinor !== 0);
    } else {
      postings = [
        { accountId: feesAccountId, amountMinor: delta },
        { accountId: fundAccountId, amountMinor: -delta },
      ];
    }
    await this.ledger.post(
      {
        idempotencyKey: `donation:${donation.id}:dispute:${dispute.disputeId}:fee:${donation.disputeFeeMinor}:${total}`,
        kind: 'PROCESSOR_FEE',
        description: `Dispute fee for gift ${donation.id}`,
        currency: donation.currency,
        postings,
        metadata: { donationId: donation.id, disputeId: dispute.disputeId, disputeFeeMinor: total },
      },
      { within: m },
    );
    await this.repo.update(m, donation.id, { disputeFeeMinor: total });
    return `, dispute fee ${total}`;
  }

  /**
   * A monthly gift's invoice was paid. The first invoice is the checkout's own payment: it only
   * brings the PaymentIntent (and charge) of that gift. Every later invoice is a new gift: its own
   * donation, ledger entry and receipt, one per invoice.
   */
  private async renewalPaid(m: EntityManager, invoice: Of<'renewal_paid'>): Promise<string> {
    const { subscriptionId, invoiceId } = invoice;
    const first = await this.repo.firstOfSubscription(m, subscriptionId);
    if (!first) throw new NotYet(`subscription ${subscriptionId} not known yet`);
    const payment = { paymentId: invoice.paymentId, chargeId: invoice.chargeId };
    if (invoice.first) {
      const locked = (await this.repo.lock(m, { id: first.id }))!;
      await this.repo.update(m, first.id, {
        providerPaymentId: locked.providerPaymentId ? undefined : payment.paymentId,
        providerChargeId: locked.providerChargeId ? undefined : payment.chargeId,
        providerInvoiceId: locked.providerInvoiceId ? undefined : invoiceId,
      });
      return `first payment is the checkout itself${payment.paymentId ? '' : ' (payment to be looked up)'}`;
    }
    if (await this.repo.findRenewal(m, subscriptionId, invoiceId)) return 'renewal already booked';
    const amountMinor = invoice.amountMinor ?? first.amountMinor;
    const renewal = await this.repo.insert(m, {
      campaignId: first.campaignId,
      fundId: first.fundId,
      amountMinor,
      // The subscription bills what the first gift was, fee cover included: the cover stays the
      // cover (not matched); a different amount (a changed price) is taken as all gift.
      feeCoverMinor: amountMinor === first.amountMinor ? first.feeCoverMinor : 0,
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
      receiptAddress: first.receiptAddress,
      receiptTaxId: first.receiptTaxId,
    });
    return this.settle(m, renewal, { ...payment, subscriptionId, invoiceId });
  }

  private async renewalFailed(m: EntityManager, invoice: Of<'renewal_failed'>): Promise<string> {
    const first = await this.repo.firstOfSubscription(m, invoice.subscriptionId);
    // Monthly gifts are online gifts to a campaign, with the donor's email.
    if (!first || first.campaignId === null || first.donorEmail === null)
      return 'unknown subscription';
    const campaign = await this.campaigns.getById(first.campaignId, { within: m });
    await this.emails.renewalFailed(
      m,
      first,
      campaign,
      invoice.amountDueMinor ?? first.amountMinor,
      invoice.invoiceId ?? invoice.subscriptionId,
    );
    return 'donor told';
  }

  private accounts(): NonNullable<SettlementService['clearing']> {
    if (!this.clearing) throw new Error('SettlementService.prepare() must run before apply()');
    return this.clearing;
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
