import { DomainError } from '../../common/errors';
import type { FundAction, FundStatus } from './fund-status';

export class FundNotFoundError extends DomainError {
  constructor(id: string) {
    super('FUND_NOT_FOUND', `No fund with id ${id}.`);
  }
}

export class FundClosedError extends DomainError {
  constructor(code: string) {
    super('FUND_CLOSED', `Fund ${code} is closed and takes no money in or out.`);
  }
}

export class InvalidFundTransitionError extends DomainError {
  constructor(code: string, status: FundStatus, action: FundAction) {
    super('INVALID_FUND_TRANSITION', `Fund ${code} is ${status}; it cannot ${action} from there.`);
  }
}

export class GeneralFundNotClosableError extends DomainError {
  constructor() {
    super('INVALID_FUND_TRANSITION', 'The GENERAL fund cannot be closed.');
  }
}

export class FundHasBalanceError extends DomainError {
  constructor(code: string, balanceMinor: number) {
    super(
      'FUND_HAS_BALANCE',
      `Fund ${code} still holds ${balanceMinor} minor units; allocate them to another fund before closing it.`,
    );
  }
}

export class CommunityFundExistsError extends DomainError {
  constructor(communityCode: string, fundCode: string, status: FundStatus) {
    super(
      'COMMUNITY_FUND_EXISTS',
      `Community ${communityCode} already has fund ${fundCode} (${status}); a community has one open fund.`,
    );
  }
}

export class InvalidFundError extends DomainError {
  constructor(message: string) {
    super('INVALID_FUND', message);
  }
}

export class GeneralFundExistsError extends DomainError {
  constructor() {
    super('GENERAL_FUND_EXISTS', 'The foundation already has its one GENERAL fund.');
  }
}

export class DuplicateFundCodeError extends DomainError {
  constructor(code: string) {
    super('DUPLICATE_CODE', `A fund with code "${code}" already exists; choose another code.`);
  }
}

/**
 * Money asked of a fund beyond what it may spend: its balance less what its open reservations
 * (a grant round's budget) hold back. The same code as the ledger's refusal, so a client reads one.
 */
export class FundAvailableBalanceError extends DomainError {
  constructor(
    code: string,
    facts: { balance: string; reserved: string; available: string; asked: string },
    details: { fundId: string; balanceMinor: number; reservedMinor: number; amountMinor: number },
  ) {
    const held =
      details.reservedMinor > 0
        ? `holds ${facts.balance}, of which ${facts.reserved} is reserved for grant rounds; ${facts.available} is available`
        : `holds ${facts.balance}`;
    super(
      'INSUFFICIENT_FUND_BALANCE',
      `Fund ${code} ${held} and ${facts.asked} was asked. Nothing was moved.`,
      details,
    );
  }
}

export class FundReservationExistsError extends DomainError {
  constructor(source: string) {
    super('CONFLICT', `Money is already reserved for ${source}.`);
  }
}

export class FundReservationExceededError extends DomainError {
  constructor(source: string, remaining: string, asked: string) {
    super(
      'INSUFFICIENT_FUND_BALANCE',
      `The reservation for ${source} has ${remaining} left and ${asked} was asked. Nothing was moved.`,
    );
  }
}
