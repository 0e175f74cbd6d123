import { DomainError } from './domain-error';

/**
 * Errors whose codes every module may throw. A module's own codes are classes in its
 * `<module>.errors.ts`; these carry the message the caller writes for the person who must act.
 */
export class ValidationFailedError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('VALIDATION_FAILED', message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Sign in first.') {
    super('UNAUTHENTICATED', message);
  }
}

/** An amount that cannot be money here (not a whole number of minor units, out of range, …). */
export class InvalidAmountError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_AMOUNT', message, details);
  }
}

export class CurrencyMismatchError extends DomainError {
  constructor(message: string) {
    super('CURRENCY_MISMATCH', message);
  }
}

export class TooManyAttemptsError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('TOO_MANY_ATTEMPTS', message, details);
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(message: string) {
    super('SERVICE_UNAVAILABLE', message);
  }
}

export class InvalidCursorError extends DomainError {
  constructor() {
    super('INVALID_CURSOR', 'The cursor is not one this API issued; start again without it.');
  }
}

export class CsrfFailedError extends DomainError {
  constructor() {
    super(
      'CSRF_FAILED',
      'This form has expired or did not come from this site. Reload the page and try again.',
    );
  }
}
