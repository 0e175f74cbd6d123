import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { FeeProcessor } from '../../src/modules/donations/fee.processor';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import type { OutboxMessage } from '../../src/queue/outbox.entity';
import { createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { type StripeApiServer, startStripeApiServer } from '../utils/stripe-api-server';
import {
  completedSessionFixture,
  fixtureEvent,
  invoiceFixture,
  openSessionFixture,
  refundedChargeFixture,
  testId,
} from '../utils/stripe-fixtures';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver } from '../utils/webhooks';

/**
 * Monthly gifts with Stripe as the provider (the real SDK against a local stand-in for
 * api.stripe.com) and webhook events in the pinned API version's format: invoices without the
 * legacy top-level `subscription` / `payment_intent`. The first payment's PaymentIntent, renewals,
 * their fees and refunds.
 */
describe('monthly gifts with Stripe: current invoice format, payment references, fees', () => {
  let api: StripeApiServer;
  let t: TestApp;
  let finance: Record<string, string>;
  /** What the stand-in answers: invoice → its paid PaymentIntent, PaymentIntent → its fee. */
  const invoicePayments = new Map<string, string>();
  const fees = new Map<string, number>();

  beforeAll(async () => {
    api = await startStripeApiServer();
    api.setDefault((req) => {
      if (req.method === 'POST' && req.path === '/v1/checkout/sessions') {
        return {
          status: 200,
          body: openSessionFixture({
            donationId: req.form['metadata[donation_id]']!,
            amountMinor: Number(req.form['line_items[0][price_data][unit_amount]']),
            monthly: req.form.mode === 'subscription',
          }),
        };
      }
      if (req.method === 'GET' && req.path === '/v1/invoice_payments') {
        const paymentId = invoicePayments.get(req.query.invoice!);
        const data = paymentId
          ? [
              {
                id: testId('inpay'),
                object: 'invoice_payment',
                invoice: req.query.invoice,
                status: 'paid',
                payment: { type: 'payment_intent', payment_intent: paymentId },
              },
            ]
          : [];
        return {
          status: 200,
          body: { object: 'list', data, has_more: false, url: '/v1/invoice_payments' },
        };
      }
      const intent = /^\/v1\/payment_intents\/(pi_[\w]+)$/.exec(req.path)?.[1];
      if (req.method === 'GET' && intent && fees.has(intent)) {
        const charge = `ch_${intent.slice(3)}`;
        return {
          status: 200,
          body: {
            id: intent,
            object: 'payment_intent',
            latest_charge: {
              id: charge,
              object: 'charge',
              balance_transaction: {
                id: `txn_${intent.slice(3)}`,
                object: 'balance_transaction',
                fee: fees.get(intent),
                currency: 'cny',
              },
            },
          },
        };
      }
      if (req.method === 'POST' && req.path === '/v1/refunds') {
        return {
          status: 200,
          body: {
            id: testId('re'),
            object: 'refund',
            amount: Number(req.form.amount),
            payment_intent: req.form.payment_intent,
            status: 'succeeded',
          },
        };
      }
      return undefined;
    });
    // Unset when the modules loaded, so the configuration reads them now: Stripe, at the stand-in.
    process.env.STRIPE_SECRET_KEY = 'sk_test_lianxin_monthly';
    process.env.STRIPE_API_BASE = api.url;
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    finance = (await createUser(t, ['FINANCE'])).auth;
  });
  afterAll(async () => {
    await t.close();
    await api.close();
    delete process.env.STRIPE_SECRET_KEY;
    delete process.env.STRIPE_API_BASE;
  });

  const send = async (type: string, object: Record<string, unknown>) => {
    const response = await deliver(t.server, fixtureEvent(type, object));
    expect(response.status).toBe(200);
  };
  const gift = (id: string) => t.get(DonationsService).get(id);
  const feeJob = async (donationId: string): Promise<OutboxMessage<'DONATION_FEE'>> => {
    const [job] = await t.dataSource.query(
      `SELECT id, kind, payload FROM outbox WHERE dedupe_key = $1`,
      [`donation-fee:${donationId}`],
    );
    expect(job).toBeDefined();
    return job as OutboxMessage<'DONATION_FEE'>;
  };

  /** A monthly gift whose checkout completed (no PaymentIntent yet: it is on the first invoice). */
  async function monthlyGift(amountMinor: number) {
    const campaign = await createCampaign(t);
    const started = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor,
        donorName: '月捐人',
        donorEmail: `m-${randomUUID().slice(0, 8)}@example.org`,
        monthly: true,
      },
      {},
    );
    const session = completedSessionFixture({ donationId: started.id, amountMinor, monthly: true });
    const invoiceId = testId('in');
    await send('checkout.session.completed', { ...session, invoice: invoiceId });
    return {
      campaign,
      donationId: started.id,
      subscriptionId: String(session.subscription),
      invoiceId,
    };
  }

  it('records the first payment, books renewals and their fees, and refunds a renewal by its PaymentIntent', async () => {
    const { campaign, donationId, subscriptionId, invoiceId } = await monthlyGift(5_000);
    // The fee job may run before the first invoice.paid: it must wait, not finish without a fee.
    await expect(t.get(FeeProcessor).handle(await feeJob(donationId))).rejects.toThrow(
      /no payment reference yet/,
    );
    expect(await gift(donationId)).toMatchObject({
      status: 'SUCCEEDED',
      feeMinor: null,
      providerPaymentId: null,
      providerInvoiceId: invoiceId,
    });

    const firstPayment = testId('pi');
    await send(
      'invoice.paid',
      invoiceFixture({
        id: invoiceId,
        subscriptionId,
        donationId,
        amountMinor: 5_000,
        billingReason: 'subscription_create',
        paymentId: firstPayment,
      }),
    );
    expect((await gift(donationId)).providerPaymentId).toBe(firstPayment);
    fees.set(firstPayment, 150);
    await t.get(FeeProcessor).handle(await feeJob(donationId));
    expect(await gift(donationId)).toMatchObject({
      feeMinor: 150,
      providerChargeId: `ch_${firstPayment.slice(3)}`,
    });

    // A renewal: a new gift, once per invoice however often it is delivered.
    const renewalPayment = testId('pi');
    const renewalInvoice = invoiceFixture({
      subscriptionId,
      donationId,
      amountMinor: 5_000,
      billingReason: 'subscription_cycle',
      paymentId: renewalPayment,
    });
    await send('invoice.paid', renewalInvoice);
    await send('invoice.paid', renewalInvoice);
    const renewals = await t.dataSource.query(
      `SELECT id FROM donations WHERE parent_donation_id = $1`,
      [donationId],
    );
    expect(renewals).toHaveLength(1);
    const renewalId = String(renewals[0].id);
    expect(await gift(renewalId)).toMatchObject({
      status: 'SUCCEEDED',
      amountMinor: 5_000,
      providerPaymentId: renewalPayment,
      providerInvoiceId: renewalInvoice.id,
      providerSubscriptionId: subscriptionId,
    });

    // Its fee is asked for by its PaymentIntent, never by the invoice id.
    fees.set(renewalPayment, 160);
    await t.get(FeeProcessor).handle(await feeJob(renewalId));
    expect((await gift(renewalId)).feeMinor).toBe(160);
    expect(api.to('GET', `/v1/payment_intents/${renewalPayment}`).length).toBeGreaterThan(0);
    expect(api.requests.some((r) => r.path.startsWith('/v1/payment_intents/in_'))).toBe(false);

    // A renewal's refund asks Stripe to refund its PaymentIntent; charge.refunded finds the renewal.
    await request(t.server)
      .post(`/api/v1/donations/${renewalId}/refunds`)
      .set(finance)
      .send({ amountMinor: 5_000 })
      .expect(202);
    const refunds = api.to('POST', '/v1/refunds');
    expect(refunds.at(-1)!.form).toMatchObject({
      payment_intent: renewalPayment,
      amount: '5000',
    });
    await send(
      'charge.refunded',
      refundedChargeFixture({
        paymentId: renewalPayment,
        chargeId: `ch_${renewalPayment.slice(3)}`,
        amountMinor: 5_000,
        refundedMinor: 5_000,
      }),
    );
    expect(await gift(renewalId)).toMatchObject({ status: 'REFUNDED', refundedMinor: 5_000 });
    expect((await gift(donationId)).status).toBe('SUCCEEDED');
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(
      5_000 - 150 + 5_000 - 160 - 5_000,
    );
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('looks a renewal’s PaymentIntent up from its invoice when the event does not include payments', async () => {
    const { donationId, subscriptionId, invoiceId } = await monthlyGift(3_000);
    const firstPayment = testId('pi');
    // The first invoice arrives without `payments` too: the fee job asks Stripe for it.
    await send(
      'invoice.paid',
      invoiceFixture({
        id: invoiceId,
        subscriptionId,
        donationId,
        amountMinor: 3_000,
        billingReason: 'subscription_create',
        paymentId: firstPayment,
        withoutPayments: true,
      }),
    );
    invoicePayments.set(invoiceId, firstPayment);
    fees.set(firstPayment, 90);
    await t.get(FeeProcessor).handle(await feeJob(donationId));
    expect(await gift(donationId)).toMatchObject({ providerPaymentId: firstPayment, feeMinor: 90 });

    const renewalPayment = testId('pi');
    const invoice = invoiceFixture({
      subscriptionId,
      donationId,
      amountMinor: 3_000,
      billingReason: 'subscription_cycle',
      paymentId: renewalPayment,
      withoutPayments: true,
    });
    await send('invoice.paid', invoice);
    const [renewal] = await t.dataSource.query(
      `SELECT id FROM donations WHERE parent_donation_id = $1`,
      [donationId],
    );
    expect(await gift(String(renewal.id))).toMatchObject({
      status: 'SUCCEEDED',
      providerPaymentId: null,
      providerInvoiceId: invoice.id,
    });
    const job = await feeJob(String(renewal.id));
    // Stripe has not linked the payment yet: the job waits.
    await expect(t.get(FeeProcessor).handle(job)).rejects.toThrow(/no payment reference yet/);
    invoicePayments.set(String(invoice.id), renewalPayment);
    fees.set(renewalPayment, 95);
    await t.get(FeeProcessor).handle(job);
    expect(await gift(String(renewal.id))).toMatchObject({
      providerPaymentId: renewalPayment,
      feeMinor: 95,
    });
    expect(api.to('GET', '/v1/invoice_payments').map((r) => r.query.invoice)).toContain(invoice.id);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('tells the donor when a current-format renewal invoice fails', async () => {
    const { donationId, subscriptionId } = await monthlyGift(2_000);
    const failed = invoiceFixture({
      subscriptionId,
      donationId,
      amountMinor: 2_000,
      billingReason: 'subscription_cycle',
      paymentId: null,
    });
    await send('invoice.payment_failed', failed);
    const emails = await t.dataSource.query(`SELECT id FROM outbox WHERE dedupe_key = $1`, [
      `renewal-failed:${String(failed.id)}`,
    ]);
    expect(emails).toHaveLength(1);
    const renewals = await t.dataSource.query(
      `SELECT id FROM donations WHERE parent_donation_id = $1`,
      [donationId],
    );
    expect(renewals).toHaveLength(0);
  });

  it('refunds a first monthly payment through Stripe, never as if offline, before its PaymentIntent is recorded', async () => {
    const { campaign, donationId, invoiceId } = await monthlyGift(2_500);
    const refunds = () => api.to('POST', '/v1/refunds').length;
    const before = refunds();
    const refused = await request(t.server)
      .post(`/api/v1/donations/${donationId}/refunds`)
      .set(finance)
      .send({ amountMinor: 2_500 })
      .expect(409);
    expect(refused.body.code).toBe('CONFLICT');
    expect(refunds()).toBe(before);
    expect(await gift(donationId)).toMatchObject({ status: 'SUCCEEDED', refundedMinor: 0 });
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(2_500);

    // Stripe has linked the invoice's payment: the refund names that PaymentIntent.
    const paymentId = testId('pi');
    invoicePayments.set(invoiceId, paymentId);
    const accepted = await request(t.server)
      .post(`/api/v1/donations/${donationId}/refunds`)
      .set(finance)
      .send({ amountMinor: 2_500 })
      .expect(202);
    expect(accepted.body).toMatchObject({ booked: false });
    expect(api.to('POST', '/v1/refunds').at(-1)!.form).toMatchObject({
      payment_intent: paymentId,
      amount: '2500',
    });
  });
});
