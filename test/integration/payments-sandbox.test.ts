import { Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CSRF_COOKIE } from '../../src/common/http/cookies';
import { AppConfig } from '../../src/config/app-config';
import {
  type OrderRequest,
  type PaymentAdapter,
  WebhookSignatureError,
} from '../../src/modules/payments/payment-provider';
import { PaymentRails } from '../../src/modules/payments/payment-rails';
import {
  SANDBOX_SECRET_FILE,
  SandboxWebhookSecret,
  SandboxWebhookSender,
  SandboxWebhookTarget,
} from '../../src/modules/payments/sandbox/sandbox-webhooks';
import { requestSandboxRenewal } from '../../src/modules/payments/sandbox/sandbox-remote';
import { SandboxProcessor } from '../../src/modules/payments/sandbox/sandbox-processor';
import { SandboxProvider } from '../../src/modules/payments/sandbox/sandbox.provider';
import { stripeSignature, verifyStripeDelivery } from '../utils/stripe-fixtures';
import { startWebhookReceiver, type WebhookReceiver } from '../utils/stripe-webhook-receiver';
import { cookieFrom } from '../utils/form-session';
import { desktopOrder, openCheckout } from '../utils/checkouts';
import { createFileDatabase, dropFileDatabase, startConfiguredApp } from '../utils/test-app';

/**
 * The sandbox provider over HTTP: its checkout page, and the signed, Stripe-shaped events its
 * buttons and methods post. A local receiver stands in for the webhook endpoint, and verifies
 * each delivery with Stripe's own SDK; one test posts to the app's real `/webhooks/stripe`.
 */
const PUBLIC_URL = 'http://give.lianxin.test';
/** What a refund request adds for WeChat Pay's sake (the sandbox reads none of it). */
const refundOrder = { sessionId: 'cs_sandbox_refund', totalMinor: 10_000, currency: 'CNY' };

