import { DomainError } from '../../common/errors';

export class InsufficientFundBalanceError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INSUFFICIENT_FUND_BALANCE', message, details);
  }
}

export class UnbalancedEntryError extends DomainError {
  constructor(message: string) {
    super('UNBALANCED_ENTRY', message);
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  constructor(key: string) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency key "${key}" was already used for a different entry; use a new key for a new movement of money.`,
    );
  }
}

export class AccountNotFoundError extends DomainError {
  constructor(what: string) {
    super('ACCOUNT_NOT_FOUND', `No ledger account ${what}.`);
  }
}

export class EntryNotFoundError extends DomainError {
  constructor(id: string) {
    super('ENTRY_NOT_FOUND', `No journal entry with id ${id}.`);
  }
}
