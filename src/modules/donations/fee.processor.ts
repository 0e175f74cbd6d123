import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionService } from '../../database/transaction.service';
import {
  OutboxHandlerRegistry,
  PermanentOutboxError,
  type OutboxHandler,
} from '../../queue/outbox-handlers';
import type { OutboxMessage } from '../../queue/outbox.entity';
import { LedgerService } from '../ledger/ledger.service';
import { FundsService } from '../funds/funds.service';
import { PaymentRails } from '../payments/payment-rails';
import { DonationsRepository } from './donations.repository';
import type { Donation } from './donations.types';

/**
 * Records the processor's fee for a settled gift, from the provider's balance transaction, once
 * it is available (an outbox job: the provider call never runs inside the settlement
 * transaction). A gift whose PaymentIntent is not known yet (a monthly gift before its first
 * invoice.paid) makes the job fail and retry: finishing would lose the fee. The fee leaves the campaign's fund for the `processor:fees` account under the key
 * `donation:<id>:fee`; a gift whose donor covered the fee was enlarged by it at intake.
 */
@Injectable()
export class FeeProcessor implements OutboxHandler<'DONATION_FEE'>, OnModuleInit {
  constructor(
    private readonly registry: OutboxHandlerRegistry,
    private readonly tx: TransactionService,
    private readonly repo: DonationsRepository,
    private readonly ledger: LedgerService,
    private readonly funds: FundsService,
    private readonly rails: PaymentRails,
  ) {}

  onModuleInit(): void {
    this.registry.register('DONATION_FEE', this);
  }

  async handle(message: OutboxMessage<'DONATION_FEE'>): Promise<void> {
    const donationId =
      typeof message.payload.donationId === 'string' ? message.payload.donationId : undefined;
    const donation = donationId ? await this.repo.find(donationId) : null;
    if (!donation) throw new PermanentOutboxError(`no donation ${String(donationId)} for a fee`);
    if (donation.feeMinor !== null) return;
    const paymentId = donation.providerPaymentId ?? (await this.paymentOfInvoice(donation));
    if (!paymentId) {
      // A monthly gift's payment is on its first invoice, which may come after the checkout (and
      // after this job): retried until the PaymentIntent is known, never finished without a fee.
      throw new Error(`gift ${donation.id} has no payment reference yet; the fee waits for it`);
    }
    // Not yet available (the balance transaction comes a little after the charge): retried.
    if (donation.provider === 'OFFLINE') {
      throw new PermanentOutboxError(`gift ${donation.id} was recorded offline: no processor fee`);
    }
    const fee = await this.rails.byName(donation.provider).retrieveFee({
      paymentId,
      amountMinor: donation.amountMinor,
      currency: donation.currency,
    });
    if (!fee) throw new Error(`the fee of payment ${paymentId} is not available yet`);
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
      await this.repo.update(m, donation.id, {
        feeMinor: fee.feeMinor,
        providerChargeId: locked.providerChargeId ? undefined : fee.chargeId,
      });
    });
  }

  /**
   * The PaymentIntent of a monthly gift's invoice, asked of the provider when the invoice event
   * did not carry it (or has not arrived), and kept on the gift for refunds and disputes.
   */
  private async paymentOfInvoice(donation: Donation): Promise<string | null> {
    if (!donation.providerInvoiceId || donation.provider === 'OFFLINE') return null;
    const recurring = this.rails.recurringByName(donation.provider);
    const found = recurring
      ? await recurring.retrieveInvoicePayment(donation.providerInvoiceId)
      : null;
    if (!found) return null;
    return this.tx.run(async (m) => {
      const locked = await this.repo.lock(m, { id: donation.id });
      if (!locked) return null;
      if (locked.providerPaymentId) return locked.providerPaymentId;
      await this.repo.update(m, donation.id, {
        providerPaymentId: found.paymentId,
        providerChargeId: locked.providerChargeId ? undefined : found.chargeId,
      });
      return found.paymentId;
    });
  }
}
