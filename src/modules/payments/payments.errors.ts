import { DomainError } from '../../common/errors';

/** Coded errors of the payment port and its two adapters (Stripe and the sandbox). */

/** Bad, missing or stale webhook signature: answered with 400, nothing stored. */
export class WebhookSignatureError extends DomainError {
  constructor(message = 'The webhook signature is missing, does not match, or is too old.') {
    super('INVALID_SIGNATURE', message);
  }
}

/**
 * The provider is rate-limiting us (HTTP 429) or unreachable even after backoff: answered with 503
 * ("busy, retrying"), and the caller may try again shortly with the same idempotency key.
 */
export class ProviderBusyError extends DomainError {
  constructor(
    message = 'The payment provider is busy right now. Please try again in a moment.',
    details?: Record<string, unknown>,
  ) {
    super('PROVIDER_BUSY', message, details);
  }
}

/** An amount given to an adapter that is not a positive whole number of minor units. */
export class PaymentAmountNotPositiveError extends DomainError {
  constructor(amountMinor: number) {
    super(
      'INVALID_AMOUNT',
      `The amount must be a positive whole number of minor units; got ${amountMinor}.`,
    );
  }
}

/** Below or above what the card processor accepts for one payment: the donor's to fix. */
export class ProcessorAmountLimitError extends DomainError {
  constructor(limit: 'too_small' | 'too_large') {
    super(
      'INVALID_AMOUNT',
      limit === 'too_small'
        ? 'This amount is below the smallest payment the card processor accepts. Please give a little more.'
        : 'This amount is above the largest single payment the card processor accepts. Please give less, or contact us for a bank transfer.',
    );
  }
}

/** Stripe answered a refund with a 4xx (already refunded, more than is left, unknown payment). */
export class StripeRefundRefusedError extends DomainError {
  constructor(reason: string) {
    super('CONFLICT', `Stripe refused the refund: ${reason}`);
  }
}

export class SandboxCheckoutNotFoundError extends DomainError {
  constructor() {
    super('NOT_FOUND', 'There is no such sandbox checkout. Start again from the campaign page.');
  }
}

/** A sandbox-only action (simulate-renewal) asked for while Stripe is the provider. */
export class SandboxOnlyError extends DomainError {
  constructor(what: string) {
    super(
      'CONFLICT',
      `${what} works only with the sandbox payment provider; STRIPE_SECRET_KEY is set, so Stripe is in use.`,
    );
  }
}

export class SandboxInvalidCurrencyError extends DomainError {
  constructor(currency: string) {
    super('VALIDATION_FAILED', `"${currency}" is not a currency code.`);
  }
}

export class SandboxPaymentNotFoundError extends DomainError {
  constructor(paymentId: string) {
    super('NOT_FOUND', `The sandbox has no payment ${paymentId}.`);
  }
}

export class SandboxSubscriptionNotFoundError extends DomainError {
  constructor(subscriptionId: string) {
    super('NOT_FOUND', `The sandbox has no subscription ${subscriptionId}.`);
  }
}

export class SandboxSubscriptionCancelledError extends DomainError {
  constructor(subscriptionId: string) {
    super('CONFLICT', `Subscription ${subscriptionId} has been cancelled.`);
  }
}

/** A refund key used before for another payment or amount (Stripe refuses it the same way). */
export class RefundKeyReusedError extends DomainError {
  constructor(idempotencyKey: string) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      `Refund key "${idempotencyKey}" was already used for another payment or amount.`,
    );
  }
}

export class RefundExceedsPaymentError extends DomainError {
  constructor(paymentId: string, leftMinor: number, amountMinor: number) {
    super(
      'INVALID_AMOUNT',
      `Payment ${paymentId} has ${leftMinor} (minor units) left to refund; ${amountMinor} is more.`,
    );
  }
}

export class SandboxCheckoutDeclinedError extends DomainError {
  constructor() {
    super(
      'CONFLICT',
      'This checkout was declined. Go back to the campaign page to start a new gift.',
    );
  }
}

export class SandboxCheckoutPaidError extends DomainError {
  constructor() {
    super('CONFLICT', 'This checkout has already been paid.');
  }
}

/** An event the sandbox could not deliver to the webhook endpoint (kept and sent again later). */
export class SandboxDeliveryFailedError extends DomainError {
  constructor(event: { id: string; type: string }, url: string, reason: string) {
    super(
      'SERVICE_UNAVAILABLE',
      `The sandbox could not deliver event ${event.id} (${event.type}) to ${url}: ${reason}. ` +
        'It is kept and sent again when the server starts; on the checkout page, press the same button again to resend it now.',
    );
  }
}
