import { DomainError } from '../../common/errors';

/** Coded errors of the payment adapters (the port's own two live in payment-provider.ts). */

export function assertPositiveAmount(amountMinor: number): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new DomainError(
      'INVALID_AMOUNT',
      `The amount must be a positive whole number of minor units; got ${amountMinor}.`,
    );
  }
}

export const sandboxCheckoutNotFound = (): DomainError =>
  new DomainError(
    'NOT_FOUND',
    'There is no such sandbox checkout. Start again from the campaign page.',
  );

export const sandboxOnly = (what: string): DomainError =>
  new DomainError(
    'CONFLICT',
    `${what} works only with the sandbox payment provider; STRIPE_SECRET_KEY is set, so Stripe is in use.`,
  );
