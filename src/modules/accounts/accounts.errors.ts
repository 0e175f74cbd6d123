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

export class WeakPasswordError extends DomainError {
  constructor(min: number, max: number) {
    super('WEAK_PASSWORD', `The password must be ${min} to ${max} characters long.`);
  }
}

export class TokenNotFoundError extends DomainError {
  constructor(tokenId: string) {
    super('TOKEN_NOT_FOUND', `You have no access token with id ${tokenId}.`);
  }
}

export class InvalidTokenError extends DomainError {
  constructor() {
    super(
      'INVALID_TOKEN',
      'The access token is missing, malformed, revoked or expired. Send Authorization: Bearer <token> with a valid token.',
    );
  }
}

export class EmailTakenError extends DomainError {
  constructor(email: string) {
    super('EMAIL_TAKEN', `An account for ${email} already exists; edit it instead.`);
  }
}

export class InviteAlreadyAcceptedError extends DomainError {
  constructor(email: string) {
    super('INVITE_ALREADY_ACCEPTED', `${email} has already accepted the invitation.`);
  }
}

export class LastAdminError extends DomainError {
  constructor() {
    super('LAST_ADMIN', 'This is the last active administrator; make someone else ADMIN first.');
  }
}
