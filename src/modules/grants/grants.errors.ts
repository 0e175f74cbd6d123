import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';

/** What a grant record is called in an error, by its locale key (`errors.grants.what.<what>`). */
export type GrantRecord =
  | 'application in this round'
  | 'approved award'
  | 'award'
  | 'evaluation'
  | 'grant application'
  | 'grant round'
  | 'project'
  | 'report'
  | 'review'
  | 'round'
  | 'tranche';

const RECORD_KEY: Record<GrantRecord, string> = {
  'application in this round': 'applicationInRound',
  'approved award': 'approvedAward',
  award: 'award',
  evaluation: 'evaluation',
  'grant application': 'application',
  'grant round': 'round',
  project: 'project',
  report: 'report',
  review: 'review',
  round: 'round',
  tranche: 'tranche',
};

/** A grant round, application, award, tranche, report, evaluation or expense that does not exist. */
export class GrantNotFoundError extends DomainError {
  constructor(what: GrantRecord, id: string) {
    super(
      'NOT_FOUND',
      words('errors.grants.notFound', {
        what: words(`errors.grants.what.${RECORD_KEY[what]}`),
        id,
      }),
    );
  }
}

// ---- rounds, applications, reviews (rounds part) ----

/** A round definition that breaks the rules of round-rules.ts: every problem in words. */
export class InvalidRoundError extends DomainError {
  constructor(problems: string[]) {
    super('INVALID_ROUND', words('errors.grants.invalidRound', { problems: problems.join('; ') }), {
      problems,
    });
  }
}

/** What the round transition rule refused (round-rules.ts): its code and its words. */
export class RoundTransitionRefusedError extends DomainError {
  constructor(refusal: {
    code: 'INVALID_ROUND_TRANSITION' | 'APPLICATIONS_STILL_OPEN' | 'AWARDS_PENDING';
    words: Words;
  }) {
    super(refusal.code, refusal.words);
  }
}

export class RoundNotEditableError extends DomainError {
  constructor(status: string) {
    super('ROUND_NOT_EDITABLE', words('errors.grants.roundNotEditable'), { status });
  }
}

/** Applying or submitting outside the round's application window (or a round not OPEN). */
export class ApplicationsClosedError extends DomainError {
  constructor(reason: Words) {
    super('APPLICATIONS_CLOSED', words('errors.grants.applicationsClosed', { reason }));
  }
}

export class NotYourCommunityError extends DomainError {
  constructor(communityId: string) {
    super('NOT_YOUR_COMMUNITY', words('errors.grants.notYourCommunity', { id: communityId }));
  }
}

/** Editing or submitting an application that is no longer a DRAFT, or someone else's. */
export class ApplicationLockedError extends DomainError {
  constructor(status: string) {
    super('APPLICATION_LOCKED', words('errors.grants.applicationLocked'), { status });
  }
}

export class ApplicationTransitionError extends DomainError {
  constructor(status: string, action: 'assign' | 'score' | 'award' | 'shortlist' | 'decline') {
    super('INVALID_APPLICATION_TRANSITION', words(`errors.grants.applicationCannot.${action}`), {
      status,
      action,
    });
  }
}

export class ReviewerNotEligibleError extends DomainError {
  constructor(reason: Words) {
    super('REVIEWER_NOT_ELIGIBLE', reason);
  }
}

/** A reviewer with a conflict of interest (the applicant's community, or the applicant). */
export class ConflictOfInterestError extends DomainError {
  constructor(reason: Words) {
    super('CONFLICT_OF_INTEREST', words('errors.grants.conflictOfInterest', { reason }));
  }
}

export class ReviewerAlreadyAssignedError extends DomainError {
  constructor() {
    super('REVIEWER_ALREADY_ASSIGNED', words('errors.grants.reviewerAssigned'));
  }
}

/** A review already submitted or recused: it cannot be changed. */
export class ReviewClosedError extends DomainError {
  constructor(status: string) {
    super(
      'REVIEW_CLOSED',
      words(
        status === 'SUBMITTED' ? 'errors.grants.reviewSubmitted' : 'errors.grants.reviewRecused',
      ),
    );
  }
}

export class ScoreOutOfRangeError extends DomainError {
  constructor(problems: string[]) {
    super('SCORE_OUT_OF_RANGE', words('errors.grants.scores', { problems: problems.join('; ') }), {
      problems,
    });
  }
}

// ---- awards, tranches, reports, inspections (awards part) -------------------------------------

