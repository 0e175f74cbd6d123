import type { Donation } from './donations.types';

/**
 * A monthly gift's subscription, as its donor can act on it: none (a one-off gift, or a monthly
 * one whose subscription is not known yet), still running (it can be stopped), or stopped. Pure.
 */
export type MonthlyStopState = 'none' | 'running' | 'stopped';

type MonthlyFields = Pick<Donation, 'providerSubscriptionId' | 'subscriptionCancelledAt'>;

export function monthlyStopState(d: MonthlyFields): MonthlyStopState {
  if (!d.providerSubscriptionId) return 'none';
  return d.subscriptionCancelledAt ? 'stopped' : 'running';
}

/** Whether this gift's monthly subscription can be stopped now (a second stop does nothing). */
export function canStopMonthly(d: MonthlyFields): boolean {
  return monthlyStopState(d) === 'running';
}

/**
 * Whether the donor portal offers "stop" on this gift: the first gift of a monthly subscription
 * still running (renewals are listed too, but the subscription is stopped from its first gift).
 */
export function offersMonthlyStop(
  d: MonthlyFields & Pick<Donation, 'monthly' | 'parentDonationId'>,
): boolean {
  return d.monthly && canStopMonthly(d) && !d.parentDonationId;
}
