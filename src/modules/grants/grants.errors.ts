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

// ---- awards, tranches, reports, inspections (awards part) -------------------------------------

/** What the award approval rules refused (awards/award-rules.ts): their code and their words. */
export class AwardDecisionRefusedError extends DomainError {
  constructor(refusal: {
    code:
      | 'GRANT_AWARD_NOT_PROPOSED'
      | 'GRANT_APPROVER_ROLE'
      | 'SELF_APPROVAL'
      | 'GRANT_REVIEWER_APPROVAL'
      | 'GRANT_APPLICANT_APPROVAL'
      | 'GRANT_SAME_APPROVER';
    message: string;
  }) {
    super(refusal.code, refusal.message);
  }
}

export class AwardRoundNotAwardingError extends DomainError {
  constructor(status: string) {
    super(
      'GRANT_ROUND_NOT_AWARDING',
      `The round is ${status}; awards are proposed while it is AWARDING.`,
      { status },
    );
  }
}

export class AwardApplicationNotShortlistedError extends DomainError {
  constructor(status: string) {
    super(
      'GRANT_APPLICATION_NOT_SHORTLISTED',
      `The application is ${status}; only a SHORTLISTED application of this round can be awarded.`,
      { status },
    );
  }
}

export class AwardExistsError extends DomainError {
  constructor(status: string) {
    super(
      'GRANT_AWARD_EXISTS',
      `This application already has an award (${status}); an application is awarded once.`,
      { status },
    );
  }
}

export class AwardTierUnknownError extends DomainError {
  constructor(tierKey: string, keys: string[]) {
    super(
      'GRANT_TIER_UNKNOWN',
      `The round has no tier "${tierKey}"; choose one of ${keys.join(', ')}.`,
      { tierKey },
    );
  }
}

export class AwardTierFullError extends DomainError {
  constructor(message: string) {
    super('GRANT_TIER_FULL', message);
  }
}

export class AwardConstructionOverBudgetError extends DomainError {
  constructor(message: string, details: Record<string, unknown>) {
    super('GRANT_CONSTRUCTION_OVER_BUDGET', message, details);
  }
}

export class AwardNotApprovedError extends DomainError {
  constructor(status: string) {
    super(
      'GRANT_AWARD_NOT_APPROVED',
      `The award is ${status}; tranches, reports and inspections belong to an APPROVED award.`,
      { status },
    );
  }
}

export class ProjectStatusConflictError extends DomainError {
  constructor(current: string, expected: readonly string[], to: string) {
    super(
      'GRANT_PROJECT_STATUS',
      `The project is ${current}; it moves to ${to} only from ${expected.join(' or ')}.`,
      { current, expected, to },
    );
  }
}

export class TrancheNotInStatusError extends DomainError {
  constructor(status: string, action: 'request' | 'pay' | 'reject') {
    const needs = action === 'request' ? 'SCHEDULED' : 'REQUESTED';
    super(
      'GRANT_TRANCHE_STATUS',
      `This tranche is ${status}; only a ${needs} tranche can be ${action === 'request' ? 'requested' : action === 'pay' ? 'paid' : 'rejected'}.`,
      { status, action },
    );
  }
}

export class TrancheLockedError extends DomainError {
  constructor(unlock: string) {
    const what: Record<string, string> = {
      AWARD: 'the award is approved',
      START: 'the START report is accepted',
      MIDTERM: 'the MIDTERM report is accepted',
      COMPLETION: 'the project has passed its evaluation',
    };
    super('GRANT_TRANCHE_LOCKED', `This tranche can be requested once ${what[unlock] ?? unlock}.`, {
      unlock,
    });
  }
}

export class ProjectInRectificationError extends DomainError {
  constructor() {
    super(
      'GRANT_PROJECT_IN_RECTIFICATION',
      'The project failed its evaluation and must be rectified: no tranche is requested or paid until a new evaluation passes.',
    );
  }
}

export class TrancheSelfPaymentError extends DomainError {
  constructor(why: 'requester' | 'grantee' = 'requester') {
    super(
      'SELF_APPROVAL',
      why === 'requester'
        ? 'You requested this tranche; a different FINANCE user must pay it.'
        : 'This is your own project (you applied for it or work for its community); a different FINANCE user must pay it.',
    );
  }
}

export class ReportNotAllowedError extends DomainError {
  constructor(kind: string, projectStatus: string, allowed: readonly string[]) {
    super(
      'GRANT_REPORT_NOT_ALLOWED',
      `A ${kind} report is submitted while the project is ${allowed.join(' or ')}; it is ${projectStatus}.`,
      { kind, projectStatus },
    );
  }
}

export class ReportPendingError extends DomainError {
  constructor(kind: string) {
    super(
      'GRANT_REPORT_PENDING',
      `A ${kind} report is waiting for a decision; wait until it is accepted or returned.`,
      { kind },
    );
  }
}

