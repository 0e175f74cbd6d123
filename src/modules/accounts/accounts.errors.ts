import { DomainError } from '../../common/errors';

/** One message for every failed sign-in, so the answer never says whether an account exists. */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('INVALID_CREDENTIALS', 'The email or password is not right.');
  }
}

export class AccountLockedError extends DomainError {
  constructor(minutes: number) {
    super(
      'ACCOUNT_LOCKED',
      `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an administrator to unlock the account.`,
    );
  }
}

export class LinkInvalidError extends DomainError {
  constructor() {
    super('LINK_INVALID', 'This link has expired or was already used. Ask for a new one.');
  }
}

export class UserNotFoundError extends DomainError {
  constructor(id: string) {
    super('USER_NOT_FOUND', `No user with id ${id}.`);
  }
}
