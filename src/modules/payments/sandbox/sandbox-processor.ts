import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { TransactionService } from '../../../database/transaction.service';
import type { RefundRequest } from '../payment-provider';
import {
  RefundExceedsPaymentError,
  RefundKeyReusedError,
  SandboxCheckoutDeclinedError,
  SandboxCheckoutNotFoundError,
  SandboxCheckoutPaidError,
  SandboxOnlyError,
  SandboxPaymentNotFoundError,
  SandboxSubscriptionCancelledError,
  SandboxSubscriptionNotFoundError,
} from '../payments.errors';
import { STRIPE_API_VERSION } from '../stripe/stripe.client';
import { refundIdempotencyKey } from '../stripe/stripe-params';
import {
  chargeObject,
  checkoutSessionObject,
  declinedPaymentIntentObject,
  invoiceObject,
  type PaymentSnapshot,
  sandboxFee,
  SESSION_LIFETIME_SECONDS,
  type SessionSnapshot,
  type StripeObject,
  stripeEvent,
  subscriptionObject,
} from './sandbox-events';
import { sandboxId } from './sandbox-ids';
import { SandboxWebhookSender } from './sandbox-webhooks';
import {
  type NewSandboxSession,
  SandboxRepository,
  type StoredSandboxEvent,
} from './sandbox.repository';

/** Where the sandbox's hosted checkout page lives (a path on this app). */
export const sandboxCheckoutPath = (sessionId: string): string => `/sandbox/checkout/${sessionId}`;

/** How many overdue checkouts one `expireOverdue` pass closes. */
export const EXPIRE_BATCH = 100;

export interface RenewalResult {
  eventId: string;
  type: 'invoice.paid' | 'invoice.payment_failed';
  invoiceId: string;
  /** The renewal's payment (null when it failed). */
  paymentId: string | null;
  amountMinor: number;
  currency: string;
  /** The webhook endpoint's HTTP status. */
  status: number;
}

/**
 * The fake card processor behind the sandbox: what happens on Stripe's side. It keeps the
 * sessions, payments, refunds and subscriptions, and everything Stripe would announce by webhook
 * it announces the same way: a Stripe-shaped event, stored in the same transaction as the change,
 * signed with the webhook secret and posted over HTTP to this app's own `/webhooks/stripe`.
 *
 * Like Stripe, the API calls (refund, cancel) return first and their events arrive afterwards
 * (`deliverLater`); the donor's actions on the checkout page (`pay`, `decline`) and
 * `simulateRenewal` deliver before they answer, so the donor's next page and the CLI's output
 * already show the outcome. `SandboxProvider` is the payment port over it.
 */
@Injectable()
export class SandboxProcessor {
  constructor(
    private readonly config: AppConfig,
    private readonly transactions: TransactionService,
    private readonly repository: SandboxRepository,
    private readonly sender: SandboxWebhookSender,
  ) {}

  /** One checkout session per donation: a second call returns the first session. */
  openSession(data: NewSandboxSession): Promise<SessionSnapshot> {
    return this.repository.insertSessionOnce(data);
  }

