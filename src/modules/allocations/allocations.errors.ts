import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';
import type { Money } from '../../common/money';
import type { MovementRefusal } from './movement-rules';
import type { ApprovalVerdict } from './release-rules';

/** What the movement rules refused (movement-rules.ts): their code and their words. */
export class MovementRefusedError extends DomainError {
  constructor(refusal: { code: MovementRefusal; words: Words }) {
    super(refusal.code, refusal.words);
  }
}

/** What the release approval rule refused (release-rules.ts): their code and their words. */
export class ApprovalRefusedError extends DomainError {
  constructor(refusal: Extract<ApprovalVerdict, { allowed: false }>) {
    super(refusal.code, refusal.words);
  }
}

export class SameFundError extends DomainError {
  constructor() {
    super('SAME_FUND', words('errors.allocations.sameFund'));
  }
}

export class NoGeneralFundError extends DomainError {
  constructor() {
    super('FUND_NOT_FOUND', words('errors.allocations.noGeneralFund'));
  }
}

export class NoActiveCommunityFundsError extends DomainError {
  constructor() {
    super('NO_ACTIVE_COMMUNITY_FUNDS', words('errors.allocations.noActiveCommunityFunds'));
  }
}

/** A yearly allocation run again for a fund with another amount than it already gave it. */
export class YearlyAllocationChangedError extends DomainError {
  constructor(year: number, fundCode: string, given: Money) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      words('errors.allocations.yearlyChanged', { year: String(year), fund: fundCode, given }),
    );
  }
}

export class ReleaseRequestKeyReusedError extends DomainError {
  constructor(key: string) {
    super('IDEMPOTENCY_KEY_REUSED', words('errors.allocations.releaseKeyReused', { key }));
  }
}

export class ReleaseNotFoundError extends DomainError {
  constructor(id: string) {
    super('RELEASE_NOT_FOUND', words('errors.allocations.releaseNotFound', { id }));
  }
}

export class ReleaseNotPendingError extends DomainError {
  constructor(action: 'approve' | 'reject') {
    super(
      'RELEASE_NOT_PENDING',
      words(
        action === 'approve'
          ? 'errors.allocations.releaseDecidedApprove'
          : 'errors.allocations.releaseDecidedReject',
      ),
    );
  }
}
