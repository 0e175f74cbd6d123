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
