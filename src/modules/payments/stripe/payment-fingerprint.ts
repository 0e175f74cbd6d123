/**
 * Who paid, as the payment provider recognises a payment method across payments: a card's
 * `fingerprint`, or a wallet's (Alipay's `fingerprint` or its payer account `buyer_id`, WeChat
 * Pay's `fingerprint`). Pure: no Nest, no database.
 *
 * In Stripe's pinned API version these sit on a charge, under
 * `payment_method_details.<type>` (what `charge.succeeded` carries). A Checkout Session or a
 * PaymentIntent names its payment only by id in webhook events; when one arrives expanded (an API
 * read with `expand`), the charge inside it is read too. Anything else yields null, and the bot
 * check then counts by the donor's email alone.
 */
type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const text = (v: unknown): string | undefined =>
  typeof v === 'string' && /^[\x21-\x7e]{1,150}$/.test(v) ? v : undefined;

/** The method's own fingerprint first; the payer's account where the method has no fingerprint. */
const FIELDS = ['fingerprint', 'buyer_id'] as const;

export function paymentFingerprint(object: unknown, depth = 0): string | null {
  const o = obj(object);
  if (!o || depth > 2) return null;
  const details = obj(o.payment_method_details);
  if (details) {
    const type = text(details.type);
    const method = type ? obj(details[type]) : undefined;
    for (const field of FIELDS) {
      const value = text(method?.[field]);
      if (type && value) return `${type}:${value}`;
    }
    return null;
  }
  return (
    paymentFingerprint(o.latest_charge, depth + 1) ??
    paymentFingerprint(o.payment_intent, depth + 1)
  );
}
