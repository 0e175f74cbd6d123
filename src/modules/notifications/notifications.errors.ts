import { DomainError } from '../../common/errors';

/** An email that could never render: refused when it is queued, not when it is sent. */
export class InvalidEmailMessageError extends DomainError {
  constructor(template: string, problems: readonly string[]) {
    super('VALIDATION_FAILED', `Cannot queue the "${template}" email: ${problems.join('; ')}.`);
  }
}

/** The development mail viewer: off, asked from another machine, or no such message. */
export class DevOutboxPageNotFoundError extends DomainError {
  constructor() {
    super('NOT_FOUND', 'No such page.');
  }
}
