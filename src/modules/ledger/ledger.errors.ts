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

export class AccountClosedError extends DomainError {
  constructor(what: string) {
    super('ACCOUNT_CLOSED', `${what}; it takes no more postings.`);
  }
}

export class EntryAlreadyReversedError extends DomainError {
  constructor() {
    super('ENTRY_ALREADY_REVERSED', 'This entry has already been reversed.');
  }
}

export class EntryIsReversalError extends DomainError {
  constructor() {
    super(
      'ENTRY_IS_REVERSAL',
      'This entry is itself a reversal; post a new entry instead of reversing it.',
    );
  }
}

export class DuplicateAccountCodeError extends DomainError {
  constructor(code: string) {
    super('DUPLICATE_CODE', `A ledger account with code "${code}" already exists.`);
  }
}

/** A manual entry that takes from one fund for another (only allocations and releases may). */
export class ManualEntryBetweenFundsError extends DomainError {
  constructor() {
    super(
      'MOVEMENT_NOT_ALLOWED',
      'A manual entry does not move money between funds: allocate from the general fund, or ask for a release of restricted money (/api/v1/releases).',
    );
  }
}
