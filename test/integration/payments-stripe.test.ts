import { randomUUID } from 'node:crypto';
import { DomainError } from '../../src/common/errors';
import { AppConfig } from '../../src/config/app-config';
import { ConfigValidationError, validateEnv } from '../../src/config/env.schema';
import {
  type OrderRequest,
  ProviderBusyError,
  WebhookSignatureError,
} from '../../src/modules/payments/payment-provider';
import { selectStripeAdapter } from '../../src/modules/payments/payments.module';
import type { SandboxProvider } from '../../src/modules/payments/sandbox/sandbox.provider';
import { createStripeClient } from '../../src/modules/payments/stripe/stripe.client';
import { StripeProvider } from '../../src/modules/payments/stripe/stripe.provider';
import {
  type StripeApiServer,
  startStripeApiServer,
  stripeError,
} from '../utils/stripe-api-server';
import {
  completedSessionFixture,
  fixtureEvent,
  openSessionFixture,
  stripeSignature,
} from '../utils/stripe-fixtures';
import { desktopOrder, openCheckout } from '../utils/checkouts';

/**
 * The Stripe adapter with the real `stripe` SDK against a local HTTP server (no internet): what
 * it sends, how it retries, and how it verifies webhooks.
 */
const SECRET_KEY = 'sk_test_lianxin_payments';
const WEBHOOK_SECRET = 'whsec_lianxin_payments_stripe';
/** What a refund request adds for WeChat Pay's sake (Stripe reads none of it). */
const refundOrder = { sessionId: 'cs_test_refund', totalMinor: 10_000, currency: 'CNY' };
const FAST_RETRY = { attempts: 4, baseDelayMs: 2, maxDelayMs: 10 };

function checkoutRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    ...desktopOrder(),
    donationId: randomUUID(),
    amountMinor: 10_000,
    currency: 'CNY',
    description: '社区花园 · Community garden',
    donorEmail: 'donor@example.org',
    monthly: false,
    successUrl: 'https://give.example.org/thanks?session={CHECKOUT_SESSION_ID}',
    cancelUrl: 'https://give.example.org/campaigns/garden',
    locale: 'zh-CN',
    ...overrides,
  };
}