describe('sandbox payment provider', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let receiver: WebhookReceiver;
  let provider: PaymentAdapter;
  let sandbox: SandboxProvider;
  let processor: SandboxProcessor;
  let secret: string;
  let dataDir: string;
  const target = { url: () => receiver.url, httpServer: () => undefined };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-sandbox-'));
    receiver = await startWebhookReceiver();
    await createFileDatabase();
    // No STRIPE_* at all: the sandbox, with a secret of its own in DATA_DIR.
    const started = await startConfiguredApp(
      { dataDir, publicUrl: PUBLIC_URL, stripe: {} },
      { providers: [{ provide: SandboxWebhookTarget, useValue: target }] },
    );
    app = started.app;
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer();
    provider = app.get(PaymentRails).forRail('STRIPE');
    sandbox = app.get(SandboxProvider);
    processor = app.get(SandboxProcessor);
    secret = app.get(SandboxWebhookSecret).get();
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    await dropFileDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function checkoutRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
    return {
      ...desktopOrder(),
      donationId: randomUUID(),
      amountMinor: 10_000,
      currency: 'CNY',
      description: 'Community garden',
      donorEmail: 'donor@example.org',
      monthly: false,
      successUrl: `${PUBLIC_URL}/campaigns/garden/thanks?session={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${PUBLIC_URL}/campaigns/garden`,
      locale: 'zh-CN',
      ...overrides,
    };
  }

  /** Opens the checkout page like a browser and presses a button on it. */
  async function press(url: string, button: 'pay' | 'decline') {
    const agent = request.agent(server);
    const page = await agent.get(url).expect(200);
    // The form's token; a finished checkout has no form, but the cookie holds the same token.
    const csrf =
      /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? cookieFrom(page, CSRF_COOKIE);
    expect(csrf).toBeDefined();
    return agent.post(`${url}/${button}`).type('form').send({ _csrf: csrf! });
  }

  /** Every delivery so far must carry a signature Stripe's SDK accepts with the sandbox secret. */
  function verified(type: string) {
    return receiver.ofType(type).map((delivery) => {
      expect(delivery.path).toBe('/webhooks/stripe');
      expect(delivery.headers['content-type']).toMatch(/^application\/json/);
      return verifyStripeDelivery(
        delivery.rawBody,
        String(delivery.headers['stripe-signature']),
        secret,
      ) as unknown as WebhookDelivery;
    });
  }
  type WebhookDelivery = {
    id: string;
    type: string;
    object: string;
    livemode: boolean;
    api_version: string;
    data: { object: Record<string, unknown> };
  };

  it('is the provider when no Stripe key is set, with a secret kept in DATA_DIR', () => {
    expect(provider).toBe(sandbox);
    expect(provider.name).toBe('SANDBOX');
    const file = path.join(dataDir, SANDBOX_SECRET_FILE);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('creates one local checkout per donation, whatever the number of calls', async () => {
    const request = checkoutRequest();
    const first = await openCheckout(provider, request);
    const again = await openCheckout(provider, request);

    expect(first.sessionId).toMatch(/^cs_sandbox_[0-9a-f]{32}$/);
    expect(first.url).toBe(`/sandbox/checkout/${first.sessionId}`);
    expect(again).toEqual(first);
  });

  it('renders the checkout page with the amount and the campaign, escaped', async () => {
    const { url } = await openCheckout(
      provider,
      checkoutRequest({ description: '<script>alert("x")</script> 花园', amountMinor: 12_345 }),
    );

    const page = await request(server).get(url).expect(200);

    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('123.45');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 花园');
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('沙盒收银台');
    expect(page.text).toContain(`action="${url}/pay"`);
    expect(page.text).toContain(`action="${url}/decline"`);
    expect(page.text).not.toMatch(/<script|style=/);

    const english = await request(server).get(`${url}?lang=en`).expect(200);
    expect(english.text).toContain('Sandbox checkout');
  });

  it('answers 404 for an unknown or malformed session', async () => {
    await request(server)
      .get(`/sandbox/checkout/cs_sandbox_${'0'.repeat(32)}`)
      .expect(404);
    await request(server).get('/sandbox/checkout/not-a-session').expect(404);
  });

  it('refuses a button press without the CSRF token', async () => {
    const { url } = await openCheckout(provider, checkoutRequest());
    await request(server).post(`${url}/pay`).type('form').send({}).expect(403);
    expect(receiver.received).toEqual([]);
  });

  it('Pay posts a signed checkout.session.completed and sends the donor to the success URL', async () => {
    const donation = checkoutRequest();
    const { sessionId, url } = await openCheckout(provider, donation);

    const paid = await press(url, 'pay');

    expect(paid.status).toBe(303);
    // On this site (PUBLIC_URL's origin): a path, with Stripe's placeholder filled in.
    expect(paid.headers.location).toBe(`/campaigns/garden/thanks?session=${sessionId}`);
    const [event, ...more] = verified('checkout.session.completed').filter(
      (e) => e.data.object.id === sessionId,
    );
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      object: 'event',
      type: 'checkout.session.completed',
      livemode: false,
      data: {
        object: {
          id: sessionId,
          object: 'checkout.session',
          amount_total: 10_000,
          currency: 'cny',
          payment_status: 'paid',
          status: 'complete',
          mode: 'payment',
          client_reference_id: donation.donationId,
          metadata: { donation_id: donation.donationId },
          customer_email: 'donor@example.org',
          subscription: null,
        },
      },
    });
    expect(event!.id).toMatch(/^evt_sandbox_/);
    expect(event!.api_version).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(event!.data.object.payment_intent).toMatch(/^pi_sandbox_/);
    // Before it, as Stripe sends them, the charge with the test card's fingerprint.
    const charges = verified('charge.succeeded').filter(
      (e) => e.data.object.payment_intent === event!.data.object.payment_intent,
    );
    expect(charges).toHaveLength(1);
    expect(charges[0]!.data.object).toMatchObject({
      object: 'charge',
      amount: 10_000,
      metadata: { donation_id: donation.donationId },
      payment_method_details: {
        type: 'card',
        card: { fingerprint: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) },
      },
    });
    const order = receiver.received.map((d) => d.event.id);
    expect(order.indexOf(charges[0]!.id)).toBeLessThan(order.indexOf(event!.id));

    // Pressing again sends nothing new (everything was delivered) and still goes on.
    const count = receiver.received.length;
    const again = await press(url, 'pay');
    expect(again.status).toBe(303);
    expect(receiver.received).toHaveLength(count);
    const done = await request(server).get(url).expect(200);
    expect(done.text).not.toContain('<form method="post"');
    expect(done.text).toContain('此收银台已支付');
    expect(done.text).toContain(`href="/campaigns/garden/thanks?session&#x3D;${sessionId}"`);
  });

  it('Decline posts payment_intent.payment_failed, then checkout.session.expired, and sends the donor to the cancel URL', async () => {
    const donation = checkoutRequest();
    const { sessionId, url } = await openCheckout(provider, donation);

    const declined = await press(url, 'decline');

    expect(declined.status).toBe(303);
    expect(declined.headers.location).toBe('/campaigns/garden');
    // The declined attempt, as Stripe reports one: the gift is named in the PaymentIntent.
    const failures = verified('payment_intent.payment_failed').filter(
      (e) =>
        (e.data.object.metadata as { donation_id?: string }).donation_id === donation.donationId,
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]!.data.object).toMatchObject({
      object: 'payment_intent',
      amount: 10_000,
      amount_received: 0,
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined' },
    });
    const order = receiver.received.map((d) => d.rawBody);
    const failedAt = order.findIndex((body) => body.includes(String(failures[0]!.id)));
    const events = verified('checkout.session.expired').filter(
      (e) => e.data.object.id === sessionId,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.data.object).toMatchObject({
      status: 'expired',
      payment_status: 'unpaid',
      payment_intent: null,
      metadata: { donation_id: donation.donationId },
    });
    // The failure first: the session's expiry after it changes nothing more.
    expect(order.findIndex((body) => body.includes(events[0]!.id))).toBeGreaterThan(failedAt);
    // A declined checkout cannot be paid afterwards.
    const late = await press(url, 'pay');
    expect(late.status).toBe(409);
  });

  it('refunds in parts, once per key, with cumulative charge.refunded events', async () => {
    const donation = checkoutRequest({ amountMinor: 10_000 });
    const { sessionId, url } = await openCheckout(provider, donation);
    await press(url, 'pay');
    const completed = verified('checkout.session.completed').find(
      (e) => e.data.object.id === sessionId,
    )!;
    const paymentId = String(completed.data.object.payment_intent);

    const first = await provider.refund({
      ...refundOrder,
      donationId: donation.donationId,
      paymentId,
      amountMinor: 3_000,
      idempotencyKey: `${donation.donationId}:1`,
    });
    const repeated = await provider.refund({
      ...refundOrder,
      donationId: donation.donationId,
      paymentId,
      amountMinor: 3_000,
      idempotencyKey: `${donation.donationId}:1`,
    });
    const second = await provider.refund({
      ...refundOrder,
      donationId: donation.donationId,
      paymentId,
      amountMinor: 7_000,
      idempotencyKey: `${donation.donationId}:2`,
    });
    await processor.idle();

    expect(first.refundId).toMatch(/^re_sandbox_/);
    expect(repeated).toEqual(first);
    expect(second.refundId).not.toBe(first.refundId);
    const refunds = verified('charge.refunded')
      .map((e) => e.data.object)
      .filter((charge) => charge.payment_intent === paymentId);
    expect(refunds.map((c) => [c.amount_refunded, c.refunded])).toEqual([
      [3_000, false],
      [10_000, true],
    ]);
    expect(refunds[0]).toMatchObject({
      object: 'charge',
      amount: 10_000,
      currency: 'cny',
      metadata: { donation_id: donation.donationId },
    });

    await expect(
      provider.refund({
        ...refundOrder,
        donationId: donation.donationId,
        paymentId,
        amountMinor: 1,
        idempotencyKey: `${donation.donationId}:3`,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    await expect(
      provider.refund({
        ...refundOrder,
        donationId: donation.donationId,
        paymentId,
        amountMinor: 5,
        idempotencyKey: `${donation.donationId}:1`,
      }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(
      provider.retrieveFee({ paymentId, amountMinor: 10_000, currency: 'CNY' }),
    ).resolves.toEqual({
      feeMinor: 60,
      currency: 'CNY',
      chargeId: expect.stringMatching(/^ch_sandbox_/),
    });
  });

  it('runs a monthly gift: subscription checkout, renewals, a failed renewal, cancellation', async () => {
    const donation = checkoutRequest({ monthly: true, amountMinor: 5_000, locale: 'en' });
    const { sessionId, url } = await openCheckout(provider, donation);

    expect((await press(url, 'pay')).status).toBe(303);

    const completed = verified('checkout.session.completed').find(
      (e) => e.data.object.id === sessionId,
    )!.data.object;
    expect(completed).toMatchObject({
      mode: 'subscription',
      payment_status: 'paid',
      payment_intent: null,
      locale: 'en',
    });
    const subscriptionId = String(completed.subscription);
    expect(subscriptionId).toMatch(/^sub_sandbox_/);
    const invoices = () =>
      verified('invoice.paid')
        .concat(verified('invoice.payment_failed'))
        .map((e) => e.data.object)
        .filter(
          (invoice) =>
            (invoice.parent as { subscription_details?: { subscription?: string } } | undefined)
              ?.subscription_details?.subscription === subscriptionId,
        );
    const [firstInvoice] = invoices();
    expect(firstInvoice).toMatchObject({
      id: completed.invoice,
      billing_reason: 'subscription_create',
      amount_paid: 5_000,
      parent: {
        subscription_details: {
          subscription: subscriptionId,
          metadata: { donation_id: donation.donationId },
        },
      },
    });

    // As `simulate-renewal` does it: asking the running server, which owns the database.
    const { port } = server.address() as AddressInfo;
    const serverUrl = `http://127.0.0.1:${port}`;
    const renewal = await requestSandboxRenewal(serverUrl, subscriptionId);
    const failed = await processor.simulateRenewal(subscriptionId, { fail: true });
    await expect(requestSandboxRenewal(serverUrl, 'sub_sandbox_unknown')).rejects.toThrow(
      /no subscription sub_sandbox_unknown/,
    );

    expect(renewal).toMatchObject({ type: 'invoice.paid', status: 200, amountMinor: 5_000 });
    expect(renewal.paymentId).toMatch(/^pi_sandbox_/);
    await expect(sandbox.retrieveInvoicePayment(renewal.invoiceId)).resolves.toEqual({
      paymentId: renewal.paymentId,
      chargeId: expect.stringMatching(/^ch_sandbox_/),
    });
    await expect(sandbox.retrieveInvoicePayment(failed.invoiceId)).resolves.toBeNull();
    expect(failed).toMatchObject({ type: 'invoice.payment_failed', paymentId: null });
    const all = invoices();
    expect(all.map((i) => [i.billing_reason, i.status, i.amount_paid])).toEqual([
      ['subscription_create', 'paid', 5_000],
      ['subscription_cycle', 'paid', 5_000],
      ['subscription_cycle', 'open', 0],
    ]);
    // The pinned API version's format: no legacy top-level subscription or payment fields.
    for (const invoice of all) {
      for (const legacy of ['subscription', 'payment_intent', 'charge']) {
        expect(invoice).not.toHaveProperty(legacy);
      }
    }
    expect(all[1]).toMatchObject({
      payments: {
        data: [{ payment: { type: 'payment_intent', payment_intent: renewal.paymentId } }],
      },
    });

    await sandbox.cancelSubscription(subscriptionId);
    await sandbox.cancelSubscription(subscriptionId);
    await processor.idle();
    const deleted = verified('customer.subscription.deleted')
      .map((e) => e.data.object)
      .filter((s) => s.id === subscriptionId);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({
      status: 'canceled',
      metadata: { donation_id: donation.donationId },
    });
    await expect(processor.simulateRenewal(subscriptionId)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('keeps an event the endpoint refused and resends it, same id, when Pay is pressed again', async () => {
    const { sessionId, url } = await openCheckout(provider, checkoutRequest());
    receiver.answer(500);
    let refused;
    try {
      refused = await press(url, 'pay');
    } finally {
      receiver.answer(200);
    }

    expect(refused.status).toBe(503);
    expect(refused.text).toContain('模拟支付未能送达支付通知');
    const waiting = await request(server).get(`${url}?lang=en`).expect(200);
    expect(waiting.text).toContain('Tell it again');
    expect(waiting.text).toContain(`action="${url}/pay"`);
    const stored: { id: string; type: string; delivered_at: Date | null }[] = await app
      .get(DataSource)
      .query(
        `SELECT id, type, delivered_at FROM sandbox_events WHERE session_id = $1 ORDER BY seq`,
        [sessionId],
      );
    expect(stored.map((e) => [e.type, e.delivered_at])).toEqual([
      ['charge.succeeded', null],
      ['checkout.session.completed', null],
    ]);

    const resent = await press(url, 'pay');

    expect(resent.status).toBe(303);
    const deliveries = verified('checkout.session.completed').filter(
      (e) => e.data.object.id === sessionId,
    );
    expect(deliveries.map((e) => e.id)).toEqual([stored[1]!.id]);

    // An event sent in the background (a refund's) that fails waits for the next redelivery.
    receiver.answer(503);
    try {
      await provider.refund({
        ...refundOrder,
        donationId: 'd',
        paymentId: String(deliveries[0]!.data.object.payment_intent),
        amountMinor: 100,
        idempotencyKey: `${sessionId}:refund`,
      });
      await processor.idle();
    } finally {
      receiver.answer(200);
    }
    const refundsBefore = receiver.ofType('charge.refunded').length;
    await expect(app.get(SandboxWebhookSender).redeliverPending()).resolves.toBe(1);
    expect(receiver.ofType('charge.refunded')).toHaveLength(refundsBefore + 1);
    await expect(app.get(SandboxWebhookSender).redeliverPending()).resolves.toBe(0);
  });

  it('verifies its own signatures, and refuses others', () => {
    const payload = JSON.stringify({ id: 'evt_x', type: 'ping', data: { object: {} } });
    expect(
      provider.verifyNotification(Buffer.from(payload), {
        'stripe-signature': stripeSignature(payload, secret),
      }),
    ).toMatchObject({ eventId: 'evt_x' });
    expect(() =>
      provider.verifyNotification(Buffer.from(payload), {
        'stripe-signature': stripeSignature(payload, 'whsec_other'),
      }),
    ).toThrow(WebhookSignatureError);
  });

  it('lists sessions for reconciliation, newest first, in Stripe’s shape', async () => {
    const since = new Date();
    const older = await openCheckout(provider, checkoutRequest());
    const newer = await openCheckout(provider, checkoutRequest());
    await press(newer.url, 'pay');

    const listed: Record<string, unknown>[] = [];
    for await (const session of sandbox.listSessionsSince(since)) listed.push(session);

    expect(listed.map((s) => s.id)).toEqual([newer.sessionId, older.sessionId]);
    expect(listed[0]).toMatchObject({ object: 'checkout.session', status: 'complete' });
    expect(listed[1]).toMatchObject({ status: 'open', url: older.url });
  });

  it('posts to this app’s own /webhooks/stripe when not pointed elsewhere', async () => {
    const own = new SandboxWebhookTarget(app.get(AppConfig), app.get(HttpAdapterHost));
    const { port } = server.address() as AddressInfo;
    expect(own.url()).toBe(`http://127.0.0.1:${port}/webhooks/stripe`);

    // Through the app's real endpoint: its 2xx means the production path verified the signature.
    const { sessionId, url } = await openCheckout(provider, checkoutRequest());
    const previous = target.url;
    target.url = () => own.url();
    try {
      expect((await press(url, 'pay')).status).toBe(303);
    } finally {
      target.url = previous;
    }
    const [row] = await app
      .get(DataSource)
      .query(`SELECT delivered_at FROM sandbox_events WHERE session_id = $1`, [sessionId]);
    expect(row.delivered_at).not.toBeNull();
  });
});
