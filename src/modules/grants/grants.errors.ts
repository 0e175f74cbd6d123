import { DomainError } from '../../common/errors';

/** A grant round, application, award, tranche, report, evaluation or expense that does not exist. */
export class GrantNotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `No ${what} with id ${id}.`);
  }
}

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
