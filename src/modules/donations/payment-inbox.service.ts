import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { NotADeadLetterError, PaymentEventNotFoundError } from './donations.errors';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { PollingLoop } from '../../queue/polling-loop';
import { Metrics } from '../metrics/metrics.service';
import type { PaymentEvent, ProviderName } from '../payments/payment-events';
import type { VerifiedNotification } from '../payments/payment-provider';
import { PaymentRails } from '../payments/payment-rails';
import {
  type EventSubject,
  eventSubject,
  type FailureReason,
  InboxFailure,
  nextStep,
} from './dead-letters';
import {
  type DeadLetterRow,
  type EventFailure,
  type EventState,
  type InboxCounts,
  PaymentEventsRepository,
} from './payment-events.repository';
import { NotYet, SettlementService } from './settlement.service';

/** A dead letter with what its payload names, for the back office and the API. */
export type DeadLetter = Omit<DeadLetterRow, 'payload'> & EventSubject;

/** What a provider's notification may not be answered "done" for: a person must look. */
export type RefusalReason = Extract<FailureReason, 'UNKNOWN_DONATION' | 'AMOUNT_MISMATCH'>;

export interface Receipt {
  duplicate: boolean;
  /** Stored, but not booked: it names no gift of ours, or another amount or currency. */
  refused?: RefusalReason;
}

const REFUSED: readonly FailureReason[] = ['UNKNOWN_DONATION', 'AMOUNT_MISMATCH'];

/** The most dead letters listed at once (there should be a handful; each needs a person). */
const DEAD_LETTER_LIST_LIMIT = 200;

const POLL_MS = 2_000;

/**
 * The webhook inbox. A delivered event is processed in one transaction with its own inbox row
 * (unique per provider event id) and everything it changes, so the provider's 2xx follows a
 * durable, processed event. An event that fails, or arrives before what it depends on, is stored
 * on its own instead and retried with backoff by a loop. After PAYMENT_EVENT_MAX_ATTEMPTS failed
 * attempts an event becomes a dead letter: no longer retried, listed for FINANCE, and put back in
 * the queue only by a person (`retryDeadLetter`, audited).
 */
