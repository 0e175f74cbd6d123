import Stripe from 'stripe';
import { WebhookSignatureError } from '../payment-provider';
import { isStripeEvent, type StripeEvent } from './stripe-events';

/**
 * The only file that imports `stripe`. Everything else sees these few functions and types, so an
 * SDK upgrade is reviewed here, and the sandbox signs its events with exactly the code that
 * verifies Stripe's.
 */
export type StripeSdk = Stripe;
export type StripeCheckoutSession = Stripe.Checkout.Session;
export type StripeCheckoutSessionCreateParams = Stripe.Checkout.SessionCreateParams;
export type StripeCheckoutLocale = Stripe.Checkout.SessionCreateParams.Locale;

/** The API version this SDK speaks; stamped on the sandbox's events as Stripe stamps its own. */
export const STRIPE_API_VERSION: string = Stripe.API_VERSION;

export interface StripeClientOptions {
  secretKey: string;
  /** e.g. `http://127.0.0.1:12111`: send the API calls to a local Stripe-compatible server. */
  apiBase?: string;
  /** Per request; a timed-out request is retried by our own retry loop with the same key. */
  timeoutMs?: number;
}

export const DEFAULT_STRIPE_TIMEOUT_MS = 15_000;

/**
 * The SDK with its own retries off (`maxNetworkRetries: 0`): `StripeProvider` retries with our
 * idempotency keys, which survive a crash, unlike the per-call key the SDK would invent.
 */
export function createStripeClient(options: StripeClientOptions): Stripe {
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? DEFAULT_STRIPE_TIMEOUT_MS,
    telemetry: false,
    appInfo: { name: 'Lianxin' },
  };
  if (options.apiBase) {
    const url = new URL(options.apiBase);
    const protocol = url.protocol === 'https:' ? 'https' : 'http';
    config.protocol = protocol;
    config.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    config.port = url.port || (protocol === 'https' ? 443 : 80);
  }
  return new Stripe(options.secretKey, config);
}

/**
 * Verifies the `Stripe-Signature` header against the raw body with Stripe's default tolerance
 * (a timestamp older than 5 minutes is refused, which stops replays) and returns the event.
 */
export function verifyStripeSignature(
  rawBody: Buffer | string,
  signatureHeader: string | undefined,
  secret: string,
): StripeEvent {
  if (!signatureHeader) {
    throw new WebhookSignatureError('the request carries no Stripe-Signature header');
  }
  let event: unknown;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret);
  } catch (error) {
    const reason =
      error instanceof Stripe.errors.StripeSignatureVerificationError
        ? /tolerance/i.test(error.message)
          ? 'its timestamp is more than 5 minutes old'
          : 'it does not match the body and the webhook secret'
        : 'the body is not a JSON event';
    throw new WebhookSignatureError(reason);
  }
  if (!isStripeEvent(event)) {
    throw new WebhookSignatureError('the signed body is not an event (id, type, data.object)');
  }
  return event;
}

/** A `Stripe-Signature` header for `payload`, as Stripe computes it (the sandbox's signer). */
export function signStripePayload(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/**
 * How a failed call may be retried (https://docs.stripe.com/error-handling):
 * - `rate_limited`: HTTP 429 (or Stripe's 400 `rate_limit`);
 * - `transient`: no response (network, timeout), 409 (a concurrent request holding the same
 *   idempotency key, a lock timeout), 5xx, or the API saying `Stripe-Should-Retry: true`;
 * - `permanent`: everything else, and anything the API marks `Stripe-Should-Retry: false`.
 * Retrying is safe only because every call that changes something carries our idempotency key.
 */
export type StripeFailure = 'rate_limited' | 'transient' | 'permanent';

export function classifyStripeError(error: unknown): StripeFailure {
  if (!(error instanceof Stripe.errors.StripeError)) return 'permanent';
  const shouldRetry = error.headers?.['stripe-should-retry'];
  if (shouldRetry === 'false') return 'permanent';
  if (error instanceof Stripe.errors.StripeRateLimitError || error.statusCode === 429) {
    return 'rate_limited';
  }
  if (error instanceof Stripe.errors.StripeConnectionError) return 'transient';
  if (error instanceof Stripe.errors.StripeIdempotencyError) return 'permanent';
  if (shouldRetry === 'true') return 'transient';
  const status = error.statusCode ?? 0;
  return status === 409 || status >= 500 ? 'transient' : 'permanent';
}

/** The server's Retry-After (seconds), if it sent one, in milliseconds. */
export function stripeRetryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof Stripe.errors.StripeError)) return undefined;
  const seconds = Number(error.headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** A short description of a failed call for logs: status, code and Stripe's request id. */
export function describeStripeError(error: unknown): string {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return error instanceof Error ? error.message : String(error);
  }
  const parts = [
    error.statusCode ? `HTTP ${error.statusCode}` : error.type,
    error.code,
    error.requestId ? `request ${error.requestId}` : undefined,
    error.message,
  ];
  return parts.filter(Boolean).join(' · ');
}