/** A report's kind in words (`errors.grants.reportKind.<KIND>`). */
function reportKind(kind: string): Words {
  return ['START', 'MIDTERM', 'COMPLETION', 'RECTIFICATION'].includes(kind)
    ? words(`errors.grants.reportKind.${kind}`)
    : words('errors.grants.reportKind.other');
}

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
    words: Words;
  }) {
    super(refusal.code, refusal.words);
  }
}

export class AwardRoundNotAwardingError extends DomainError {
  constructor(status: string) {
    super('GRANT_ROUND_NOT_AWARDING', words('errors.grants.roundNotAwarding'), { status });
  }
}

export class AwardApplicationNotShortlistedError extends DomainError {
  constructor(status: string) {
    super('GRANT_APPLICATION_NOT_SHORTLISTED', words('errors.grants.notShortlisted'), { status });
  }
}

export class AwardExistsError extends DomainError {
  constructor(status: string) {
    super('GRANT_AWARD_EXISTS', words('errors.grants.awardExists'), { status });
  }
}

export class AwardTierUnknownError extends DomainError {
  constructor(tierKey: string, keys: string[]) {
    super(
      'GRANT_TIER_UNKNOWN',
      words('errors.grants.tierUnknown', { tier: tierKey, tiers: keys.join(', ') }),
      { tierKey },
    );
  }
}

export class AwardTierFullError extends DomainError {
  constructor(what: Words) {
    super('GRANT_TIER_FULL', what);
  }
}

export class AwardConstructionOverBudgetError extends DomainError {
  constructor(what: Words, details: Record<string, unknown>) {
    super('GRANT_CONSTRUCTION_OVER_BUDGET', what, details);
  }
}

export class AwardNotApprovedError extends DomainError {
  constructor(status: string) {
    super('GRANT_AWARD_NOT_APPROVED', words('errors.grants.awardNotApproved'), { status });
  }
}

export class ProjectStatusConflictError extends DomainError {
  constructor(current: string, expected: readonly string[], to: string) {
    super('GRANT_PROJECT_STATUS', words('errors.code.GRANT_PROJECT_STATUS'), {
      current,
      expected,
      to,
    });
  }
}

export class TrancheNotInStatusError extends DomainError {
  constructor(status: string, action: 'request' | 'pay' | 'reject') {
    super('GRANT_TRANCHE_STATUS', words(`errors.grants.trancheCannot.${action}`), {
      status,
      action,
    });
  }
}

export class TrancheLockedError extends DomainError {
  constructor(unlock: string) {
    const known = ['AWARD', 'START', 'MIDTERM', 'COMPLETION'].includes(unlock);
    super(
      'GRANT_TRANCHE_LOCKED',
      words(known ? `errors.grants.trancheUnlock.${unlock}` : 'errors.code.GRANT_TRANCHE_LOCKED'),
      { unlock },
    );
  }
}

export class ProjectInRectificationError extends DomainError {
  constructor() {
    super('GRANT_PROJECT_IN_RECTIFICATION', words('errors.code.GRANT_PROJECT_IN_RECTIFICATION'));
  }
}

export class TrancheSelfPaymentError extends DomainError {
  constructor(why: 'requester' | 'grantee' = 'requester') {
    super(
      'SELF_APPROVAL',
      words(
        why === 'requester'
          ? 'errors.grants.trancheSelfRequested'
          : 'errors.grants.trancheOwnProject',
      ),
    );
  }
}

export class ReportNotAllowedError extends DomainError {
  constructor(kind: string, projectStatus: string, allowed: readonly string[]) {
    super(
      'GRANT_REPORT_NOT_ALLOWED',
      words('errors.grants.reportNotAllowed', { kind: reportKind(kind) }),
      {
        kind,
        projectStatus,
        allowed,
      },
    );
  }
}

export class ReportPendingError extends DomainError {
  constructor(kind: string) {
    super(
      'GRANT_REPORT_PENDING',
      words('errors.grants.reportPending', { kind: reportKind(kind) }),
      {
        kind,
      },
    );
  }
}

export class ReportNotSubmittedError extends DomainError {
  constructor(status: string) {
    super('GRANT_REPORT_NOT_SUBMITTED', words('errors.grants.reportDecided'), { status });
  }
}

export class ReportSelfDecisionError extends DomainError {
  constructor() {
    super('SELF_APPROVAL', words('errors.grants.reportSelfDecision'));
  }
}

// --- evaluations (resident satisfaction evaluation, 满意度测评) ---------------------------------

