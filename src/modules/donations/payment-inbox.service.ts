import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../config/app-config';
import { NotADeadLetterError, PaymentEventNotFoundError } from './donations.errors';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { PollingLoop } from '../../queue/polling-loop';
import {
  PAYMENT_PROVIDER,
  type PaymentProvider,
  type ProviderEvent,
} from '../payments/payment-provider';
import { eventSubject, type FailureReason, InboxFailure, nextStep } from './dead-letters';
import {
  type DeadLetterRow,
  type EventFailure,
  type EventState,
  type InboxCounts,
  PaymentEventsRepository,
} from './payment-events.repository';
import { NotYet, SettlementService } from './settlement.service';

/** A dead letter with what its payload names, for the back office and the API. */
export type DeadLetter = Omit<DeadLetterRow, 'payload'> & ReturnType<typeof eventSubject>;

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
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    // The web server retries pending events; CLI commands do not run loops.
    if (!this.adapterHost.httpAdapter) return;
    this.loop = new PollingLoop('payment inbox', () => this.processDue(), POLL_MS, this.logger);
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /**
   * Processes a delivered event and records it in the same transaction, so a processed event is
   * durable when this returns. If processing fails (or must wait for another event), the event is
   * stored on its own for the retry loop, durable all the same. Throws only if it could not be
   * stored at all: the provider then gets an error and delivers again.
   */
  async receive(event: ProviderEvent): Promise<{ duplicate: boolean }> {
    const provider = this.provider.name;
    let known: boolean;
    try {
      await this.settlement.prepare();
      known = await this.tx.run(async (m) => {
        if ((await this.repo.insertProcessed(m, provider, event)) === null) return true;
        const outcome = await this.settlement.apply(m, event);
        this.logger.debug(`event ${event.id} (${event.type}): ${outcome}`);
        return false;
      });
    } catch (error) {
      await this.repo.storeForRetry(provider, event, this.failure(event.id, error, 1));
      return { duplicate: false };
    }
    if (!known) return { duplicate: false };
    // Delivered before: processed already (nothing to do), or waiting for a retry (try it now).
    const id = await this.repo.idOf(provider, event.id);
    if (id !== null) await this.process(id);
    return { duplicate: true };
  }

  /** Retries one stored event; a failure is recorded with the next attempt's time, or as dead. */
  async process(id: number): Promise<void> {
    try {
      await this.settlement.prepare();
      await this.tx.run(async (m) => {
        const event = await this.repo.claim(m, id);
        if (!event) return; // done already, dead, or another delivery is processing it right now
        const outcome = await this.settlement.apply(m, event.payload);
        this.logger.debug(`event ${event.eventId} (${event.type}): ${outcome}`);
      });
    } catch (error) {
      // The claim rolled back with the attempt: count it under the row's lock.
      await this.tx.run(async (m) => {
        const pending = await this.repo.lockPending(m, id);
        if (!pending) return;
        await this.repo.markFailed(m, id, this.failure(String(id), error, pending.attempts + 1));
      });
    }
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

  /** Dead letters, the latest first, with the donation, payment and amount their payload names. */
  async deadLetters(): Promise<DeadLetter[]> {
    const rows = await this.repo.deadLetters(DEAD_LETTER_LIST_LIMIT);
    return rows.map(({ payload, ...row }) => ({ ...row, ...eventSubject(payload) }));
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

  /** One pass over due events; true when a full batch was found (more may wait). */
  async processDue(limit = 50): Promise<boolean> {
    const due = await this.repo.due(limit);
    for (const { id } of due) await this.process(id);
    return due.length === limit;
  }
}
