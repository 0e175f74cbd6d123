import { Logger } from '@nestjs/common';
import {
  assertPositiveAmount,
  type NotificationHeaders,
  type OrderCheckout,
  type OrderRef,
  type OrderRequest,
  type OrderStatus,
  type PaymentAdapter,
  ProviderBusyError,
  type ProviderRefundRequest,
  type RecurringPayments,
  type VerifiedNotification,
} from '../payment-provider';
import type { PaymentEvent } from '../payment-events';
import { ProcessorAmountLimitError, StripeRefundRefusedError } from '../payments.errors';
import {
  DEFAULT_RETRY_POLICY,
  RetriesExhaustedError,
  type RetryPolicy,
  withRetries,
} from '../retry';
import {
  classifyStripeError,
  describeStripeError,
  stripeRetryAfterMs,
  type StripeSdk,
  verifyStripeSignature,
} from './stripe.client';
import {
  cancelIdempotencyKey,
  checkoutIdempotencyKey,
  checkoutSessionParams,
  refundIdempotencyKey,
} from './stripe-params';
import {
  notificationOfSession,
  stripeNotification,
  stripeEventTime,
  stripeNotificationEvent,
} from './stripe-notifications';

export interface StripeProviderOptions {
  /** `whsec_…`: the signing secret of our `/webhooks/stripe` endpoint. */
  webhookSecret: string;
  retry?: RetryPolicy;
  /** Tests pin the clock and the dice. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Page size for reconciliation listings (Stripe's maximum). */
const LIST_PAGE_SIZE = 100;

/**
 * The production adapter: Stripe Checkout for one-off and monthly gifts, refunds, cancellations,
 * signed webhooks. Every call that changes something carries our own idempotency key; rate limits
 * (429) and network failures are retried with exponential backoff and jitter a bounded number of
 * times, then surface as `ProviderBusyError` (503, "busy, try again") rather than an error page.
 */
export class StripeProvider implements PaymentAdapter, RecurringPayments {
  readonly name = 'STRIPE' as const;
  readonly rail = 'STRIPE' as const;
  readonly recurring = true;
  private readonly logger = new Logger('Stripe');
  private readonly retry: RetryPolicy;

