import { Injectable, Logger } from '@nestjs/common';
import { TransactionService } from '../../database/transaction.service';
import type { ProviderName } from '../payments/payment-events';
import {
  CHECKOUT_LIFETIME_SECONDS,
  hasRecurringPayments,
  type PaymentAdapter,
} from '../payments/payment-provider';
import { PaymentRails } from '../payments/payment-rails';
import { notificationOfSession } from '../payments/stripe/stripe-notifications';
import { DonationsRepository } from './donations.repository';
import type { Donation } from './donations.types';
import { PaymentInboxService } from './payment-inbox.service';
import { SettlementService } from './settlement.service';

/** What reconciliation did on one rail. */
export interface RailReconciliation {
  provider: ProviderName;
  /** Checkout sessions listed (Stripe and the sandbox). */
  sessionsSeen: number;
  /** Gifts whose order was asked about one by one. */
  ordersChecked: number;
  /** Gifts paid at the provider and now settled (their notification had not arrived). */
  repaired: string[];
  /** Gifts whose order was open past its expiry: closed at the provider, marked EXPIRED. */
  closed: string[];
  /** Orders that could not be asked about (the provider was busy, or refused): tried next run. */
  errors: string[];
}

export interface ReconciliationReport {
  sessionsSeen: number;
  repaired: string[];
  retriedEvents: boolean;
  rails: RailReconciliation[];
}

const PAGE = 200;
const UNSETTLED = ['PENDING', 'FAILED', 'EXPIRED'] as const;

/**
 * Repairs what lost notifications left behind, on every enabled rail. Stripe and the sandbox list
 * recent checkout sessions: each paid one whose gift is still not settled goes through the inbox
 * as its completion event. Then, for every adapter, each gift of that provider created since
 * `since` and still unsettled is asked about (`queryOrder`): paid → its notification through the
 * inbox (the same processing, so a repair that races a late notification still books once); open
 * past its expiry → closed at the provider and marked EXPIRED. Safe to run at any time.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger('Reconciliation');

  constructor(
    private readonly rails: PaymentRails,
    private readonly repo: DonationsRepository,
    private readonly inbox: PaymentInboxService,
    private readonly settlement: SettlementService,
    private readonly tx: TransactionService,
  ) {}

  async reconcile(since: Date, now = new Date()): Promise<ReconciliationReport> {
    const report: ReconciliationReport = {
      sessionsSeen: 0,
      repaired: [],
      retriedEvents: false,
      rails: [],
    };
    for (const adapter of this.rails.all()) {
      const rail: RailReconciliation = {
        provider: adapter.name,
        sessionsSeen: 0,
        ordersChecked: 0,
        repaired: [],
        closed: [],
        errors: [],
      };
      if (hasRecurringPayments(adapter)) await this.listSessions(adapter, since, rail);
      await this.askOrders(adapter, since, now, rail);
      report.rails.push(rail);
      report.sessionsSeen += rail.sessionsSeen;
      report.repaired.push(...rail.repaired);
    }
    // Events that failed or came early get another try now.
    report.retriedEvents = await this.inbox.processDue(500);
    return report;
  }

  /** Stripe and the sandbox: paid sessions whose gift is not settled, as today. */
  private async listSessions(
    adapter: PaymentAdapter & {
      listSessionsSince(since: Date): AsyncIterable<Record<string, unknown>>;
    },
    since: Date,
    rail: RailReconciliation,
  ): Promise<void> {
    for await (const session of adapter.listSessionsSince(since)) {
      rail.sessionsSeen++;
      if (session.payment_status !== 'paid') continue;
      const donationId =
        (session.metadata as Record<string, unknown> | undefined)?.donation_id ??
        session.client_reference_id;
      if (typeof donationId !== 'string') continue;
      const donation = await this.repo.find(donationId).catch(() => null);
      if (!donation || !isUnsettled(donation)) continue;
      await this.inbox.receive(adapter.name, notificationOfSession(session));
      rail.repaired.push(donationId);
    }
  }

  /**
   * Every unsettled gift of this provider since `since`. Where sessions were listed (they cover
   * paid ones), only PENDING gifts are asked about, for the ones left open past their expiry.
   */
  private async askOrders(
    adapter: PaymentAdapter,
    since: Date,
    now: Date,
    rail: RailReconciliation,
  ): Promise<void> {
    const statuses = hasRecurringPayments(adapter) ? ['PENDING'] : UNSETTLED;
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await this.repo.unsettledSince(adapter.name, since, statuses, PAGE, after);
      for (const gift of page) {
        if (rail.repaired.includes(gift.id)) continue;
        await this.askOrder(adapter, gift, now, rail);
      }
      const last = page.at(-1);
      if (page.length < PAGE || !last) return;
      after = { createdAt: last.createdAt, id: last.id };
    }
  }

  private async askOrder(
    adapter: PaymentAdapter,
    gift: Donation,
    now: Date,
    rail: RailReconciliation,
  ): Promise<void> {
    const order = {
      donationId: gift.id,
      sessionId: gift.providerSessionId!,
      amountMinor: gift.amountMinor,
      currency: gift.currency,
    };
    rail.ordersChecked++;
    try {
      const status = await adapter.queryOrder(order);
      if (status.state === 'paid') {
        if (gift.status === 'PENDING' || gift.status === 'FAILED' || gift.status === 'EXPIRED') {
          await this.inbox.receive(adapter.name, status.notification);
          const after = await this.repo.find(gift.id);
          if (after && !isUnsettled(after)) rail.repaired.push(gift.id);
        }
        return;
      }
      const expiresAt = gift.createdAt.getTime() + CHECKOUT_LIFETIME_SECONDS * 1000;
      if (gift.status !== 'PENDING' || expiresAt > now.getTime()) return;
      if (status.state === 'open') await adapter.closeOrder(order);
      // Closed (now, or already at the provider) or never made: the gift expired unpaid.
      await this.settlement.prepare();
      await this.tx.run((m) =>
        this.settlement.apply(m, { kind: 'expired', gift: { donationId: gift.id } }),
      );
      rail.closed.push(gift.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`reconciling gift ${gift.id} on ${adapter.name}: ${message}`);
      rail.errors.push(gift.id);
    }
  }
}

function isUnsettled(donation: Donation): boolean {
  return (UNSETTLED as readonly string[]).includes(donation.status);
}
