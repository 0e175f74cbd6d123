import { DomainError } from '../../common/errors';

/** A grant round, application, award, tranche, report, evaluation or expense that does not exist. */
export class GrantNotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `No ${what} with id ${id}.`);
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
