/**
 * Bounded retries with exponential backoff and full jitter, for calls to the payment provider.
 * Pure (no Nest, no SDK): the clock and the dice are injectable, so the spec pins them.
 *
 * Full jitter (a random delay in [0, min(cap, base·2^n))) spreads a crowd of clients that were
 * all refused at the same moment, e.g. a giving day's burst meeting Stripe's rate limit, instead of
 * sending them back in lockstep.
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included (1 = no retry). */
  attempts: number;
  /** Ceiling of the first retry's delay; it doubles with each further retry. */
  baseDelayMs: number;
  /** No delay is longer than this, whatever the attempt or a Retry-After header says. */
  maxDelayMs: number;
}

/**
 * Four attempts with on average 0.125 s, 0.25 s and 0.5 s between them: a donor's form waits at
 * most 1.75 s for backoff (plus the requests themselves) before hearing "busy, try again".
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
};

/** The delay before retry number `retry` (0 for the first retry). */
export function backoffDelay(
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
  notBeforeMs = 0,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = Math.floor(random() * ceiling);
  return Math.min(policy.maxDelayMs, Math.max(jittered, notBeforeMs));
}

/** Thrown when every attempt failed with a retryable error; `lastError` is the final one. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
  ) {
    super(
      `gave up after ${attempts} attempts: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
    this.name = 'RetriesExhaustedError';
  }
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Whether this error may be retried (rate limit, network); anything else is thrown at once. */
  retryable: (error: unknown) => boolean;
  /** A minimum delay the server asked for (Retry-After), in ms. */
  retryAfterMs?: (error: unknown) => number | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation` up to `policy.attempts` times. The operation must be safe to repeat: every
 * provider call that changes something carries our own idempotency key, so a retry of a request
 * that did reach the provider returns the first result instead of acting twice.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, retryable } = options;
  const sleep = options.sleep ?? realSleep;
  const attempts = Math.max(1, Math.floor(policy.attempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!retryable(error)) throw error;
      if (attempt >= attempts) throw new RetriesExhaustedError(error, attempt);
      const delay = backoffDelay(
        attempt - 1,
        policy,
        options.random,
        options.retryAfterMs?.(error) ?? 0,
      );
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
