import type { CheckoutRequest } from '../payment-provider';
import {
  cancelIdempotencyKey,
  checkoutIdempotencyKey,
  checkoutSessionParams,
  refundIdempotencyKey,
  stripeLocale,
} from './stripe-params';

const request: CheckoutRequest = {
  donationId: 'd-1',
  amountMinor: 2_000,
  currency: 'CNY',
  description: '  ',
  donorEmail: '',
  monthly: false,
  successUrl: 'https://x/ok',
  cancelUrl: 'https://x/no',
  locale: 'en',
};

describe('Stripe parameters', () => {
  it('derives every idempotency key from our own ids', () => {
    expect(checkoutIdempotencyKey('d-1')).toBe('donation:d-1:checkout');
    expect(refundIdempotencyKey('d-1:2')).toBe('refund:d-1:2');
    expect(cancelIdempotencyKey('sub_1')).toBe('subscription:sub_1:cancel');
  });

  it.each([
    ['zh-CN', 'zh'],
    ['en', 'en'],
  ] as const)('maps locale %s to Stripe’s %s', (locale, expected) => {
    expect(stripeLocale(locale)).toBe(expected);
  });

  it('names an unnamed gift, leaves out an empty email, lower-cases the currency', () => {
    const params = checkoutSessionParams(request);
    expect(params.line_items?.[0]?.price_data).toEqual({
      currency: 'cny',
      unit_amount: 2_000,
      product_data: { name: 'Donation' },
    });
    expect(params).not.toHaveProperty('customer_email');
  });

  it('keeps a long Chinese name whole to 250 characters', () => {
    const name = checkoutSessionParams({ ...request, description: '捐'.repeat(300) })
      .line_items?.[0]?.price_data?.product_data?.name;
    expect(name).toBe('捐'.repeat(250));
  });
});
