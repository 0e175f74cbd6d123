import { createHmac } from 'node:crypto';
import http from 'node:http';

/**
 * Signed Stripe webhook events for pre-created PENDING donations, as the benches and drills send
 * them to /webhooks/stripe: built like test/utils/webhooks.ts, but with only the fields the app
 * reads, so each event stays small.
 */

/** Stripe's signature scheme (`t=<unix time>,v1=<HMAC-SHA256 of "<t>.<payload>">`). */
export function stripeSignature(secret: string, payload: string): string {
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** A checkout.session.completed event paying donation `id` in full; the same id, the same event. */
export function checkoutCompletedEvent(id: string, amountMinor: number) {
  const compact = id.replace(/-/g, '');
  return {
    id: `evt_bench_${compact}`,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `cs_test_${compact}`,
        object: 'checkout.session',
        amount_total: amountMinor,
        amount_subtotal: amountMinor,
        currency: 'cny',
        payment_status: 'paid',
        status: 'complete',
        mode: 'payment',
        client_reference_id: id,
        metadata: { donation_id: id },
        payment_intent: `pi_test_${compact}`,
      },
    },
  };
}

/** POSTs a signed event to 127.0.0.1:`port`; rejects on a network error or after `timeoutMs`. */
export function postWebhook(
  agent: http.Agent,
  port: number,
  secret: string,
  payload: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/webhooks/stripe',
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'stripe-signature': stripeSignature(secret, payload),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
