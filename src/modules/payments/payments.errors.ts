import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';
import type { Money } from '../../common/money';

/** Coded errors of the payment port and its two adapters (Stripe and the sandbox). */

/** Bad, missing or stale webhook signature: answered with 400, nothing stored. */
export class WebhookSignatureError extends DomainError {
  /** `reason`: a short technical note (Stripe's), or words saying why (WeChat Pay, Alipay). */
  constructor(reason?: string | Words) {
    super(
      'INVALID_SIGNATURE',
      reason
        ? words('errors.payments.webhookRefused', { reason })
        : words('errors.payments.webhookSignature'),
    );
  }
}

/**
 * The provider is rate-limiting us (HTTP 429) or unreachable even after backoff: answered with 503
 * ("busy, retrying"), and the caller may try again shortly with the same idempotency key.
 */
export class ProviderBusyError extends DomainError {
  constructor(what: Words = words('errors.payments.busy'), details?: Record<string, unknown>) {
    super('PROVIDER_BUSY', what, details);
  }
}

/** An amount given to an adapter that is not a positive whole number of minor units. */
export class PaymentAmountNotPositiveError extends DomainError {
  constructor(amountMinor: number) {
    super('INVALID_AMOUNT', words('errors.payments.amountNotPositive'), { amountMinor });
  }
}

/** Below or above what the card processor accepts for one payment: the donor's to fix. */
export class ProcessorAmountLimitError extends DomainError {
  constructor(limit: 'too_small' | 'too_large') {
    super(
      'INVALID_AMOUNT',
      words(limit === 'too_small' ? 'errors.payments.tooSmall' : 'errors.payments.tooLarge'),
    );
  }
}

/** Stripe answered a refund with a 4xx (already refunded, more than is left, unknown payment). */
export class StripeRefundRefusedError extends DomainError {
  constructor(reason: string) {
    super('CONFLICT', words('errors.payments.refundRefused', { reason }));
  }
}

export class SandboxCheckoutNotFoundError extends DomainError {
  constructor() {
    super('NOT_FOUND', words('errors.payments.noCheckout'));
  }
}

/** A sandbox-only action (simulate-renewal) asked for while Stripe is the provider. */
export class SandboxOnlyError extends DomainError {
  constructor(what: string) {
    super('CONFLICT', words('errors.payments.sandboxOnly', { what }));
  }
}

export class SandboxInvalidCurrencyError extends DomainError {
  constructor(currency: string) {
    super('VALIDATION_FAILED', words('errors.payments.currency', { currency }));
  }
}

export class SandboxPaymentNotFoundError extends DomainError {
  constructor(paymentId: string) {
    super('NOT_FOUND', words('errors.payments.noPayment', { id: paymentId }));
  }
}

export class SandboxSubscriptionNotFoundError extends DomainError {
  constructor(subscriptionId: string) {
    super('NOT_FOUND', words('errors.payments.noSubscription', { id: subscriptionId }));
  }
}

export class SandboxSubscriptionCancelledError extends DomainError {
  constructor(subscriptionId: string) {
    super('CONFLICT', words('errors.payments.subscriptionCancelled', { id: subscriptionId }));
  }
}

/** A refund key used before for another payment or amount (Stripe refuses it the same way). */
export class RefundKeyReusedError extends DomainError {
  constructor(idempotencyKey: string) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      words('errors.payments.refundKeyReused', { key: idempotencyKey }),
    );
  }
}

export class RefundExceedsPaymentError extends DomainError {
  constructor(paymentId: string, left: Money, asked: Money) {
    super('INVALID_AMOUNT', words('errors.payments.refundExceeds', { id: paymentId, left, asked }));
  }
}

export class SandboxCheckoutDeclinedError extends DomainError {
  constructor() {
    super('CONFLICT', words('errors.payments.declined'));
  }
}

export class SandboxCheckoutPaidError extends DomainError {
  constructor() {
    super('CONFLICT', words('errors.payments.paid'));
  }
}

/** An event the sandbox could not deliver to the webhook endpoint (kept and sent again later). */
export class SandboxDeliveryFailedError extends DomainError {
  constructor(event: { id: string; type: string }, url: string, reason: string) {
    super('SERVICE_UNAVAILABLE', words('errors.payments.deliveryFailed'), {
      event: event.id,
      type: event.type,
      url,
      reason,
    });
  }
}

/** A rail (or provider) asked for that this deployment has not enabled. */
export class PaymentRailNotEnabledError extends DomainError {
  constructor(what: string, enabled: readonly string[]) {
    super(
      'VALIDATION_FAILED',
      words('errors.payments.railNotEnabled', {
        what: railWord(what),
        enabled: enabled.map(railWord).join(', '),
      }),
      { enabled: [...enabled] },
    );
  }
}

/** How people and API clients name a rail in messages: the API's method names. */
function railWord(rail: string): string {
  const names: Record<string, string> = {
    WECHAT_PAY: 'wechat_pay',
    ALIPAY: 'alipay',
    STRIPE: 'stripe',
    SANDBOX: 'stripe',
  };
  return names[rail] ?? rail;
}

/**
 * A verified notification that could not be booked on first receipt: it names an order this
 * deployment does not know, or a different amount or currency than the gift's. It is kept in the
 * inbox (retried, then a dead letter for FINANCE) but answered as a failure, never "processed".
 */
export class NotificationNotAcceptedError extends DomainError {
  constructor(reason: 'UNKNOWN_DONATION' | 'AMOUNT_MISMATCH', eventId: string) {
    super(
      'NOTIFICATION_NOT_ACCEPTED',
      words(
        reason === 'UNKNOWN_DONATION'
          ? 'errors.payments.unknownOrder'
          : 'errors.payments.amountMismatch',
      ),
      { eventId, reason },
    );
  }
}