  /**
   * Refunds part or all of a payment, once per idempotency key (a repeat returns the first
   * refund; the same key for another payment or amount is refused, as Stripe refuses it). The
   * `charge.refunded` event, with the cumulative `amount_refunded`, follows asynchronously.
   */
  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    const { refundId, events } = await this.transactions.run(async (manager) => {
      const found = await this.repository.lockPayment(manager, request.paymentId);
      if (!found) throw new SandboxPaymentNotFoundError(request.paymentId);
      const earlier = await this.repository.findRefund(manager, request.idempotencyKey);
      if (earlier) {
        if (
          earlier.paymentId !== request.paymentId ||
          earlier.amountMinor !== request.amountMinor
        ) {
          throw new RefundKeyReusedError(request.idempotencyKey);
        }
        return { refundId: earlier.id, events: [] };
      }
      const { payment, sessionId } = found;
      const left = payment.amountMinor - payment.refundedMinor;
      if (request.amountMinor > left) {
        throw new RefundExceedsPaymentError(
          payment.id,
          { amountMinor: left, currency: payment.currency },
          { amountMinor: request.amountMinor, currency: payment.currency },
        );
      }
      const session = (await this.repository.findSession(sessionId, { within: manager }))!;
      const refunded: PaymentSnapshot = {
        ...payment,
        refundedMinor: payment.refundedMinor + request.amountMinor,
      };
      const id = sandboxId('re');
      await this.repository.setRefunded(manager, payment.id, refunded.refundedMinor);
      await this.repository.insertRefund(manager, {
        id,
        idempotencyKey: request.idempotencyKey,
        paymentId: payment.id,
        amountMinor: request.amountMinor,
      });
      const stored = await this.record(manager, sessionId, 'charge.refunded', {
        object: chargeObject(session, refunded),
        idempotencyKey: refundIdempotencyKey(request.idempotencyKey),
      });
      return { refundId: id, events: [stored] };
    });
    this.sender.deliverLater(events);
    return { refundId };
  }

  /** Ends a monthly gift; `customer.subscription.deleted` follows. A second call does nothing. */
  async cancelSubscription(subscriptionId: string): Promise<void> {
    const events = await this.transactions.run(async (manager) => {
      const session = await this.repository.lockSessionBySubscription(manager, subscriptionId);
      if (!session) throw new SandboxSubscriptionNotFoundError(subscriptionId);
      if (session.subscriptionStatus === 'canceled') return [];
      await this.repository.cancelSubscription(manager, subscriptionId);
      const now = new Date();
      const canceled = { ...session, subscriptionStatus: 'canceled' as const };
      return [
        await this.record(manager, session.id, 'customer.subscription.deleted', {
          object: subscriptionObject(canceled, now),
          created: now,
        }),
      ];
    });
    this.sender.deliverLater(events);
  }

  /**
   * A month has passed for a monthly gift: its subscription is charged again. Sends `invoice.paid`
   * (a new payment, `billing_reason: subscription_cycle`), or `invoice.payment_failed` when
   * `fail` is set, and waits until the webhook endpoint has accepted it. For the CLI
   * (`simulate-renewal`) and tests; refused when Stripe is the provider.
   */
  async simulateRenewal(
    subscriptionId: string,
    options: { fail?: boolean } = {},
  ): Promise<RenewalResult> {
    if (this.config.paymentProvider !== 'SANDBOX') throw new SandboxOnlyError('simulate-renewal');
    const { result, events } = await this.transactions.run(async (manager) => {
      const session = await this.repository.lockSessionBySubscription(manager, subscriptionId);
      if (!session) throw new SandboxSubscriptionNotFoundError(subscriptionId);
      if (session.subscriptionStatus !== 'active') {
        throw new SandboxSubscriptionCancelledError(subscriptionId);
      }
      const now = new Date();
      const invoiceId = sandboxId('in');
      const payment: PaymentSnapshot | null = options.fail
        ? null
        : {
            id: sandboxId('pi'),
            chargeId: sandboxId('ch'),
            invoiceId,
            amountMinor: session.amountMinor,
            currency: session.currency,
            feeMinor: sandboxFee(session.amountMinor),
            refundedMinor: 0,
            createdAt: now,
          };
      if (payment) await this.repository.insertPayment(manager, session.id, payment);
      const type = payment ? 'invoice.paid' : 'invoice.payment_failed';
      const stored = await this.record(manager, session.id, type, {
        object: invoiceObject({
          id: invoiceId,
          session,
          billingReason: 'subscription_cycle',
          created: now,
          payment,
        }),
        created: now,
      });
      return {
        events: [stored],
        result: {
          eventId: stored.id,
          type,
          invoiceId,
          paymentId: payment?.id ?? null,
          amountMinor: session.amountMinor,
          currency: session.currency,
        } as const,
      };
    });
    const [delivery] = await this.sender.deliverAll(events);
    return { ...result, status: delivery!.status };
  }

  /**
   * The donor pressed "Pay": the session completes and `charge.succeeded` (the test card's
   * fingerprint, for the bot check) and `checkout.session.completed` (paid) are delivered,
   * followed for a monthly gift by its first invoice's `invoice.paid`
   * (`billing_reason: subscription_create`), as Stripe sends both. Pressing it again after a
   * failed delivery resends what was not delivered, with the same event ids.
   */
  async pay(sessionId: string): Promise<SessionSnapshot> {
    const { session, events } = await this.transactions.run(async (manager) => {
      const session = await this.repository.lockSession(manager, sessionId);
      if (!session) throw new SandboxCheckoutNotFoundError();
      if (session.status === 'DECLINED') throw new SandboxCheckoutDeclinedError();
      if (session.status === 'PAID') {
        return {
          session,
          events: await this.repository.undeliveredForSession(session.id, { within: manager }),
        };
      }
      const now = new Date();
      const invoiceId = session.monthly ? sandboxId('in') : null;
      const payment: PaymentSnapshot = {
        id: sandboxId('pi'),
        chargeId: sandboxId('ch'),
        invoiceId,
        amountMinor: session.amountMinor,
        currency: session.currency,
        feeMinor: sandboxFee(session.amountMinor),
        refundedMinor: 0,
        createdAt: now,
      };
      const paid: SessionSnapshot = {
        ...session,
        status: 'PAID',
        completedAt: now,
        customerId: session.monthly ? sandboxId('cus') : null,
        subscriptionId: session.monthly ? sandboxId('sub') : null,
        subscriptionStatus: session.monthly ? 'active' : null,
        firstPayment: payment,
      };
      await this.repository.completeSession(manager, session.id, {
        status: 'PAID',
        completedAt: now,
        customerId: paid.customerId,
        subscriptionId: paid.subscriptionId,
      });
      await this.repository.insertPayment(manager, session.id, payment);
      const events = [
        // As Stripe sends them: the charge (with the card's fingerprint), then the completion.
        await this.record(manager, session.id, 'charge.succeeded', {
          object: chargeObject(paid, payment),
          created: now,
        }),
        await this.record(manager, session.id, 'checkout.session.completed', {
          object: checkoutSessionObject(paid, sandboxCheckoutPath(session.id)),
          created: now,
        }),
      ];
      if (invoiceId) {
        events.push(
          await this.record(manager, session.id, 'invoice.paid', {
            object: invoiceObject({
              id: invoiceId,
              session: paid,
              billingReason: 'subscription_create',
              created: now,
              payment,
            }),
            created: now,
          }),
        );
      }
      return { session: paid, events };
    });
    await this.sender.deliverAll(events);
    return session;
  }

  /**
   * The donor pressed "Decline" (a card the bank refused): `payment_intent.payment_failed` is
   * delivered, as Stripe sends it for a declined attempt, then the session closes unpaid with
   * `checkout.session.expired` (Stripe would keep it open for another try until it expires; the
   * sandbox closes it at once, and the donor goes back to the form to start again). A monthly
   * gift's decline is announced the same way, naming the gift, so both kinds end FAILED.
   */
  async decline(sessionId: string): Promise<SessionSnapshot> {
    const { session, events } = await this.transactions.run(async (manager) => {
      const session = await this.repository.lockSession(manager, sessionId);
      if (!session) throw new SandboxCheckoutNotFoundError();
      if (session.status === 'PAID') throw new SandboxCheckoutPaidError();
      if (session.status === 'DECLINED') {
        return {
          session,
          events: await this.repository.undeliveredForSession(session.id, { within: manager }),
        };
      }
      const now = new Date();
      const declined: SessionSnapshot = { ...session, status: 'DECLINED', completedAt: now };
      await this.repository.completeSession(manager, session.id, {
        status: 'DECLINED',
        completedAt: now,
        customerId: null,
        subscriptionId: null,
      });
      const events = [
        await this.record(manager, session.id, 'payment_intent.payment_failed', {
          object: declinedPaymentIntentObject(declined, { id: sandboxId('pi'), created: now }),
          created: now,
        }),
        await this.record(manager, session.id, 'checkout.session.expired', {
          object: checkoutSessionObject(declined, sandboxCheckoutPath(session.id)),
          created: now,
        }),
      ];
      return { session: declined, events };
    });
    await this.sender.deliverAll(events);
    return session;
  }

  /**
   * Closes the checkouts left open past their lifetime (the donor went back, or just left), as
   * Stripe does after 24 hours: each closes unpaid and `checkout.session.expired` is delivered.
   * Returns how many closed. `now` is a parameter so tests can look a day ahead.
   */
  async expireOverdue(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - SESSION_LIFETIME_SECONDS * 1000);
    const events = await this.transactions.run(async (manager) => {
      const overdue = await this.repository.lockOpenSessionsBefore(manager, cutoff, EXPIRE_BATCH);
      const stored: StoredSandboxEvent[] = [];
      for (const session of overdue) {
        const closed: SessionSnapshot = { ...session, status: 'DECLINED', completedAt: now };
        await this.repository.completeSession(manager, session.id, {
          status: 'DECLINED',
          completedAt: now,
          customerId: null,
          subscriptionId: null,
        });
        stored.push(
          await this.record(manager, session.id, 'checkout.session.expired', {
            object: checkoutSessionObject(closed, sandboxCheckoutPath(session.id)),
            created: now,
          }),
        );
      }
      return stored;
    });
    await this.sender.deliverAll(events);
    return events.length;
  }

  /** Closes one open session now (reconciliation past its expiry); a closed one stays as it is. */
  async expireSession(sessionId: string, now = new Date()): Promise<void> {
    const events = await this.transactions.run(async (manager) => {
      const session = await this.repository.lockSession(manager, sessionId);
      if (!session || session.status !== 'OPEN') return [];
      const closed: SessionSnapshot = { ...session, status: 'DECLINED', completedAt: now };
      await this.repository.completeSession(manager, session.id, {
        status: 'DECLINED',
        completedAt: now,
        customerId: null,
        subscriptionId: null,
      });
      return [
        await this.record(manager, session.id, 'checkout.session.expired', {
          object: checkoutSessionObject(closed, sandboxCheckoutPath(session.id)),
          created: now,
        }),
      ];
    });
    await this.sender.deliverAll(events);
  }

  async findSession(sessionId: string): Promise<SessionSnapshot | null> {
    return this.repository.findSession(sessionId);
  }

  /** How many of a checkout's events the webhook endpoint has not accepted yet. */
  async undeliveredEvents(sessionId: string): Promise<number> {
    return (await this.repository.undeliveredForSession(sessionId)).length;
  }

  /** Resolves once every event sent in the background has been delivered or given up on. */
  idle(): Promise<void> {
    return this.sender.idle();
  }

  /** Builds an event and stores it in the caller's transaction, before any delivery. */
  private async record(
    manager: EntityManager,
    sessionId: string,
    type: string,
    input: { object: StripeObject; created?: Date; idempotencyKey?: string },
  ): Promise<StoredSandboxEvent> {
    const event = stripeEvent({
      id: sandboxId('evt'),
      type,
      created: input.created ?? new Date(),
      object: input.object,
      apiVersion: STRIPE_API_VERSION,
      idempotencyKey: input.idempotencyKey,
    });
    await this.repository.insertEvents(manager, sessionId, [event]);
    return { id: event.id, type, sessionId, payload: event, attempts: 0, deliveredAt: null };
  }
}