export class ReportNotSubmittedError extends DomainError {
  constructor(status: string) {
    super(
      'GRANT_REPORT_NOT_SUBMITTED',
      `This report is ${status} already; only a SUBMITTED report can be accepted or returned.`,
      { status },
    );
  }
}

export class ReportSelfDecisionError extends DomainError {
  constructor() {
    super('SELF_APPROVAL', 'You submitted this report; a different officer must decide it.');
  }
}

// --- evaluations (resident satisfaction evaluation, 满意度测评) ---------------------------------

/** What the opening rule refused (evaluations/evaluation-rules.ts): its code and its words. */
export class EvaluationOpeningRefusedError extends DomainError {
  constructor(refusal: {
    code: 'EVALUATION_ALREADY_OPEN' | 'EVALUATION_NOT_ALLOWED';
    message: string;
  }) {
    super(refusal.code, refusal.message);
  }
}

/** An evaluator code that does not exist: no hint of what codes look like or which exist. */
export class EvaluatorCodeUnknownError extends DomainError {
  constructor() {
    super(
      'EVALUATOR_CODE_UNKNOWN',
      'This evaluator code is not valid. Check it against the printed card; nothing was recorded.',
    );
  }
}

export class EvaluatorCodeUsedError extends DomainError {
  constructor() {
    super(
      'EVALUATOR_CODE_USED',
      'This evaluator code has been used already: each code gives one response. Nothing was recorded.',
    );
  }
}

/** A code posted for another evaluation (another project's page, or an older evaluation's form). */
export class EvaluatorCodeMismatchError extends DomainError {
  constructor() {
    super(
      'EVALUATOR_CODE_MISMATCH',
      'This evaluator code belongs to another evaluation; open the page from your own code. Nothing was recorded.',
    );
  }
}

export class EvaluationClosedError extends DomainError {
  constructor(status: string) {
    super(
      'EVALUATION_CLOSED',
      `This evaluation is ${status === 'OPEN' ? 'past its closing time' : 'closed'} and takes no more responses. Nothing was recorded.`,
    );
  }
}

export class EvaluationBelowMinimumError extends DomainError {
  constructor(responses: number, minResponses: number) {
    super(
      'EVALUATION_BELOW_MINIMUM',
      `The evaluation has ${responses} response${responses === 1 ? '' : 's'} and needs at least ${minResponses} to count; it stays open.`,
      { responses, minResponses },
    );
  }
}

export class EvaluationNotOpenError extends DomainError {
  constructor(status: string) {
    super(
      'EVALUATION_NOT_OPEN',
      `This evaluation is ${status} already; only an open evaluation is closed or cancelled.`,
    );
  }
}
// --- end evaluations ---------------------------------------------------------------------------

// --- expenses and attachments ---------------------------------------------------------------

/** What the expense rules refused (expense-rules.ts): their code and their words. */
export class ExpenseRefusedError extends DomainError {
  constructor(refusal: { code: 'EXPENSE_NOT_ALLOWED' | 'SELF_APPROVAL'; message: string }) {
    super(refusal.code, refusal.message);
  }
}

export class ExpenseNotFoundError extends DomainError {
  constructor(id: string) {
    super('EXPENSE_NOT_FOUND', `There is no expense ${id}.`);
  }
}

export class ExpenseNotRequestedError extends DomainError {
  constructor(status: string, action: string) {
    super(
      'EXPENSE_NOT_REQUESTED',
      `This expense is ${status} already; it can no longer be ${action}.`,
    );
  }
}

export class ExpenseRequestKeyReusedError extends DomainError {
  constructor(key: string) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      `idempotencyKey ${key} was used for another expense request; use a new key.`,
    );
  }
}

export class AttachmentNotFoundError extends DomainError {
  constructor(id: string) {
    super('ATTACHMENT_NOT_FOUND', `There is no attachment ${id}.`);
  }
}

export class AttachmentOwnerNotFoundError extends DomainError {
  constructor(ownerType: string, ownerId: string) {
    super(
      'ATTACHMENT_OWNER_NOT_FOUND',
      `There is no ${ownerType.toLowerCase()} ${ownerId} to attach files to.`,
    );
  }
}

export class AttachmentNotAllowedError extends DomainError {
  constructor(message: string) {
    super('ATTACHMENT_NOT_ALLOWED', message);
  }
}

export class AttachmentLockedError extends DomainError {
  constructor(message: string) {
    super('ATTACHMENT_LOCKED', message);
  }
}

export class AttachmentTooLargeError extends DomainError {
  constructor(message: string) {
    super('ATTACHMENT_TOO_LARGE', message);
  }
}

export class InvalidAttachmentError extends DomainError {
  constructor(message: string) {
    super('INVALID_ATTACHMENT', message);
  }
}

export class TooManyAttachmentsError extends DomainError {
  constructor(max: number) {
    super(
      'TOO_MANY_ATTACHMENTS',
      `This already has ${max} files attached, the most allowed; remove one before adding another.`,
    );
  }
}
// --- end expenses and attachments ------------------------------------------------------------
