import type { CheckoutRequest } from '../payment-provider';
import type { StripeCheckoutSessionCreateParams } from './stripe.client';

/**
 * Our idempotency keys, derived from our own ids, so the same logical call made again (a retry, a
 * second click, a restart after a crash between Stripe's answer and our commit) names the same
 * key and Stripe returns the first result instead of acting twice. Stripe keeps a key 24 hours.
 */
export const checkoutIdempotencyKey = (donationId: string): string =>
  `donation:${donationId}:checkout`;
export const refundIdempotencyKey = (key: string): string => `refund:${key}`;
export const cancelIdempotencyKey = (subscriptionId: string): string =>
  `subscription:${subscriptionId}:cancel`;

const STRIPE_LOCALE = { 'zh-CN': 'zh', en: 'en' } as const;

/** Stripe's locale for a Lianxin locale: its hosted pages speak `zh` (Simplified) and `en`. */
export function stripeLocale(locale: 'zh-CN' | 'en'): 'zh' | 'en' {
  return STRIPE_LOCALE[locale];
}

/** Stripe refuses an empty product name; it shows at most a line of it anyway. */
function productName(description: string): string {
  const name = Array.from(description.trim()).slice(0, 250).join('');
  return name || 'Donation';
}

/**
 * The Checkout Session for a pending donation: one-off gifts in `payment` mode, monthly gifts as a
 * `subscription` with an inline monthly price. The donation id travels as `client_reference_id`
 * and `metadata.donation_id` on the session, and also on the PaymentIntent or the subscription
 * (so charges, refunds, disputes and renewal invoices can be traced back without a lookup).
 */
export function checkoutSessionParams(request: CheckoutRequest): StripeCheckoutSessionCreateParams {
  const metadata = { donation_id: request.donationId };
  const priceData = {
    currency: request.currency.toLowerCase(),
    unit_amount: request.amountMinor,
    product_data: { name: productName(request.description) },
  };
  const common = {
    client_reference_id: request.donationId,
    metadata,
    ...(request.donorEmail ? { customer_email: request.donorEmail } : {}),
    locale: stripeLocale(request.locale),
    success_url: request.successUrl,
    cancel_url: request.cancelUrl,
  } satisfies StripeCheckoutSessionCreateParams;
  if (request.monthly) {
    return {
      ...common,
      mode: 'subscription',
      line_items: [{ quantity: 1, price_data: { ...priceData, recurring: { interval: 'month' } } }],
      subscription_data: { metadata },
    };
  }
  return {
    ...common,
    mode: 'payment',
    submit_type: 'donate',
    line_items: [{ quantity: 1, price_data: priceData }],
    payment_intent_data: { metadata },
  };
}
