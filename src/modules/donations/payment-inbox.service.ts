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
 * The webhook inbox: an event is stored (unique per provider event id) before the provider gets
 * its 2xx, then processed in one transaction with everything it changes. An event that fails, or
 * arrives before what it depends on, stays in the inbox and is retried with backoff by a loop.
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

  /** Stores the event durably, then processes it; processing failures never lose the event. */
  async receive(event: ProviderEvent): Promise<{ duplicate: boolean }> {
    const { id, first } = await this.repo.store(this.provider.name, event);
    await this.process(id);
    return { duplicate: !first };
  }

  async process(id: number): Promise<void> {
    let attempts = 0;
    try {
      await this.settlement.prepare();
      await this.tx.run(async (m) => {
        const event = await this.repo.claim(m, id);
        if (!event) return; // done already, or another delivery is processing it right now
        attempts = event.attempts;
        const outcome = await this.settlement.apply(m, event.payload);
        await this.repo.markProcessed(m, id, outcome);
      });
    } catch (error) {
      // Prerequisites usually arrive within seconds; real failures back off up to an hour.
      const base = error instanceof NotYet ? 1_000 : 5_000;
      const delay = Math.min(3_600_000, base * 2 ** Math.min(attempts, 12));
      if (!(error instanceof NotYet))
        this.logger.warn(`payment event ${id} failed: ${(error as Error).message}`);
      await this.repo.markFailed(id, (error as Error).message, delay);
    }
  }

  /** One pass over due events; true when a full batch was found (more may wait). */
  async processDue(limit = 50): Promise<boolean> {
    const due = await this.repo.due(limit);
    for (const { id } of due) await this.process(id);
    return due.length === limit;
  }
}
