import type {
  OrderCheckout,
  OrderRequest,
  PaymentAdapter,
} from '../../src/modules/payments/payment-provider';

/** A hosted checkout (Stripe, the sandbox): the adapter's order, which must be a redirect. */
export async function openCheckout(
  adapter: PaymentAdapter,
  request: OrderRequest,
): Promise<{ sessionId: string; url: string }> {
  const checkout: OrderCheckout = await adapter.createOrder(request);
  if (checkout.display !== 'redirect') {
    throw new Error(`expected a redirect checkout, got ${checkout.display}`);
  }
  return { sessionId: checkout.sessionId, url: checkout.url };
}

/** What an order request adds to a checkout request: a desktop browser, a day to pay. */
export const desktopOrder = (): Pick<OrderRequest, 'channel' | 'expiresAt'> => ({
  channel: 'desktop',
  expiresAt: new Date(Date.now() + 24 * 3600_000),
});
