import { Inject, Injectable } from '@nestjs/common';
import { PAYMENT_RAILS, type PaymentRail, type ProviderName } from './payment-events';
import {
  hasRecurringPayments,
  type PaymentAdapter,
  type RecurringPayments,
} from './payment-provider';
import { PaymentRailNotEnabledError } from './payments.errors';
import { orderedRails } from './rail-choice';

/** The adapters `PaymentsModule` built from the configuration (see `buildPaymentAdapters`). */
export const PAYMENT_ADAPTERS = Symbol('PAYMENT_ADAPTERS');

/**
 * The registry of enabled rails: one adapter per rail (STRIPE is served by Stripe or by the
 * sandbox), found by rail for a new gift and by provider name for everything after it (the inbox's
 * notifications, a gift's refunds and fees: `donation.provider`).
 */
@Injectable()
export class PaymentRails {
  private readonly byRail = new Map<PaymentRail, PaymentAdapter>();
  private readonly byProvider = new Map<ProviderName, PaymentAdapter>();

  constructor(@Inject(PAYMENT_ADAPTERS) adapters: readonly PaymentAdapter[]) {
    for (const adapter of adapters) {
      if (this.byRail.has(adapter.rail) || this.byProvider.has(adapter.name)) {
        throw new Error(`two payment adapters registered for ${adapter.rail} (${adapter.name})`);
      }
      this.byRail.set(adapter.rail, adapter);
      this.byProvider.set(adapter.name, adapter);
    }
  }

  /** The enabled rails, in the default order (WeChat Pay, Alipay, Stripe). */
  enabled(): PaymentRail[] {
    return PAYMENT_RAILS.filter((rail) => this.byRail.has(rail));
  }

  isEnabled(rail: PaymentRail): boolean {
    return this.byRail.has(rail);
  }

  /** The enabled rails in the order the donor's browser suggests (its User-Agent). */
  ordered(userAgent: string | undefined): PaymentRail[] {
    return orderedRails(this.enabled(), userAgent);
  }

  forRail(rail: PaymentRail): PaymentAdapter {
    const adapter = this.byRail.get(rail);
    if (!adapter) throw new PaymentRailNotEnabledError(rail, this.enabled());
    return adapter;
  }

  /** The adapter that made a gift or sent a notification; throws when it is not enabled (any more). */
  byName(name: ProviderName): PaymentAdapter {
    const adapter = this.byProvider.get(name);
    if (!adapter) throw new PaymentRailNotEnabledError(name, this.enabled());
    return adapter;
  }

  has(name: ProviderName): boolean {
    return this.byProvider.has(name);
  }

  /** Every enabled adapter (reconciliation). */
  all(): PaymentAdapter[] {
    return this.enabled().map((rail) => this.byRail.get(rail)!);
  }

  /**
   * The adapter with recurring agreements (monthly gifts, their cancellation, invoice payments):
   * Stripe's or the sandbox's, by provider name; null for any other.
   */
  recurringByName(name: ProviderName): (PaymentAdapter & RecurringPayments) | null {
    const adapter = this.byProvider.get(name);
    return adapter && hasRecurringPayments(adapter) ? adapter : null;
  }
}
