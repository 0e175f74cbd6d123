import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TransactionService } from '../../database/transaction.service';
import { PollingLoop } from '../../queue/polling-loop';
import {
  PAYMENT_PROVIDER,
  type PaymentProvider,
  type ProviderEvent,
} from '../payments/payment-provider';
import { PaymentEventsRepository } from './payment-events.repository';
import { NotYet, SettlementService } from './settlement.service';

const POLL_MS = 2_000;

/**
 * The webhook inbox. A delivered event is processed in one transaction with its own inbox row
 * (unique per provider event id) and everything it changes, so the provider's 2xx follows a
 * durable, processed event. An event that fails, or arrives before what it depends on, is stored
 * on its own instead and retried with backoff by a loop.
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
      const message = this.describeFailure(event.id, error);
      await this.repo.storeForRetry(provider, event, message, this.retryDelay(error, 0));
      return { duplicate: false };
    }
    if (!known) return { duplicate: false };
    // Delivered before: processed already (nothing to do), or waiting for a retry (try it now).
    const id = await this.repo.idOf(provider, event.id);
    if (id !== null) await this.process(id);
    return { duplicate: true };
  }

  /** Retries one stored event; a failure is recorded with the next attempt's time. */
  async process(id: number): Promise<void> {
    let attempts = 0;
    try {
      await this.settlement.prepare();
      await this.tx.run(async (m) => {
        const event = await this.repo.claim(m, id);
        if (!event) return; // done already, or another delivery is processing it right now
        attempts = event.attempts;
        const outcome = await this.settlement.apply(m, event.payload);
        this.logger.debug(`event ${event.eventId} (${event.type}): ${outcome}`);
      });
    } catch (error) {
      const message = this.describeFailure(String(id), error);
      await this.repo.markFailed(id, message, this.retryDelay(error, attempts));
    }
  }

  /** Prerequisites usually arrive within seconds; real failures back off up to an hour. */
  private retryDelay(error: unknown, attempts: number): number {
    const base = error instanceof NotYet ? 1_000 : 5_000;
    return Math.min(3_600_000, base * 2 ** Math.min(attempts, 12));
  }

  private describeFailure(eventRef: string, error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof NotYet))
      this.logger.warn(`payment event ${eventRef} failed: ${message}`);
    return message;
  }

  /** One pass over due events; true when a full batch was found (more may wait). */
  async processDue(limit = 50): Promise<boolean> {
    const due = await this.repo.due(limit);
    for (const { id } of due) await this.process(id);
    return due.length === limit;
  }
}
