import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';

export class InsufficientFundBalanceError extends DomainError {
  constructor(what: Words, details?: Record<string, unknown>) {
    super('INSUFFICIENT_FUND_BALANCE', what, details);
  }
}

export class UnbalancedEntryError extends DomainError {
  constructor(what: Words) {
    super('UNBALANCED_ENTRY', what);
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  constructor(key: string) {
    super('IDEMPOTENCY_KEY_REUSED', words('errors.ledger.keyReused', { key }));
  }
}

/** A ledger account by its id or code (`ref`), or by nothing the caller can name. */
export class AccountNotFoundError extends DomainError {
  constructor(ref?: string) {
    super(
      'ACCOUNT_NOT_FOUND',
      ref
        ? words('errors.ledger.accountNotFound', { ref })
        : words('errors.code.ACCOUNT_NOT_FOUND'),
    );
  }
}

export class EntryNotFoundError extends DomainError {
  constructor(id: string) {
    super('ENTRY_NOT_FOUND', words('errors.ledger.entryNotFound', { id }));
  }
}

export class AccountClosedError extends DomainError {
  constructor(what: Words = words('errors.ledger.accountClosed')) {
    super('ACCOUNT_CLOSED', what);
  }
}

export class EntryAlreadyReversedError extends DomainError {
  constructor() {
    super('ENTRY_ALREADY_REVERSED', words('errors.ledger.alreadyReversed'));
  }
}

export class EntryIsReversalError extends DomainError {
  constructor() {
    super('ENTRY_IS_REVERSAL', words('errors.ledger.isReversal'));
  }
}

export class DuplicateAccountCodeError extends DomainError {
  constructor(code: string) {
    super('DUPLICATE_CODE', words('errors.ledger.duplicateCode', { code }));
  }
}

/** A manual entry that takes from one fund for another (only allocations and releases may). */
export class ManualEntryBetweenFundsError extends DomainError {
  constructor() {
    super('MOVEMENT_NOT_ALLOWED', words('errors.ledger.manualBetweenFunds'));
  }
}
