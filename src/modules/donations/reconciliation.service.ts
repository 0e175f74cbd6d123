import { Inject, Injectable } from '@nestjs/common';
import { PAYMENT_PROVIDER, type PaymentProvider } from '../payments/payment-provider';
import { DonationsRepository } from './donations.repository';
import { PaymentInboxService } from './payment-inbox.service';

export interface ReconciliationReport {
  sessionsSeen: number;
  repaired: string[];
  retriedEvents: boolean;
}

/**
 * Repairs what a lost webhook left behind: asks the provider for recent checkout sessions and,
 * for each paid one whose donation is still not settled, feeds a completion event through the
 * inbox (the same processing, so a repair that races a late webhook still books once). Safe to run
 * at any time.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly repo: DonationsRepository,
    private readonly inbox: PaymentInboxService,
  ) {}

  async reconcile(since: Date): Promise<ReconciliationReport> {
    const report: ReconciliationReport = { sessionsSeen: 0, repaired: [], retriedEvents: false };
    for await (const session of this.provider.listSessionsSince(since)) {
      report.sessionsSeen++;
      if (session.payment_status !== 'paid') continue;
      const donationId =
        (session.metadata as Record<string, unknown> | undefined)?.donation_id ??
        session.client_reference_id;
      if (typeof donationId !== 'string') continue;
      const donation = await this.repo.find(donationId).catch(() => null);
      if (!donation || !['PENDING', 'EXPIRED', 'FAILED'].includes(donation.status)) continue;
      await this.inbox.receive({
        id: `reconcile_${String(session.id)}`,
        type: 'checkout.session.completed',
        created: Math.floor(Date.now() / 1000),
        data: { object: session },
      });
      report.repaired.push(donationId);
    }
    // Events that failed or came early get another try now.
    report.retriedEvents = await this.inbox.processDue(500);
    return report;
  }
}
