import type { OutboxKind } from './outbox-kinds';

/** BullMQ queue per outbox kind. */
export const QUEUE_NAMES = {
  EMAIL: 'email',
  DONATION_FEE: 'donation-fee',
  RECEIPT_SYNC: 'receipt-sync',
  OFFICIAL_RECEIPT: 'official-receipt',
} as const satisfies Record<OutboxKind, string>;
export type QueueName = (typeof QUEUE_NAMES)[OutboxKind];

/** The one job name in every queue. Jobs carry only the outbox id, which is also the job id. */
export const OUTBOX_JOB = 'outbox';
export interface OutboxJobData {
  outboxId: string;
}

/**
 * Which process this is. The worker entry point provides `'worker'` globally; otherwise the role is
 * `'web'` when an HTTP server exists and `'cli'` when it does not (CLI commands run no loops).
 */
export const PROCESS_ROLE = Symbol('PROCESS_ROLE');
export type ProcessRole = 'web' | 'worker' | 'cli';
