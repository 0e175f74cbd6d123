import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionService } from '../../database/transaction.service';
import {
  OutboxHandlerRegistry,
  PermanentOutboxError,
  type OutboxHandler,
} from '../../queue/outbox-handlers';
import type { OutboxMessage } from '../../queue/outbox.entity';
import { LedgerService } from '../ledger/ledger.service';
import { FundsService } from '../funds/funds.service';
import { PAYMENT_PROVIDER, type PaymentProvider } from '../payments/payment-provider';
import { DonationsRepository } from './donations.repository';

/**
 * Records the processor's fee for a settled gift, from the provider's balance transaction, once
 * it is available (an outbox job: the provider call never runs inside the settlement
 * transaction). The fee leaves the campaign's fund for the `processor:fees` account under the key
 * `donation:<id>:fee`; a gift whose donor covered the fee was enlarged by it at intake.
 */
@Injectable()
export class FeeProcessor implements OutboxHandler, OnModuleInit {
  constructor(
    private readonly registry: OutboxHandlerRegistry,
    private readonly tx: TransactionService,
    private readonly repo: DonationsRepository,
    private readonly ledger: LedgerService,
    private readonly funds: FundsService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {}

  onModuleInit(): void {
    this.registry.register('DONATION_FEE', this);
  }

  async handle(message: OutboxMessage): Promise<void> {
    const donationId =
      typeof message.payload.donationId === 'string' ? message.payload.donationId : undefined;
    const donation = donationId ? await this.repo.find(donationId) : null;
    if (!donation) throw new PermanentOutboxError(`no donation ${String(donationId)} for a fee`);
    if (donation.feeMinor !== null || !donation.providerPaymentId) return;
    // Not yet available (the balance transaction comes a little after the charge): retried.
    const fee = await this.provider.retrieveFee(donation.providerPaymentId);
    if (!fee)
      throw new Error(`the fee of payment ${donation.providerPaymentId} is not available yet`);
    const fund = await this.funds.get(donation.fundId);
    const fees = await this.ledger.ensureAccount({
      code: 'processor:fees',
      name: '支付手续费 / Payment processing fees',
      type: 'EXPENSE',
      currency: donation.currency,
      allowNegative: true,
      balanceSlots: 4,
    });
    await this.tx.run(async (m) => {
      // The donation row before the fund, as a refund takes them, so the two cannot deadlock.
      const locked = await this.repo.lock(m, { id: donation.id });
      if (!locked || locked.feeMinor !== null) return;
      if (fee.feeMinor > 0) {
        await this.ledger.post(
          {
            idempotencyKey: `donation:${donation.id}:fee`,
            kind: 'PROCESSOR_FEE',
            description: `Processing fee for gift ${donation.id}`,
            currency: donation.currency,
            postings: [
              { accountId: fund.accountId, amountMinor: -fee.feeMinor },
              { accountId: fees.id, amountMinor: fee.feeMinor },
            ],
            metadata: { donationId: donation.id },
          },
          { within: m },
        );
      }
      await this.repo.update(m, donation.id, { feeMinor: fee.feeMinor });
    });
  }
}
