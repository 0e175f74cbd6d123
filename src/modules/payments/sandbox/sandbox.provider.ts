import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PaymentEvent } from '../payment-events';
import {
  assertPositiveAmount,
  type NotificationHeaders,
  type OrderCheckout,
  type OrderRef,
  type OrderRequest,
  type OrderStatus,
  type PaymentAdapter,
  type ProviderRefundRequest,
  type RecurringPayments,
  type VerifiedNotification,
} from '../payment-provider';
import {
  notificationOfSession,
  stripeNotification,
  stripeEventTime,
  stripeNotificationEvent,
} from '../stripe/stripe-notifications';
import { SandboxDeliveryFailedError, SandboxInvalidCurrencyError } from '../payments.errors';
import { verifyStripeSignature } from '../stripe/stripe.client';
import { checkoutSessionObject } from './sandbox-events';
import { sandboxId } from './sandbox-ids';
import { sandboxCheckoutPath, SandboxProcessor } from './sandbox-processor';
import { SandboxWebhookSecret } from './sandbox-webhooks';
import { SandboxRepository } from './sandbox.repository';

const LIST_PAGE_SIZE = 100;

/**
 * The embedded default: the payment port without a Stripe account. It speaks to the fake
 * processor (`SandboxProcessor`) as `StripeProvider` speaks to Stripe, and checkout happens on a
 * local page (`SandboxCheckoutController`). Events arrive Stripe-shaped and Stripe-signed at
 * `/webhooks/stripe`, so the donation code cannot tell the two providers apart.
 */
@Injectable()
export class SandboxProvider implements PaymentAdapter, RecurringPayments {
  readonly name = 'SANDBOX' as const;
  readonly rail = 'STRIPE' as const;
  readonly recurring = true;

  constructor(
    private readonly processor: SandboxProcessor,
    private readonly repository: SandboxRepository,
    private readonly secret: SandboxWebhookSecret,
  ) {}

  /** Erasure: the sandbox forgets a donor's address (SandboxRepository.eraseCustomer). */
  eraseCustomer(manager: EntityManager, email: string): Promise<number> {
    return this.repository.eraseCustomer(manager, email);
  }

  /** Idempotent per donation, as `donation:<id>:checkout` makes it on Stripe. */
  async createOrder(request: OrderRequest): Promise<OrderCheckout> {
    assertPositiveAmount(request.amountMinor);
    if (!/^[A-Za-z]{3}$/.test(request.currency)) {
      throw new SandboxInvalidCurrencyError(request.currency);
    }
    const session = await this.processor.openSession({
      id: sandboxId('cs'),
      donationId: request.donationId,
      amountMinor: request.amountMinor,
      currency: request.currency.toUpperCase(),
      description: request.description,
      customerEmail: request.donorEmail,
      monthly: request.monthly,
      locale: request.locale,
      successUrl: request.successUrl,
      cancelUrl: request.cancelUrl,
      createdAt: new Date(),
    });
    return { sessionId: session.id, display: 'redirect', url: sandboxCheckoutPath(session.id) };
  }

  verifyNotification(rawBody: Buffer, headers: NotificationHeaders): VerifiedNotification {
    return stripeNotification(
      verifyStripeSignature(rawBody, headers['stripe-signature'], this.secret.get()),
    );
  }

  toPaymentEvent(notification: VerifiedNotification): PaymentEvent {
    return stripeNotificationEvent(notification);
  }

  eventTime(notification: VerifiedNotification): Date | null {
    return stripeEventTime(notification);
  }

  /** Refunds on the processor; `charge.refunded` follows asynchronously. */
  async refund(request: ProviderRefundRequest): Promise<{ refundId: string }> {
    assertPositiveAmount(request.amountMinor);
    return await this.processor.refund(request);
  }

  /** Checkout sessions created since `since`, newest first, in Stripe's `checkout.session` shape. */
  async *listSessionsSince(since: Date): AsyncIterable<Record<string, unknown>> {
    let before: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const page = await this.repository.sessionsSince(since, before, LIST_PAGE_SIZE);
      for (const session of page) {
        yield checkoutSessionObject(session, sandboxCheckoutPath(session.id));
      }
      const last = page.at(-1);
      if (page.length < LIST_PAGE_SIZE || !last) return;
      before = { createdAt: last.createdAt, id: last.id };
    }
  }

  /** Ends a monthly gift; `customer.subscription.deleted` follows. A second call does nothing. */
  cancelSubscription(subscriptionId: string): Promise<void> {
    return this.processor.cancelSubscription(subscriptionId);
  }

  async queryOrder(order: OrderRef): Promise<OrderStatus> {
    const session = await this.repository.findSession(order.sessionId);
    if (!session) return { state: 'not_found' };
    if (session.status === 'PAID') {
      return {
        state: 'paid',
        notification: notificationOfSession(
          checkoutSessionObject(session, sandboxCheckoutPath(session.id)),
        ),
      };
    }
    return session.status === 'OPEN' ? { state: 'open' } : { state: 'closed' };
  }

  /** Closes an open session as Stripe's expiry does (`checkout.session.expired` follows). */
  async closeOrder(order: OrderRef): Promise<void> {
    try {
      await this.processor.expireSession(order.sessionId);
    } catch (error) {
      // Closed all the same; its event is kept and sent again later.
      if (!(error instanceof SandboxDeliveryFailedError)) throw error;
    }
  }

  async retrieveFee({
    paymentId,
  }: {
    paymentId: string;
    amountMinor: number;
    currency: string;
  }): Promise<{ feeMinor: number; currency: string; chargeId?: string } | null> {
    const found = await this.repository.findPayment(paymentId);
    return found
      ? {
          feeMinor: found.payment.feeMinor,
          currency: found.payment.currency.toUpperCase(),
          chargeId: found.payment.chargeId,
        }
      : null;
  }

  async retrieveInvoicePayment(
    invoiceId: string,
  ): Promise<{ paymentId: string; chargeId?: string } | null> {
    const payment = await this.repository.findPaymentByInvoice(invoiceId);
    return payment ? { paymentId: payment.id, chargeId: payment.chargeId } : null;
  }
}