@Injectable()
export class PaymentInboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PaymentInbox');
  private loop?: PollingLoop;

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: PaymentEventsRepository,
    private readonly settlement: SettlementService,
    private readonly rails: PaymentRails,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    // The web server retries pending events; CLI commands do not run loops.
    if (!this.adapterHost.httpAdapter) return;
    this.loop = new PollingLoop(
      'payment inbox',
      (stopping) => this.processDue(50, stopping),
      POLL_MS,
      this.logger,
    );
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /**
   * Processes a delivered notification (verified by its adapter) and records it in the same
   * transaction, so a processed notification is durable when this returns. If processing fails (or
   * must wait for another event), it is stored on its own for the retry loop, durable all the same.
   * Throws only if it could not be stored at all: the provider then gets an error and delivers
   * again. `refused` says it names no gift of ours or another amount: stored for FINANCE, but the
   * provider must not be told it is done.
   */
  async receive(provider: ProviderName, notification: VerifiedNotification): Promise<Receipt> {
    let known: boolean;
    try {
      await this.settlement.prepare();
      const event = this.rails.byName(provider).toPaymentEvent(notification);
      const outcome = await this.tx.run(async (m) => {
        if ((await this.repo.insertProcessed(m, provider, notification)) === null) return null;
        const outcome = await this.settlement.apply(m, event);
        this.logger.debug(`event ${notification.eventId} (${notification.type}): ${outcome}`);
        return outcome;
      });
      known = outcome === null;
      if (outcome !== null) this.observe(provider, notification, outcome);
    } catch (error) {
      const failure = this.failure(notification.eventId, error, 1);
      await this.repo.storeForRetry(provider, notification, failure);
      return { duplicate: false, ...this.refusal(provider, notification, failure.reason) };
    }
    if (!known) return { duplicate: false };
    // Delivered before: processed already (nothing to do), or waiting for a retry (try it now).
    const id = await this.repo.idOf(provider, notification.eventId);
    if (id === null) return { duplicate: true };
    await this.process(id);
    const state = await this.repo.state(id);
    if (!state || state.processedAt !== null || !state.reason) return { duplicate: true };
    return { duplicate: true, ...this.refusal(provider, notification, state.reason) };
  }

  private refusal(
    provider: ProviderName,
    notification: VerifiedNotification,
    reason: FailureReason,
  ): { refused?: RefusalReason } {
    if (!REFUSED.includes(reason)) return {};
    this.logger.warn(
      `${provider} notification ${notification.eventId} (${notification.type}) refused: ${reason}; kept for FINANCE`,
    );
    return { refused: reason as RefusalReason };
  }

  /** Retries one stored event; a failure is recorded with the next attempt's time, or as dead. */
  async process(id: number): Promise<void> {
    try {
      await this.settlement.prepare();
      const processed = await this.tx.run(async (m) => {
        const stored = await this.repo.claim(m, id);
        if (!stored) return null; // done already, dead, or another delivery is processing it now
        // Read again by the adapter that received it (the stored payload is the provider's own).
        const event = this.rails.byName(stored.provider).toPaymentEvent(stored);
        const outcome = await this.settlement.apply(m, event);
        this.logger.debug(`event ${stored.eventId} (${stored.type}): ${outcome}`);
        return { stored, outcome };
      });
      if (processed) this.observe(processed.stored.provider, processed.stored, processed.outcome);
    } catch (error) {
      // The claim rolled back with the attempt: count it under the row's lock.
      await this.tx.run(async (m) => {
        const pending = await this.repo.lockPending(m, id);
        if (!pending) return;
        await this.repo.markFailed(m, id, this.failure(String(id), error, pending.attempts + 1));
      });
    }
  }

  /**
   * After the commit: a notification that settled a gift counts as a confirmed gift of its rail,
   * with its lag from the provider's event time. Settlement reports a gift it booked as
   * "settled…" (`SettlementService.settle`); repeats and other events say something else.
   */
  private observe(
    provider: ProviderName,
    notification: VerifiedNotification,
    outcome: string,
  ): void {
    if (!outcome.startsWith('settled')) return;
    const adapter = this.rails.byName(provider);
    this.metrics.giftConfirmed(adapter.rail, adapter.eventTime(notification));
  }

  /** Why attempt number `attempt` failed, and whether another follows. */
  private failure(eventRef: string, error: unknown, attempt: number): EventFailure {
    const message = error instanceof Error ? error.message : String(error);
    const reason: FailureReason =
      error instanceof InboxFailure ? error.reason : error instanceof NotYet ? 'WAITING' : 'ERROR';
    const next = nextStep(attempt, reason, this.config.paymentEventMaxAttempts);
    if (next.kind === 'dead') {
      this.logger.error(
        `payment event ${eventRef} is a dead letter after ${attempt} attempts (${reason}): ${message}`,
      );
    } else if (reason !== 'WAITING') {
      this.logger.warn(`payment event ${eventRef} failed: ${message}`);
    }
    return { message, reason, next };
  }

  /** The inbox's backlog and dead letters: for the health detail and metrics. */
  counts(): Promise<InboxCounts> {
    return this.repo.counts();
  }

  /**
   * Erasure, in the caller's transaction: processed events that mention the address or one of
   * its gifts lose their payload but their id and type (PaymentEventsRepository.redactProcessed).
   */
  redactForDonor(m: EntityManager, email: string, donationIds: readonly string[]) {
    return this.repo.redactProcessed(m, [email, ...donationIds]);
  }

  /** Dead letters, the latest first, with the donation, payment and amount their payload names. */
  async deadLetters(): Promise<DeadLetter[]> {
    const rows = await this.repo.deadLetters(DEAD_LETTER_LIST_LIMIT);
    return rows.map(({ payload, ...row }) => ({
      ...row,
      ...eventSubject(this.translate(row.provider, { ...row, payload })),
    }));
  }

  /**
   * Puts a dead letter back in the queue (audited, in one transaction) and tries it at once.
   * Returns its state afterwards: processed, or failing again (then retried as any new failure).
   */
  async retryDeadLetter(id: number): Promise<EventState> {
    if (!(await this.repo.state(id))) throw new PaymentEventNotFoundError(id);
    await this.tx.run(async (m) => {
      const dead = await this.repo.lockDeadLetter(m, id);
      if (!dead) {
        throw new NotADeadLetterError(id);
      }
      await this.repo.requeue(m, id);
      await this.audit.record(m, {
        action: 'payment_event.retried',
        entityType: 'payment_event',
        entityId: String(id),
        before: {
          eventId: dead.eventId,
          type: dead.type,
          attempts: dead.attempts,
          reason: dead.reason,
          lastError: dead.lastError,
          deadAt: dead.deadAt,
        },
        after: { attempts: 0, queued: true },
      });
    });
    await this.process(id);
    return (await this.repo.state(id))!;
  }

  /** A stored notification as its adapter reads it; null when that rail is off or it is unreadable. */
  private translate(provider: ProviderName, stored: VerifiedNotification): PaymentEvent | null {
    if (!this.rails.has(provider)) return null;
    try {
      return this.rails.byName(provider).toPaymentEvent(stored);
    } catch {
      return null;
    }
  }

  /**
   * One pass over due events; true when a full batch was found (more may wait). A stopping process
   * leaves the rest of the batch at once: an event is claimed only inside the transaction that
   * processes it (a row lock, not a lease), so what is not started is simply still due for the
   * next process, and an attempt cut short by a crash rolls back with its claim.
   */
  async processDue(limit = 50, stopping: () => boolean = () => false): Promise<boolean> {
    const due = await this.repo.due(limit);
    for (const { id } of due) {
      if (stopping()) return false;
      await this.process(id);
    }
    return due.length === limit;
  }
}
