import { words, type Words } from '../i18n/i18n';
import { DomainError } from './domain-error';

/**
 * Errors whose codes every module may throw. A module's own codes are classes in its
 * `<module>.errors.ts`; these carry the words the caller chooses for the person who must act.
 */
export class ValidationFailedError extends DomainError {
  constructor(what: Words, details?: Record<string, unknown>) {
    super('VALIDATION_FAILED', what, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: Words = words('errors.code.NOT_FOUND')) {
    super('NOT_FOUND', what);
  }
}

export class ConflictError extends DomainError {
  constructor(what: Words, details?: Record<string, unknown>) {
    super('CONFLICT', what, details);
  }
}

export class ForbiddenError extends DomainError {
  constructor(what: Words = words('errors.code.FORBIDDEN')) {
    super('FORBIDDEN', what);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(what: Words = words('errors.code.UNAUTHENTICATED')) {
    super('UNAUTHENTICATED', what);
  }
}

/** An amount that cannot be money here (not a whole number of minor units, out of range, …). */
export class InvalidAmountError extends DomainError {
  constructor(what: Words, details?: Record<string, unknown>) {
    super('INVALID_AMOUNT', what, details);
  }
}

export class CurrencyMismatchError extends DomainError {
  constructor(what: Words) {
    super('CURRENCY_MISMATCH', what);
  }
}

export class TooManyAttemptsError extends DomainError {
  constructor(what: Words, details?: Record<string, unknown>) {
    super('TOO_MANY_ATTEMPTS', what, details);
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(what: Words = words('errors.code.SERVICE_UNAVAILABLE')) {
    super('SERVICE_UNAVAILABLE', what);
  }
}

export class InvalidCursorError extends DomainError {
  constructor() {
    super('INVALID_CURSOR', words('errors.common.invalidCursor'));
  }
}

export class CsrfFailedError extends DomainError {
  constructor() {
    super('CSRF_FAILED', words('errors.common.csrfFailed'));
  }
}