  constructor(
    private readonly stripe: StripeSdk,
    private readonly options: StripeProviderOptions,
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  async createOrder(request: OrderRequest): Promise<OrderCheckout> {
    assertPositiveAmount(request.amountMinor);
    const params = checkoutSessionParams(request);
    const idempotencyKey = checkoutIdempotencyKey(request.donationId);
    const session = await this.call('create a checkout session', () =>
      this.stripe.checkout.sessions.create(params, { idempotencyKey }),
    ).catch((error: unknown) => {
      throw amountRefusal(error) ?? error;
    });
    if (!session.url) {
      throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
    }
    return { sessionId: session.id, display: 'redirect', url: session.url };
  }

  verifyNotification(rawBody: Buffer, headers: NotificationHeaders): VerifiedNotification {
    return stripeNotification(
      verifyStripeSignature(rawBody, headers['stripe-signature'], this.options.webhookSecret),
    );
  }

  toPaymentEvent(notification: VerifiedNotification): PaymentEvent {
    return stripeNotificationEvent(notification);
  }

  eventTime(notification: VerifiedNotification): Date | null {
    return stripeEventTime(notification);
  }

  async refund(request: ProviderRefundRequest): Promise<{ refundId: string }> {
    assertPositiveAmount(request.amountMinor);
    const idempotencyKey = refundIdempotencyKey(request.idempotencyKey);
    const refund = await this.call('refund a payment', () =>
      this.stripe.refunds.create(
        {
          payment_intent: request.paymentId,
          amount: request.amountMinor,
          metadata: { donation_id: request.donationId },
        },
        { idempotencyKey },
      ),
    ).catch((error: unknown) => {
      if (classifyStripeError(error) === 'permanent' && isClientError(error)) {
        // Already refunded, more than what is left, unknown payment: Stripe's words say which.
        throw new StripeRefundRefusedError(describeStripeError(error));
      }
      throw error;
    });
    return { refundId: refund.id };
  }

  /**
   * Pages through `checkout.sessions.list({ created: { gte } })` by hand rather than with the
   * SDK's auto-pagination, so each page request gets the same bounded retries as every other call:
   * a reconciliation run during a rate-limited giving day resumes at the page that was refused.
   */
  async *listSessionsSince(since: Date): AsyncIterable<Record<string, unknown>> {
    const gte = Math.floor(since.getTime() / 1000);
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call('list checkout sessions', () =>
        this.stripe.checkout.sessions.list({
          created: { gte },
          limit: LIST_PAGE_SIZE,
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      for (const session of page.data) yield session as unknown as Record<string, unknown>;
      const last = page.data.at(-1);
      if (!page.has_more || !last) return;
      startingAfter = last.id;
    }
  }

  async cancelSubscription(subscriptionId: string): Promise<void> {
    const idempotencyKey = cancelIdempotencyKey(subscriptionId);
    try {
      await this.call('cancel a subscription', () =>
        this.stripe.subscriptions.cancel(subscriptionId, {}, { idempotencyKey }),
      );
    } catch (error) {
      // Cancelling a subscription that has already ended is refused by Stripe; for us it is done.
      if (!isClientError(error)) throw error;
      const subscription = await this.call('read a subscription', () =>
        this.stripe.subscriptions.retrieve(subscriptionId),
      );
      if (subscription.status !== 'canceled') throw error;
    }
  }

  /** The session's state; a paid one comes back as its completion event, for the inbox. */
  async queryOrder(order: OrderRef): Promise<OrderStatus> {
    let session;
    try {
      session = await this.call('read a checkout session', () =>
        this.stripe.checkout.sessions.retrieve(order.sessionId),
      );
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return { state: 'not_found' };
      throw error;
    }
    const object = session as unknown as Record<string, unknown>;
    if (session.status === 'complete' && session.payment_status !== 'unpaid') {
      return { state: 'paid', notification: notificationOfSession(object) };
    }
    return session.status === 'open' ? { state: 'open' } : { state: 'closed' };
  }

  /** `checkout.sessions.expire`; Stripe refuses it for a session no longer open, which is done. */
  async closeOrder(order: OrderRef): Promise<void> {
    try {
      await this.call('expire a checkout session', () =>
        this.stripe.checkout.sessions.expire(order.sessionId),
      );
    } catch (error) {
      if (!isClientError(error)) throw error;
    }
  }

  async retrieveFee({
    paymentId,
  }: {
    paymentId: string;
    amountMinor: number;
    currency: string;
  }): Promise<{ feeMinor: number; currency: string; chargeId?: string } | null> {
    const intent = await this.call('read a payment', () =>
      this.stripe.paymentIntents.retrieve(paymentId, {
        expand: ['latest_charge.balance_transaction'],
      }),
    );
    const charge = intent.latest_charge;
    if (!charge || typeof charge === 'string') return null;
    const transaction = charge.balance_transaction;
    if (!transaction || typeof transaction === 'string') return null;
    return {
      feeMinor: transaction.fee,
      currency: transaction.currency.toUpperCase(),
      chargeId: charge.id,
    };
  }

  /** `invoice_payments.list({ invoice, status: 'paid' })`: the current API's link to the payment. */
  async retrieveInvoicePayment(
    invoiceId: string,
  ): Promise<{ paymentId: string; chargeId?: string } | null> {
    const page = await this.call('read an invoice’s payments', () =>
      this.stripe.invoicePayments.list({ invoice: invoiceId, status: 'paid', limit: 10 }),
    );
    for (const entry of page.data) {
      const intent = entry.payment.payment_intent;
      const paymentId = typeof intent === 'string' ? intent : intent?.id;
      if (!paymentId) continue;
      const charge = entry.payment.charge;
      return { paymentId, chargeId: typeof charge === 'string' ? charge : charge?.id };
    }
    return null;
  }

  /** One API call with bounded retries; a rate limit or outage that outlasts them is "busy". */
  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(operation, {
        policy: this.retry,
        retryable: (error) => classifyStripeError(error) !== 'permanent',
        retryAfterMs: stripeRetryAfterMs,
        onRetry: (error, attempt, delayMs) =>
          this.logger.debug(
            `${what}: attempt ${attempt} failed (${describeStripeError(error)}); retrying in ${delayMs} ms`,
          ),
        sleep: this.options.sleep,
        random: this.options.random,
      });
    } catch (error) {
      if (!(error instanceof RetriesExhaustedError)) {
        // Logged here for Stripe's request id; the error filter reports the 500 itself.
        this.logger.warn(`${what} failed: ${describeStripeError(error)}`);
        throw error;
      }
      this.logger.warn(
        `${what}: Stripe still busy after ${error.attempts} attempts (${describeStripeError(error.lastError)})`,
      );
      throw new ProviderBusyError(undefined, {
        operation: what,
        attempts: error.attempts,
        reason: classifyStripeError(error.lastError),
      });
    }
  }
}

function isClientError(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Stripe's minimum and maximum charge amounts are the donor's problem to fix, not a 500. */
function amountRefusal(error: unknown): ProcessorAmountLimitError | null {
  const code = (error as { code?: string }).code;
  if (code !== 'amount_too_small' && code !== 'amount_too_large') return null;
  return new ProcessorAmountLimitError(code === 'amount_too_small' ? 'too_small' : 'too_large');
}
