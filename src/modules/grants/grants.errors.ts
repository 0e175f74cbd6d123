import { DomainError } from '../../common/errors';

/** A grant round, application, award, tranche, report, evaluation or expense that does not exist. */
export class GrantNotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `No ${what} with id ${id}.`);
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
  constructor() {
    super('SELF_APPROVAL', 'You requested this tranche; a different FINANCE user must pay it.');
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
