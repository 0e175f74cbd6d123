import type { ErrorCode } from './error-codes';

/**
 * Services throw coded domain errors, never HttpExceptions. The JSON filter maps the code to a
 * status through ERROR_HTTP_STATUS; the message is written for the person who has to fix it.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