describe('Stripe payment provider', () => {
  let api: StripeApiServer;
  let stripe: StripeProvider;

  beforeAll(async () => {
    api = await startStripeApiServer();
    stripe = new StripeProvider(createStripeClient({ secretKey: SECRET_KEY, apiBase: api.url }), {
      webhookSecret: WEBHOOK_SECRET,
      retry: FAST_RETRY,
    });
  });
  afterAll(() => api.close());

  beforeEach(() => {
    api.reset();
    // By default the server answers like Stripe: an open session built from the request.
    api.setDefault((request) =>
      request.method === 'POST' && request.path === '/v1/checkout/sessions'
        ? {
            status: 200,
            body: openSessionFixture({
              donationId: request.form['metadata[donation_id]']!,
              amountMinor: Number(request.form['line_items[0][price_data][unit_amount]']),
            }),
          }
        : undefined,
    );
  });

  describe('checkout', () => {
    it('creates a one-off Checkout Session with the donation in it and our idempotency key', async () => {
      const request = checkoutRequest();
      const session = await openCheckout(stripe, request);

      expect(session.sessionId).toMatch(/^cs_test_/);
      expect(session.url).toBe(`https://checkout.stripe.com/c/pay/${session.sessionId}`);
      const [sent, ...more] = api.requests;
      expect(more).toEqual([]);
      expect(sent!.method).toBe('POST');
      expect(sent!.path).toBe('/v1/checkout/sessions');
      expect(sent!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(sent!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
      expect(sent!.headers['idempotency-key']).toBe(`donation:${request.donationId}:checkout`);
      expect(sent!.form).toEqual({
        mode: 'payment',
        submit_type: 'donate',
        client_reference_id: request.donationId,
        'metadata[donation_id]': request.donationId,
        'payment_intent_data[metadata][donation_id]': request.donationId,
        customer_email: 'donor@example.org',
        locale: 'zh',
        success_url: request.successUrl,
        cancel_url: request.cancelUrl,
        'line_items[0][quantity]': '1',
        'line_items[0][price_data][currency]': 'cny',
        'line_items[0][price_data][unit_amount]': '10000',
        'line_items[0][price_data][product_data][name]': '社区花园 · Community garden',
      });
    });

    it('creates a monthly gift as a subscription with an inline monthly price', async () => {
      const request = checkoutRequest({ monthly: true, locale: 'en', amountMinor: 5_000 });
      await openCheckout(stripe, request);

      const form = api.requests[0]!.form;
      expect(form).toMatchObject({
        mode: 'subscription',
        locale: 'en',
        'metadata[donation_id]': request.donationId,
        'subscription_data[metadata][donation_id]': request.donationId,
        'line_items[0][price_data][unit_amount]': '5000',
        'line_items[0][price_data][recurring][interval]': 'month',
      });
      expect(form).not.toHaveProperty('submit_type');
      expect(form).not.toHaveProperty('payment_intent_data[metadata][donation_id]');
      expect(api.requests[0]!.headers['idempotency-key']).toBe(
        `donation:${request.donationId}:checkout`,
      );
    });

    it('waits out two 429s and succeeds, sending the same idempotency key every time', async () => {
      api.script('POST', '/v1/checkout/sessions', stripeError(429), stripeError(429));
      const request = checkoutRequest();

      const session = await openCheckout(stripe, request);

      expect(session.sessionId).toMatch(/^cs_test_/);
      const keys = api.requests.map((r) => r.headers['idempotency-key']);
      expect(keys).toEqual(Array(3).fill(`donation:${request.donationId}:checkout`));
      // Identical bodies: a retry is the same request, not a new one.
      expect(new Set(api.requests.map((r) => r.rawBody)).size).toBe(1);
    });

    it('retries a dropped connection and a 500 with the same key', async () => {
      api.script(
        'POST',
        '/v1/checkout/sessions',
        { hangUp: true },
        stripeError(500, undefined, 'An unknown error occurred'),
      );
      const request = checkoutRequest();

      await openCheckout(stripe, request);

      expect(api.requests.map((r) => r.headers['idempotency-key'])).toEqual(
        Array(3).fill(`donation:${request.donationId}:checkout`),
      );
    });

    it('gives up after a bounded number of attempts with ProviderBusyError (503 "busy")', async () => {
      api.setDefault(() => stripeError(429));
      const request = checkoutRequest();

      const attempt = openCheckout(stripe, request);

      await expect(attempt).rejects.toBeInstanceOf(ProviderBusyError);
      await expect(attempt).rejects.toMatchObject({ code: 'PROVIDER_BUSY' });
      expect(api.requests).toHaveLength(FAST_RETRY.attempts);
      expect(new Set(api.requests.map((r) => r.headers['idempotency-key']))).toEqual(
        new Set([`donation:${request.donationId}:checkout`]),
      );
    });

    it('does not retry what Stripe refused for good, and names an amount problem as such', async () => {
      api.script(
        'POST',
        '/v1/checkout/sessions',
        stripeError(400, 'amount_too_small', 'Amount must convert to at least 50 cents.'),
      );

      const attempt = openCheckout(stripe, checkoutRequest({ amountMinor: 1 }));

      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
      expect(api.requests).toHaveLength(1);
    });

    it('refuses an amount that is not a positive whole number before calling Stripe', async () => {
      for (const amountMinor of [0, -100, 12.5, Number.MAX_SAFE_INTEGER + 1]) {
        await expect(openCheckout(stripe, checkoutRequest({ amountMinor }))).rejects.toMatchObject({
          code: 'INVALID_AMOUNT',
        });
      }
      expect(api.requests).toEqual([]);
    });
  });

  describe('refund', () => {
    const refundReply = (request: { form: Record<string, string> }) => ({
      status: 200,
      body: {
        id: 're_test_1',
        object: 'refund',
        amount: Number(request.form.amount),
        payment_intent: request.form.payment_intent,
        status: 'succeeded',
      },
    });

    it('refunds with payment_intent, amount and our key, and retries a 429 with the same key', async () => {
      api.setDefault((request) =>
        request.path === '/v1/refunds' ? refundReply(request) : undefined,
      );
      api.script('POST', '/v1/refunds', stripeError(429));
      const donationId = randomUUID();

      const result = await stripe.refund({
        ...refundOrder,
        donationId,
        paymentId: 'pi_test_123',
        amountMinor: 2_500,
        idempotencyKey: `${donationId}:1`,
      });

      expect(result).toEqual({ refundId: 're_test_1' });
      const sent = api.to('POST', '/v1/refunds');
      expect(sent).toHaveLength(2);
      for (const request of sent) {
        expect(request.headers['idempotency-key']).toBe(`refund:${donationId}:1`);
        expect(request.form).toEqual({
          payment_intent: 'pi_test_123',
          amount: '2500',
          'metadata[donation_id]': donationId,
        });
      }
    });

    it('turns a refusal (already refunded) into a conflict, without retrying', async () => {
      api.script(
        'POST',
        '/v1/refunds',
        stripeError(400, 'charge_already_refunded', 'Charge ch_1 has already been refunded.'),
      );

      const attempt = stripe.refund({
        ...refundOrder,
        donationId: randomUUID(),
        paymentId: 'pi_test_1',
        amountMinor: 100,
        idempotencyKey: 'k',
      });

      await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(attempt).rejects.toThrow(/already been refunded/);
      expect(api.requests).toHaveLength(1);
    });
  });

  describe('reconciliation, subscriptions and fees', () => {
    it('lists sessions created since a time, page by page', async () => {
      const first = [1, 2].map(() =>
        openSessionFixture({ donationId: randomUUID(), amountMinor: 100 }),
      );
      const second = [openSessionFixture({ donationId: randomUUID(), amountMinor: 200 })];
      api.script(
        'GET',
        '/v1/checkout/sessions',
        {
          status: 200,
          body: { object: 'list', data: first, has_more: true, url: '/v1/checkout/sessions' },
        },
        stripeError(429),
        {
          status: 200,
          body: { object: 'list', data: second, has_more: false, url: '/v1/checkout/sessions' },
        },
      );
      const since = new Date('2026-03-01T00:00:00Z');

      const ids: unknown[] = [];
      for await (const session of stripe.listSessionsSince(since)) ids.push(session.id);

      expect(ids).toEqual([...first, ...second].map((s) => s.id));
      const pages = api.to('GET', '/v1/checkout/sessions');
      expect(pages.map((p) => p.query)).toEqual([
        { 'created[gte]': String(since.getTime() / 1000), limit: '100' },
        {
          'created[gte]': String(since.getTime() / 1000),
          limit: '100',
          starting_after: String(first[1]!.id),
        },
        {
          'created[gte]': String(since.getTime() / 1000),
          limit: '100',
          starting_after: String(first[1]!.id),
        },
      ]);
    });

    it('cancels a subscription with its own key, and treats an already cancelled one as done', async () => {
      api.script('DELETE', '/v1/subscriptions/sub_test_1', {
        status: 200,
        body: { id: 'sub_test_1', object: 'subscription', status: 'canceled' },
      });
      await stripe.cancelSubscription('sub_test_1');
      expect(api.requests[0]!.headers['idempotency-key']).toBe('subscription:sub_test_1:cancel');

      api.script(
        'DELETE',
        '/v1/subscriptions/sub_test_2',
        stripeError(400, 'resource_missing', 'This subscription has already been canceled.'),
      );
      api.script('GET', '/v1/subscriptions/sub_test_2', {
        status: 200,
        body: { id: 'sub_test_2', object: 'subscription', status: 'canceled' },
      });
      await expect(stripe.cancelSubscription('sub_test_2')).resolves.toBeUndefined();
    });

    it('reads the fee from the charge’s balance transaction', async () => {
      api.script('GET', '/v1/payment_intents/pi_test_fee', {
        status: 200,
        body: {
          id: 'pi_test_fee',
          object: 'payment_intent',
          latest_charge: {
            id: 'ch_test_fee',
            object: 'charge',
            balance_transaction: {
              id: 'txn_1',
              object: 'balance_transaction',
              fee: 390,
              currency: 'cny',
            },
          },
        },
      });

      await expect(
        stripe.retrieveFee({ paymentId: 'pi_test_fee', amountMinor: 10_000, currency: 'CNY' }),
      ).resolves.toEqual({
        feeMinor: 390,
        currency: 'CNY',
        chargeId: 'ch_test_fee',
      });
      expect(api.requests[0]!.query).toEqual({ 'expand[0]': 'latest_charge.balance_transaction' });
    });

    it('finds the PaymentIntent that paid an invoice in its invoice payments', async () => {
      const list = (data: unknown[]) => ({
        status: 200,
        body: { object: 'list', data, has_more: false, url: '/v1/invoice_payments' },
      });
      api.script(
        'GET',
        '/v1/invoice_payments',
        list([
          {
            id: 'inpay_1',
            object: 'invoice_payment',
            invoice: 'in_test_1',
            status: 'paid',
            payment: { type: 'payment_intent', payment_intent: 'pi_test_paid' },
          },
        ]),
        list([]),
      );

      await expect(stripe.retrieveInvoicePayment('in_test_1')).resolves.toEqual({
        paymentId: 'pi_test_paid',
        chargeId: undefined,
      });
      await expect(stripe.retrieveInvoicePayment('in_test_2')).resolves.toBeNull();
      expect(api.requests.map((r) => r.query)).toEqual([
        { invoice: 'in_test_1', status: 'paid', limit: '10' },
        { invoice: 'in_test_2', status: 'paid', limit: '10' },
      ]);
    });
  });

  describe('webhook verification', () => {
    const event = () =>
      fixtureEvent(
        'checkout.session.completed',
        completedSessionFixture({ donationId: randomUUID(), amountMinor: 10_000 }),
      );

    it('accepts a payload signed with the webhook secret and returns the event', () => {
      const body = event();
      const payload = JSON.stringify(body);

      const verified = stripe.verifyNotification(Buffer.from(payload), {
        'stripe-signature': stripeSignature(payload, WEBHOOK_SECRET),
      });

      expect(verified).toMatchObject({
        eventId: body.id,
        type: 'checkout.session.completed',
        payload: { id: body.id },
      });
      expect((verified.payload.data as { object: unknown }).object).toEqual(
        (body.data as { object: unknown }).object,
      );
    });

    it.each([
      ['signed with another secret', (p: string) => [p, stripeSignature(p, 'whsec_someone_else')]],
      [
        'tampered after signing',
        (p: string) => [p.replace('10000', '99999'), stripeSignature(p, WEBHOOK_SECRET)],
      ],
      [
        'signed more than 5 minutes ago',
        (p: string) => [
          p,
          stripeSignature(p, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 6 * 60),
        ],
      ],
      ['without a signature', (p: string) => [p, undefined]],
      ['with a garbled signature', (p: string) => [p, 't=1,v1=deadbeef']],
    ])('refuses a payload %s with WebhookSignatureError (400)', (_, make) => {
      const [payload, header] = make(JSON.stringify(event()));
      let thrown: unknown;
      try {
        stripe.verifyNotification(Buffer.from(payload!), { 'stripe-signature': header });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(WebhookSignatureError);
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ code: 'INVALID_SIGNATURE' });
    });
  });

  describe('configuration', () => {
    function configFor(env: Record<string, string>): AppConfig {
      const validated = validateEnv(env) as unknown as Record<string, unknown>;
      return new AppConfig({ get: (key: string) => validated[key] } as never);
    }
    const sandbox = { name: 'SANDBOX' } as SandboxProvider;

    it('uses the sandbox when no Stripe key is set', () => {
      const config = configFor({});
      expect(config.paymentProvider).toBe('SANDBOX');
      expect(selectStripeAdapter(config, sandbox)).toBe(sandbox);
    });

    it('uses Stripe at STRIPE_API_BASE when a key is set', async () => {
      const config = configFor({
        STRIPE_SECRET_KEY: SECRET_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_BASE: api.url,
      });
      const provider = selectStripeAdapter(config, sandbox);
      expect(provider).toBeInstanceOf(StripeProvider);
      expect(provider!.name).toBe('STRIPE');

      await openCheckout(provider!, checkoutRequest());
      expect(api.to('POST', '/v1/checkout/sessions')).toHaveLength(1);
    });

    it('refuses a Stripe key without the webhook secret', () => {
      expect(() => validateEnv({ STRIPE_SECRET_KEY: SECRET_KEY })).toThrow(ConfigValidationError);
      expect(() => validateEnv({ STRIPE_SECRET_KEY: SECRET_KEY })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    });
  });
});
