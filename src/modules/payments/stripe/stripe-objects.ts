/**
 * Reads the fields Lianxin needs from Stripe-shaped objects in webhook events. Pure. The `stripe`
 * package pins API version `2026-10-28.endive`; since `2025-03-31.basil` an invoice has no
 * top-level `subscription`, `payment_intent` or `charge`: the subscription is at
 * `parent.subscription_details.subscription` and the payments in `payments.data[].payment`.
 * The current fields are read first; the legacy ones are still accepted, for events stored or
 * sent under an older API version. A reference may be an id or an expanded object with an `id`.
 */
type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;

/** An id, whether the field holds the id itself or the expanded object. */
export function idOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  const id = obj(v)?.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** The subscription an invoice bills, or undefined for an invoice outside any subscription. */
export function invoiceSubscriptionId(invoice: Obj): string | undefined {
  const details = obj(obj(invoice.parent)?.subscription_details);
  return idOf(details?.subscription) ?? idOf(invoice.subscription);
}

export interface InvoicePaymentRef {
  paymentId?: string;
  chargeId?: string;
}

/**
 * The payment that paid an invoice: the paid entry of `payments` (the first one when none says
 * paid), else the legacy `payment_intent` and `charge`. `payments` is only in the event when
 * Stripe includes it; without it the PaymentIntent is looked up later (the fee job asks the
 * provider for the invoice's payments).
 */
export function invoicePayment(invoice: Obj): InvoicePaymentRef {
  const data = obj(invoice.payments)?.data;
  const payments = Array.isArray(data) ? data.map(obj).filter((p): p is Obj => !!p) : [];
  const chosen = payments.find((p) => p.status === 'paid') ?? payments[0];
  const payment = obj(chosen?.payment);
  const current: InvoicePaymentRef = {
    paymentId: idOf(payment?.payment_intent),
    chargeId: idOf(payment?.charge),
  };
  return {
    paymentId: current.paymentId ?? idOf(invoice.payment_intent),
    chargeId: current.chargeId ?? idOf(invoice.charge),
  };
}

/**
 * The processor's fee for a dispute so far: the sum of `fee` over the dispute's
 * `balance_transactions` (the withdrawal carries the dispute fee; a reinstatement that gives it
 * back carries it negative). Undefined when the object carries no balance transactions array.
 */
export function disputeFeeMinor(dispute: Obj): number | undefined {
  const transactions = dispute.balance_transactions;
  if (!Array.isArray(transactions)) return undefined;
  let total = 0;
  for (const t of transactions) {
    const fee = obj(t)?.fee;
    if (typeof fee === 'number' && Number.isSafeInteger(fee)) total += fee;
  }
  return Math.max(0, total);
}
