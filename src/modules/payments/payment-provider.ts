import { PaymentAmountNotPositiveError } from './payments.errors';

// The port's errors, declared with the module's others.
export { ProviderBusyError, WebhookSignatureError } from './payments.errors';

/**
 * The payment provider port. Two adapters implement it: Stripe (production) and the sandbox
 * (embedded default: a local checkout page). Both deliver Stripe-shaped, Stripe-signed webhook
 * events, so one processing path serves both.
 */
export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

export type ProviderName = 'STRIPE' | 'SANDBOX';

export interface CheckoutRequest {
  donationId: string;
  amountMinor: number;
  currency: string;
  /** Shown on the provider's page, e.g. the campaign title. */
  description: string;
  donorEmail: string;
  monthly: boolean;
  successUrl: string;
  cancelUrl: string;
  locale: 'zh-CN' | 'en';
}

export interface CheckoutSession {
  sessionId: string;
  url: string;
}

export interface RefundRequest {
  donationId: string;
  /** The provider's payment id (Stripe PaymentIntent id). */
  paymentId: string;
  amountMinor: number;
  /** Our own idempotency key, stable across retries and crashes. */
  idempotencyKey: string;
}

/** A webhook event in Stripe's shape: { id, type, created, data: { object } }. */
export interface ProviderEvent {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export interface PaymentProvider {
  readonly name: ProviderName;
  /**
   * Creates a hosted checkout for a pending donation. The idempotency key is derived from the
   * donation id, so a retry after a crash returns the same session instead of a second one.
   */
  createCheckout(request: CheckoutRequest): Promise<CheckoutSession>;
  /** Verifies the signature on the raw body and returns the event; throws WebhookSignatureError. */
  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): ProviderEvent;
  refund(request: RefundRequest): Promise<{ refundId: string }>;
  /** Checkout sessions created since a time, for reconciliation (newest first, paginated inside). */
  listSessionsSince(since: Date): AsyncIterable<Record<string, unknown>>;
  /**
   * Ends a monthly gift's subscription (the donor's cancel link). The provider confirms with a
   * `customer.subscription.deleted` event; cancelling twice is harmless.
   */
  cancelSubscription(subscriptionId: string): Promise<void>;
  /**
   * The processor's fee for a settled payment, from its balance transaction; null while the
   * provider has not reported one (Stripe fills it in shortly after the charge).
   */
  retrieveFee(
    paymentId: string,
  ): Promise<{ feeMinor: number; currency: string; chargeId?: string } | null>;
  /**
   * The PaymentIntent (and charge, when known) that paid an invoice, or null while it has none:
   * for a monthly gift whose `invoice.paid` event did not carry its `payments`.
   */
  retrieveInvoicePayment(
    invoiceId: string,
  ): Promise<{ paymentId: string; chargeId?: string } | null>;
}

/** Every adapter refuses an amount that is not a positive whole number of minor units. */
export function assertPositiveAmount(amountMinor: number): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new PaymentAmountNotPositiveError(amountMinor);
  }
}
