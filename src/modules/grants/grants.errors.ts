import { DomainError } from '../../common/errors';

/** A grant round, application, award, tranche, report, evaluation or expense that does not exist. */
export class GrantNotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `No ${what} with id ${id}.`);
  }
}

// ---- rounds, applications, reviews (rounds part) ----

/** A round definition that breaks the rules of round-rules.ts: every problem in words. */
export class InvalidRoundError extends DomainError {
  constructor(problems: string[]) {
    super('INVALID_ROUND', `The round cannot be saved: ${problems.join('; ')}.`, { problems });
  }
}

/** What the round transition rule refused (round-rules.ts): its code and its words. */
export class RoundTransitionRefusedError extends DomainError {
  constructor(refusal: {
    code: 'INVALID_ROUND_TRANSITION' | 'APPLICATIONS_STILL_OPEN' | 'AWARDS_PENDING';
    message: string;
  }) {
    super(refusal.code, refusal.message);
  }
}

export class RoundNotEditableError extends DomainError {
  constructor(status: string) {
    super(
      'ROUND_NOT_EDITABLE',
      `The round is ${status}; a round can be edited only while it is a DRAFT.`,
    );
  }
}

/** Applying or submitting outside the round's application window (or a round not OPEN). */
export class ApplicationsClosedError extends DomainError {
  constructor(reason: string) {
    super('APPLICATIONS_CLOSED', `${reason} Nothing was saved.`);
  }
}

export class NotYourCommunityError extends DomainError {
  constructor(communityId: string) {
    super(
      'NOT_YOUR_COMMUNITY',
      `You do not work for community ${communityId}; apply only for a community in your scope.`,
    );
  }
}

/** Editing or submitting an application that is no longer a DRAFT, or someone else's. */
export class ApplicationLockedError extends DomainError {
  constructor(status: string) {
    super(
      'APPLICATION_LOCKED',
      `The application is ${status}; it is locked once submitted and cannot be changed.`,
    );
  }
}

export class ApplicationTransitionError extends DomainError {
  constructor(status: string, action: string) {
    super(
      'INVALID_APPLICATION_TRANSITION',
      `The application is ${status}; it cannot be ${action === 'assign' ? 'given a reviewer' : `${action}ed`} now.`,
    );
  }
}

export class ReviewerNotEligibleError extends DomainError {
  constructor(reason: string) {
    super('REVIEWER_NOT_ELIGIBLE', reason);
  }
}

/** A reviewer with a conflict of interest (the applicant's community, or the applicant). */
export class ConflictOfInterestError extends DomainError {
  constructor(reason: string) {
    super('CONFLICT_OF_INTEREST', `Conflict of interest: ${reason}. Assign another reviewer.`);
  }
}

export class ReviewerAlreadyAssignedError extends DomainError {
  constructor() {
    super('REVIEWER_ALREADY_ASSIGNED', 'This reviewer is already assigned to this application.');
  }
}

/** A review already submitted or recused: it cannot be changed. */
export class ReviewClosedError extends DomainError {
  constructor(status: string) {
    super(
      'REVIEW_CLOSED',
      status === 'SUBMITTED'
        ? 'You have submitted this review; submitted scores cannot be changed.'
        : 'You have recused yourself from this review; it cannot be scored.',
    );
  }
}

export class ScoreOutOfRangeError extends DomainError {
  constructor(problems: string[]) {
    super('SCORE_OUT_OF_RANGE', `The scores were not saved: ${problems.join('; ')}.`, {
      problems,
    });
  }
}
