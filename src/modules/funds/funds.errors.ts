import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';
import type { Money } from '../../common/money';
import type { FundAction } from './fund-status';

export class FundNotFoundError extends DomainError {
  constructor(id: string) {
    super('FUND_NOT_FOUND', words('errors.funds.notFound', { id }));
  }
}

export class FundClosedError extends DomainError {
  constructor(code: string) {
    super('FUND_CLOSED', words('errors.funds.closed', { code }));
  }
}

export class InvalidFundTransitionError extends DomainError {
  constructor(code: string, action: FundAction) {
    super(
      'INVALID_FUND_TRANSITION',
      words(action === 'activate' ? 'errors.funds.cannotActivate' : 'errors.funds.cannotClose', {
        code,
      }),
    );
  }
}

export class GeneralFundNotClosableError extends DomainError {
  constructor() {
    super('INVALID_FUND_TRANSITION', words('errors.funds.generalNotClosable'));
  }
}

export class FundHasBalanceError extends DomainError {
  constructor(code: string, balance: Money) {
    super('FUND_HAS_BALANCE', words('errors.funds.hasBalance', { code, balance }));
  }
}

export class CommunityFundExistsError extends DomainError {
  constructor(communityCode: string, fundCode: string) {
    super(
      'COMMUNITY_FUND_EXISTS',
      words('errors.funds.communityFundExists', { community: communityCode, fund: fundCode }),
    );
  }
}

export class InvalidFundError extends DomainError {
  constructor(what: Words) {
    super('INVALID_FUND', what);
  }
}

export class GeneralFundExistsError extends DomainError {
  constructor() {
    super('GENERAL_FUND_EXISTS', words('errors.funds.generalExists'));
  }
}

export class DuplicateFundCodeError extends DomainError {
  constructor(code: string) {
    super('DUPLICATE_CODE', words('errors.funds.duplicateCode', { code }));
  }
}

/**
 * Money asked of a fund beyond what it may spend: its balance less what its open reservations
 * (a grant round's budget) hold back. The same code as the ledger's refusal, so a client reads one.
 */
export class FundAvailableBalanceError extends DomainError {
  constructor(
    code: string,
    facts: { balance: Money; reserved: Money; available: Money; asked: Money },
    details: { fundId: string; balanceMinor: number; reservedMinor: number; amountMinor: number },
  ) {
    super(
      'INSUFFICIENT_FUND_BALANCE',
      words(
        details.reservedMinor > 0
          ? 'errors.funds.availableWithReservations'
          : 'errors.funds.availableBalance',
        { code, ...facts },
      ),
      details,
    );
  }
}

export class FundReservationExistsError extends DomainError {
  constructor(source: string) {
    super('CONFLICT', words('errors.funds.reservationExists', { source }));
  }
}

export class FundReservationExceededError extends DomainError {
  constructor(source: string, remaining: Money, asked: Money) {
    super(
      'INSUFFICIENT_FUND_BALANCE',
      words('errors.funds.reservationExceeded', { source, remaining, asked }),
    );
  }
}