/** What the opening rule refused (evaluations/evaluation-rules.ts): its code and its words. */
export class EvaluationOpeningRefusedError extends DomainError {
  constructor(refusal: {
    code: 'EVALUATION_ALREADY_OPEN' | 'EVALUATION_NOT_ALLOWED';
    words: Words;
  }) {
    super(refusal.code, refusal.words);
  }
}

/** An evaluator code that does not exist: no hint of what codes look like or which exist. */
export class EvaluatorCodeUnknownError extends DomainError {
  constructor() {
    super('EVALUATOR_CODE_UNKNOWN', words('errors.grants.evaluatorCodeUnknown'));
  }
}

export class EvaluatorCodeUsedError extends DomainError {
  constructor() {
    super('EVALUATOR_CODE_USED', words('errors.grants.evaluatorCodeUsed'));
  }
}

/** A code posted for another evaluation (another project's page, or an older evaluation's form). */
export class EvaluatorCodeMismatchError extends DomainError {
  constructor() {
    super('EVALUATOR_CODE_MISMATCH', words('errors.grants.evaluatorCodeMismatch'));
  }
}

export class EvaluationClosedError extends DomainError {
  constructor(status: string) {
    super(
      'EVALUATION_CLOSED',
      words(
        status === 'OPEN'
          ? 'errors.grants.evaluationPastClosing'
          : 'errors.grants.evaluationClosed',
      ),
    );
  }
}

export class EvaluationBelowMinimumError extends DomainError {
  constructor(responses: number, minResponses: number) {
    super(
      'EVALUATION_BELOW_MINIMUM',
      words('errors.grants.evaluationBelowMinimum', { count: responses, min: minResponses }),
      { responses, minResponses },
    );
  }
}

export class EvaluationNotOpenError extends DomainError {
  constructor(status: string) {
    super('EVALUATION_NOT_OPEN', words('errors.grants.evaluationNotOpen'), { status });
  }
}
// --- end evaluations ---------------------------------------------------------------------------

// --- expenses and attachments ---------------------------------------------------------------

/** What the expense rules refused (expense-rules.ts): their code and their words. */
export class ExpenseRefusedError extends DomainError {
  constructor(refusal: { code: 'EXPENSE_NOT_ALLOWED' | 'SELF_APPROVAL'; words: Words }) {
    super(refusal.code, refusal.words);
  }
}

export class ExpenseNotFoundError extends DomainError {
  constructor(id: string) {
    super('EXPENSE_NOT_FOUND', words('errors.grants.expenseNotFound', { id }));
  }
}

export class ExpenseNotRequestedError extends DomainError {
  constructor(status: string, action: 'pay' | 'reject' | 'withdraw') {
    super('EXPENSE_NOT_REQUESTED', words(`errors.grants.expenseDecided.${action}`), { status });
  }
}

export class ExpenseRequestKeyReusedError extends DomainError {
  constructor(key: string) {
    super('IDEMPOTENCY_KEY_REUSED', words('errors.grants.expenseKeyReused', { key }));
  }
}

export class AttachmentNotFoundError extends DomainError {
  constructor(id: string) {
    super('ATTACHMENT_NOT_FOUND', words('errors.grants.attachmentNotFound', { id }));
  }
}

export class AttachmentOwnerNotFoundError extends DomainError {
  constructor(ownerType: string, ownerId: string) {
    super(
      'ATTACHMENT_OWNER_NOT_FOUND',
      words('errors.grants.attachmentOwnerNotFound', { id: ownerId }),
      {
        ownerType,
      },
    );
  }
}

export class AttachmentNotAllowedError extends DomainError {
  constructor(what: Words) {
    super('ATTACHMENT_NOT_ALLOWED', what);
  }
}

export class AttachmentLockedError extends DomainError {
  constructor(what: Words) {
    super('ATTACHMENT_LOCKED', what);
  }
}

export class AttachmentTooLargeError extends DomainError {
  constructor(what: Words) {
    super('ATTACHMENT_TOO_LARGE', what);
  }
}

export class InvalidAttachmentError extends DomainError {
  constructor(what: Words) {
    super('INVALID_ATTACHMENT', what);
  }
}

export class TooManyAttachmentsError extends DomainError {
  constructor(max: number) {
    super('TOO_MANY_ATTACHMENTS', words('errors.grants.tooManyAttachments', { max }));
  }
}
// --- end expenses and attachments ------------------------------------------------------------
