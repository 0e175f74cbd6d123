/**
 * An erasure request's life: asked in the portal (AWAITING_CONFIRMATION), confirmed by the
 * emailed link (CONFIRMED, due `erasure_due_days` later), completed by FINANCE (COMPLETED: the
 * address is gone, the pseudonym number stays). Unconfirmed past the link's expiry: EXPIRED;
 * withdrawn: CANCELLED. Pure.
 */
export const ERASURE_STATUSES = [
  'AWAITING_CONFIRMATION',
  'CONFIRMED',
  'COMPLETED',
  'CANCELLED',
  'EXPIRED',
] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

/** Open requests block a new one for the same address. */
export function isOpen(status: ErasureStatus): boolean {
  return status === 'AWAITING_CONFIRMATION' || status === 'CONFIRMED';
}

const DAY_MS = 86_400_000;

/**
 * Whole days left until a confirmed request is due, counted in Beijing days (due today: 0;
 * overdue: negative). Null when the request has no deadline (not confirmed, or closed).
 */
export function daysLeft(
  r: { status: ErasureStatus; dueAt: Date | null },
  now: Date,
): number | null {
  if (r.status !== 'CONFIRMED' || r.dueAt === null) return null;
  return beijingDay(r.dueAt) - beijingDay(now);
}

/** Overdue: confirmed, and its deadline has passed. */
export function isOverdue(r: { status: ErasureStatus; dueAt: Date | null }, now: Date): boolean {
  return r.status === 'CONFIRMED' && r.dueAt !== null && r.dueAt.getTime() < now.getTime();
}

function beijingDay(at: Date): number {
  return Math.floor((at.getTime() + 8 * 3_600_000) / DAY_MS);
}
