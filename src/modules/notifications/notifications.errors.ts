import { DomainError } from '../../common/errors';
import { words } from '../../common/i18n/i18n';

/**
 * An email that could never render: refused when it is queued, not when it is sent. A fault in
 * the code, not the reader's: the problems are named as the code names them.
 */
export class InvalidEmailMessageError extends DomainError {
  constructor(template: string, problems: readonly string[]) {
    super(
      'VALIDATION_FAILED',
      words('errors.notifications.invalidEmail', { template, problems: problems.join('; ') }),
      { problems },
    );
  }
}

/** The development mail viewer: off, asked from another machine, or no such message. */
export class DevOutboxPageNotFoundError extends DomainError {
  constructor() {
    super('NOT_FOUND', words('errors.code.NOT_FOUND'));
  }
}
