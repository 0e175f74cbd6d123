import { DomainError } from '../../common/errors';
import type { MovementRefusal } from './movement-rules';
import type { ApprovalVerdict, ReleaseStatus } from './release-rules';

/** What the movement rules refused (movement-rules.ts): their code and their words. */
export class MovementRefusedError extends DomainError {
  constructor(refusal: { code: MovementRefusal; message: string }) {
    super(refusal.code, refusal.message);
  }
}

/** What the release approval rule refused (release-rules.ts): their code and their words. */
export class ApprovalRefusedError extends DomainError {
  constructor(refusal: Extract<ApprovalVerdict, { allowed: false }>) {
    super(refusal.code, refusal.message);
  }
}

export class SameFundError extends DomainError {
  constructor() {
    super('SAME_FUND', 'fromFundId and toFundId are the same fund; choose two different funds.');
  }
}

export class NoGeneralFundError extends DomainError {
  constructor() {
    super(
      'FUND_NOT_FOUND',
      'There is no GENERAL fund to allocate from; create one or pass sourceFundId.',
    );
  }
}

export class NoActiveCommunityFundsError extends DomainError {
  constructor() {
    super(
      'NO_ACTIVE_COMMUNITY_FUNDS',
      'No community fund is ACTIVE; activate funds before allocating.',
    );
  }
}

/** A yearly allocation run again for a fund with another amount than it already gave it. */
export class YearlyAllocationChangedError extends DomainError {
  constructor(year: number, fundCode: string, given: string) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      `The ${year} yearly allocation already gave fund ${fundCode} ${given}; ` +
        'it cannot be re-run with a different amount. Use a single allocation for a top-up.',
    );
  }
}

export class ReleaseRequestKeyReusedError extends DomainError {
  constructor(key: string) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      `idempotencyKey ${key} was used for another release request; use a new key.`,
    );
  }
}

export class ReleaseNotFoundError extends DomainError {
  constructor(id: string) {
    super('RELEASE_NOT_FOUND', `There is no release ${id}.`);
  }
}

export class ReleaseNotPendingError extends DomainError {
  constructor(status: ReleaseStatus, action: 'approve' | 'reject') {
    super(
      'RELEASE_NOT_PENDING',
      `This release is ${status} already; it cannot be ${action === 'approve' ? 'approved' : 'rejected'}.`,
    );
  }
}
