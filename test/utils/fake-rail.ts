import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  PaymentEvent,
  PaymentRail,
  ProviderName,
} from '../../src/modules/payments/payment-events';
import {
  type NotificationHeaders,
  type OrderCheckout,
  type OrderRef,
  type OrderRequest,
  type OrderStatus,
  type PaymentAdapter,
  type ProviderRefundRequest,
  type VerifiedNotification,
  WebhookSignatureError,
} from '../../src/modules/payments/payment-provider';

/**
 * A payment rail for tests of everything around the adapters (registry, webhook routes, inbox,
 * settlement, rail choice, reconciliation): its notifications are JSON signed with an HMAC in
 * `x-fake-signature`; `out_trade_no` is the donation id without hyphens, as the real rails derive
 * it. Orders live in memory; `pay()` marks one paid at the "provider" and returns its notification.
 */
export interface FakeNotification {
  id: string;
  type: 'paid' | 'refund' | 'closed';
  out_trade_no: string;
  transaction_id?: string;
  amount?: number;
  currency?: string;
  refund_no?: string;
}

interface FakeOrder {
  request: OrderRequest;
  state: 'open' | 'paid' | 'closed';
}

const SECRET = 'fake-rail-secret';

export function signFake(body: string): string {
  return createHmac('sha256', SECRET).update(body).digest('hex');
}

export const outTradeNo = (donationId: string): string => donationId.replace(/-/g, '');
const donationIdOf = (outTradeNo: string): string | undefined =>
  /^[0-9a-f]{32}$/.test(outTradeNo)
    ? outTradeNo.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')
    : undefined;

export class FakeRail implements PaymentAdapter {
  readonly recurring = false;
  readonly orders = new Map<string, FakeOrder>();
  readonly refunds: ProviderRefundRequest[] = [];
  readonly closed: string[] = [];

  constructor(
    readonly name: ProviderName,
    readonly rail: PaymentRail,
    private readonly display: 'qr' | 'redirect' | 'jsapi',
  ) {}

  createOrder(request: OrderRequest): Promise<OrderCheckout> {
    const sessionId = outTradeNo(request.donationId);
    if (!this.orders.has(sessionId)) this.orders.set(sessionId, { request, state: 'open' });
    if (this.display === 'qr') {
      return Promise.resolve({
        sessionId,
        display: 'qr',
        qrContent: `weixin://wxpay/bizpayurl?pr=${sessionId.slice(0, 12)}`,
      });
    }
    if (this.display === 'jsapi') {
      return Promise.resolve({
        sessionId,
        display: 'jsapi',
        invoke: { appId: 'wx8888888888888888', package: `prepay_id=wx${sessionId.slice(0, 8)}` },
      });
    }
    return Promise.resolve({
      sessionId,
      display: 'redirect',
      url: `https://pay.example.test/${this.name.toLowerCase()}/${sessionId}`,
    });
  }

  verifyNotification(rawBody: Buffer, headers: NotificationHeaders): VerifiedNotification {
    const given = Buffer.from(headers['x-fake-signature'] ?? '', 'hex');
    const expected = Buffer.from(signFake(rawBody.toString('utf8')), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new WebhookSignatureError('the fake signature does not match');
    }
    const body = JSON.parse(rawBody.toString('utf8')) as FakeNotification;
    return { eventId: body.id, type: body.type, payload: { ...body } };
  }

  eventTime(): Date | null {
    return null;
  }

  toPaymentEvent(notification: VerifiedNotification): PaymentEvent {
    const body = notification.payload as unknown as FakeNotification;
    const gift = {
      donationId: donationIdOf(body.out_trade_no),
      sessionId: body.out_trade_no,
      ...(body.transaction_id ? { paymentId: body.transaction_id } : {}),
    };
    switch (body.type) {
      case 'paid':
        return {
          kind: 'paid',
          gift,
          paid: { amountMinor: body.amount ?? 0, currency: body.currency ?? 'CNY' },
          ...(body.transaction_id ? { paymentId: body.transaction_id } : {}),
        };
      case 'refund':
        return {
          kind: 'refunded',
          gift,
          refund: { ref: body.refund_no ?? '', amountMinor: body.amount ?? 0 },
        };
      case 'closed':
        return { kind: 'expired', gift };
    }
  }

  refund(request: ProviderRefundRequest): Promise<{ refundId: string }> {
    this.refunds.push(request);
    return Promise.resolve({ refundId: `fake_refund_${request.idempotencyKey}` });
  }

  /** Pays an order at the "provider" and returns the notification it would send. */
  pay(sessionId: string, overrides: Partial<FakeNotification> = {}): FakeNotification {
    const order = this.orders.get(sessionId);
    if (order) order.state = 'paid';
    return {
      id: `paid_${sessionId}`,
      type: 'paid',
      out_trade_no: sessionId,
      transaction_id: `tx_${sessionId.slice(0, 16)}`,
      amount: order?.request.amountMinor,
      currency: order?.request.currency,
      ...overrides,
    };
  }

  queryOrder(order: OrderRef): Promise<OrderStatus> {
    const found = this.orders.get(order.sessionId);
    if (!found) return Promise.resolve({ state: 'not_found' });
    if (found.state === 'paid') {
      const body = this.pay(order.sessionId);
      return Promise.resolve({
        state: 'paid',
        notification: { eventId: body.id, type: body.type, payload: { ...body } },
      });
    }
    return Promise.resolve({ state: found.state });
  }

  closeOrder(order: OrderRef): Promise<void> {
    const found = this.orders.get(order.sessionId);
    if (found && found.state === 'open') found.state = 'closed';
    this.closed.push(order.sessionId);
    return Promise.resolve();
  }

  retrieveFee(payment: {
    paymentId: string;
    amountMinor: number;
    currency: string;
  }): Promise<{ feeMinor: number; currency: string } | null> {
    return Promise.resolve({
      feeMinor: Math.round((payment.amountMinor * 60) / 10_000),
      currency: payment.currency,
    });
  }
}
