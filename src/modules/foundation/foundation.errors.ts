import { DomainError } from '../../common/errors';
import { words } from '../../common/i18n/i18n';

export class FoundationNotConfiguredError extends DomainError {
  constructor() {
    super('FOUNDATION_NOT_CONFIGURED', words('errors.foundation.notConfigured'));
  }
}

export class SubdistrictNotFoundError extends DomainError {
  constructor(id: string) {
    super('SUBDISTRICT_NOT_FOUND', words('errors.foundation.subdistrictNotFound', { id }));
  }
}

export class CommunityNotFoundError extends DomainError {
  constructor(id: string) {
    super('COMMUNITY_NOT_FOUND', words('errors.foundation.communityNotFound', { id }));
  }
}

export class DuplicateCodeError extends DomainError {
  constructor(what: 'subdistrict' | 'community', code: string) {
    super(
      'DUPLICATE_CODE',
      words(
        what === 'subdistrict'
          ? 'errors.foundation.duplicateSubdistrict'
          : 'errors.foundation.duplicateCommunity',
        { code },
      ),
    );
  }
}

export class CurrencyLockedError extends DomainError {
  constructor(currency: string) {
    super('CURRENCY_LOCKED', words('errors.foundation.currencyLocked', { currency }));
  }
}
