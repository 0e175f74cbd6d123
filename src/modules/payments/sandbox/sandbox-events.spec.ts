import {
  chargeObject,
  checkoutSessionObject,
  declinedPaymentIntentObject,
  sandboxCardFingerprint,
  invoiceObject,
  type PaymentSnapshot,
  sandboxFee,
  type SessionSnapshot,
  stripeEvent,
} from './sandbox-events';

const at = new Date('2026-05-01T08:00:00.000Z');
const payment: PaymentSnapshot = {
  id: 'pi_sandbox_1',
  chargeId: 'ch_sandbox_1',
  invoiceId: null,
  amountMinor: 10_000,
  currency: 'CNY',
  feeMinor: 60,
  refundedMinor: 0,
  createdAt: at,
};
const session: SessionSnapshot = {
  id: 'cs_sandbox_1',
  donationId: 'd-1',
  amountMinor: 10_000,
  currency: 'CNY',
  description: 'Garden',
  customerEmail: 'a@example.org',
  monthly: false,
  locale: 'zh-CN',
  successUrl: 'https://x/ok',
  cancelUrl: 'https://x/no',
  status: 'PAID',
  customerId: null,
  subscriptionId: null,
  subscriptionStatus: null,
  createdAt: at,
  completedAt: at,
  firstPayment: payment,
};

describe('sandboxCardFingerprint', () => {
  it.each([
    ['the same email, the same card', 'a@example.org', 'a@example.org', true],
    ['case and spaces do not matter', ' A@Example.org', 'a@example.org', true],
    ['another email, another card', 'a@example.org', 'b@example.org', false],
  ])('%s', (_case, one, other, same) => {
    expect(sandboxCardFingerprint(one)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(sandboxCardFingerprint(one) === sandboxCardFingerprint(other)).toBe(same);
  });
});

describe('sandbox events', () => {
  it.each([
    [1, 0],
    [83, 0],
    [84, 1],
    [10_000, 60],
    [12_345, 74],
  ])('fee of %i is %i (0.6%%, half up)', (amount, fee) => {
    expect(sandboxFee(amount)).toBe(fee);
  });

  it.each([
    ['OPEN', 'open', 'unpaid', '/sandbox/checkout/cs_sandbox_1'],
    ['PAID', 'complete', 'paid', null],
    ['DECLINED', 'expired', 'unpaid', null],
  ] as const)('a %s session is %s and %s', (status, stripeStatus, paymentStatus, url) => {
    const object = checkoutSessionObject({ ...session, status }, '/sandbox/checkout/cs_sandbox_1');
    expect(object).toMatchObject({
      status: stripeStatus,
      payment_status: paymentStatus,
      url,
      currency: 'cny',
      locale: 'zh',
      client_reference_id: 'd-1',
      metadata: { donation_id: 'd-1' },
    });
  });

  it('puts the payment on a one-off session, and the subscription and invoice on a monthly one', () => {
    expect(checkoutSessionObject(session, '')).toMatchObject({
      mode: 'payment',
      payment_intent: 'pi_sandbox_1',
      subscription: null,
      invoice: null,
    });
    const monthly = {
      ...session,
      monthly: true,
      subscriptionId: 'sub_sandbox_1',
      firstPayment: { ...payment, invoiceId: 'in_sandbox_1' },
    };
    expect(checkoutSessionObject(monthly, '')).toMatchObject({
      mode: 'subscription',
      payment_intent: null,
      subscription: 'sub_sandbox_1',
      invoice: 'in_sandbox_1',
    });
  });

  it('reports refunds cumulatively on the charge', () => {
    expect(chargeObject(session, { ...payment, refundedMinor: 4_000 })).toMatchObject({
      amount: 10_000,
      amount_refunded: 4_000,
      refunded: false,
      payment_intent: 'pi_sandbox_1',
      balance_transaction: 'txn_sandbox_1',
    });
    expect(chargeObject(session, { ...payment, refundedMinor: 10_000 }).refunded).toBe(true);
    expect(chargeObject(session, payment).payment_method_details).toEqual(
      expect.objectContaining({
        type: 'card',
        card: expect.objectContaining({
          fingerprint: sandboxCardFingerprint(session.customerEmail),
        }),
      }),
    );
  });

  it('builds a declined PaymentIntent naming the gift, with nothing received', () => {
    const intent = declinedPaymentIntentObject(
      { ...session, status: 'DECLINED', firstPayment: null },
      { id: 'pi_sandbox_9', created: at },
    );
    expect(intent).toMatchObject({
      id: 'pi_sandbox_9',
      object: 'payment_intent',
      amount: 10_000,
      amount_received: 0,
      currency: 'cny',
      status: 'requires_payment_method',
      metadata: { donation_id: 'd-1' },
      last_payment_error: { type: 'card_error', code: 'card_declined' },
    });
  });

  it('builds a failed renewal invoice with nothing paid', () => {
    const invoice = invoiceObject({
      id: 'in_sandbox_2',
      session: { ...session, monthly: true, subscriptionId: 'sub_sandbox_1' },
      billingReason: 'subscription_cycle',
      created: at,
      payment: null,
    });
    expect(invoice).toMatchObject({
      status: 'open',
      amount_paid: 0,
      amount_remaining: 10_000,
      payments: { data: [] },
      parent: { subscription_details: { subscription: 'sub_sandbox_1' } },
    });
  });

  it('builds invoices in the pinned API version’s format, without the legacy fields', () => {
    const invoice = invoiceObject({
      id: 'in_sandbox_3',
      session: { ...session, monthly: true, subscriptionId: 'sub_sandbox_1' },
      billingReason: 'subscription_cycle',
      created: at,
      payment: { ...payment, id: 'pi_sandbox_3', invoiceId: 'in_sandbox_3' },
    });
    expect(invoice).toMatchObject({
      parent: {
        type: 'subscription_details',
        subscription_details: { subscription: 'sub_sandbox_1' },
      },
      payments: { data: [{ status: 'paid', payment: { payment_intent: 'pi_sandbox_3' } }] },
    });
    for (const legacy of ['subscription', 'payment_intent', 'charge']) {
      expect(invoice).not.toHaveProperty(legacy);
    }
  });

  it('wraps objects in Stripe’s event envelope', () => {
    expect(
      stripeEvent({ id: 'evt_1', type: 't', created: at, object: { a: 1 }, apiVersion: 'v' }),
    ).toEqual({
      id: 'evt_1',
      object: 'event',
      api_version: 'v',
      created: Math.floor(at.getTime() / 1000),
      data: { object: { a: 1 } },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 't',
    });
  });
});
