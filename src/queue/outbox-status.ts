/**
 * The outbox row's lifecycle and retry arithmetic. Pure: no Nest, no TypeORM.
 *
 *   PENDING ──relay──▶ RELAYED ──processor──▶ SENT
 *      │                  │
 *      └──(in-process)────┴──── attempts exhausted or permanent error ──▶ FAILED
 */
export const OUTBOX_STATUSES = ['PENDING', 'RELAYED', 'SENT', 'FAILED'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** Longest wait between two attempts, whatever the base and the attempt number. */
export const MAX_RETRY_DELAY_MS = 24 * 3600 * 1000;

/** Whether a processor may still work on a row in this status (SENT and FAILED are final). */
export function isOpen(status: OutboxStatus): boolean {
  return status === 'PENDING' || status === 'RELAYED';
}

/**
 * Wait after the n-th failed attempt (n ≥ 1): base · 2^(n−1), capped. The same curve as BullMQ's
 * built-in `exponential` backoff, so both run modes retry on the same schedule.
 */
export function retryDelayMs(failedAttempts: number, baseMs: number): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  return Math.min(MAX_RETRY_DELAY_MS, Math.round(baseMs * 2 ** (n - 1)));
}

export interface FailureInput {
  /** Attempts made so far, including the one that just failed. */
  attempts: number;
  maxAttempts: number;
  /** A failure no retry can fix (bad payload, recipient refused). */
  permanent: boolean;
  baseMs: number;
  now: Date;
}

/** After a failed attempt: give up (FAILED) or try again at `nextAttemptAt`. */
export function afterFailure(input: FailureInput): { final: boolean; nextAttemptAt: Date } {
  const final = input.permanent || input.attempts >= input.maxAttempts;
  const delay = final ? 0 : retryDelayMs(input.attempts, input.baseMs);
  return { final, nextAttemptAt: new Date(input.now.getTime() + delay) };
}
