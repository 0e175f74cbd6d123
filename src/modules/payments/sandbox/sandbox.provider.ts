import { Injectable } from '@nestjs/common';
import {
  assertPositiveAmount,
  type CheckoutRequest,
  type CheckoutSession,
  type PaymentProvider,
  type ProviderEvent,
  type RefundRequest,
} from '../payment-provider';
import { SandboxInvalidCurrencyError } from '../payments.errors';
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
export class SandboxProvider implements PaymentProvider {
  readonly name = 'SANDBOX' as const;

  constructor(
    private readonly processor: SandboxProcessor,
    private readonly repository: SandboxRepository,
    private readonly secret: SandboxWebhookSecret,
  ) {}

  /** Idempotent per donation, as `donation:<id>:checkout` makes it on Stripe. */
  async createCheckout(request: CheckoutRequest): Promise<CheckoutSession> {
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
    return { sessionId: session.id, url: sandboxCheckoutPath(session.id) };
  }

  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): ProviderEvent {
    return verifyStripeSignature(rawBody, signatureHeader, this.secret.get());
  }

  /** Refunds on the processor; `charge.refunded` follows asynchronously. */
  async refund(request: RefundRequest): Promise<{ refundId: string }> {
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

  async retrieveFee(
    paymentId: string,
  ): Promise<{ feeMinor: number; currency: string; chargeId?: string } | null> {
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
