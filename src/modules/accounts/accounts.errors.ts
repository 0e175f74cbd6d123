import { DomainError } from '../../common/errors';
import { words } from '../../common/i18n/i18n';

/** One message for every failed sign-in, so the answer never says whether an account exists. */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('INVALID_CREDENTIALS', words('errors.accounts.invalidCredentials'));
  }
}

export class AccountLockedError extends DomainError {
  constructor(minutes: number) {
    super('ACCOUNT_LOCKED', words('errors.accounts.locked', { count: minutes }));
  }
}

export class LinkInvalidError extends DomainError {
  constructor() {
    super('LINK_INVALID', words('errors.accounts.linkInvalid'));
  }
}

export class UserNotFoundError extends DomainError {
  constructor(id: string) {
    super('USER_NOT_FOUND', words('errors.accounts.userNotFound', { id }));
  }
}

export class WeakPasswordError extends DomainError {
  constructor(min: number, max: number) {
    super('WEAK_PASSWORD', words('errors.accounts.weakPassword', { min, max }));
  }
}

export class TokenNotFoundError extends DomainError {
  constructor(tokenId: string) {
    super('TOKEN_NOT_FOUND', words('errors.accounts.tokenNotFound', { id: tokenId }));
  }
}

export class InvalidTokenError extends DomainError {
  constructor() {
    super('INVALID_TOKEN', words('errors.accounts.invalidToken'));
  }
}

export class EmailTakenError extends DomainError {
  constructor(email: string) {
    super('EMAIL_TAKEN', words('errors.accounts.emailTaken', { email }));
  }
}

export class InviteAlreadyAcceptedError extends DomainError {
  constructor(email: string) {
    super('INVITE_ALREADY_ACCEPTED', words('errors.accounts.inviteAccepted', { email }));
  }
}

export class LastAdminError extends DomainError {
  constructor() {
    super('LAST_ADMIN', words('errors.accounts.lastAdmin'));
  }
}
