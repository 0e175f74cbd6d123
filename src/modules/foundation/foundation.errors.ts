import { DomainError } from '../../common/errors';

export class FoundationNotConfiguredError extends DomainError {
  constructor() {
    super(
      'FOUNDATION_NOT_CONFIGURED',
      'The foundation profile is not set up yet: PUT /api/v1/foundation with its legal names, registration number, currency, locale and receipt prefix first.',
    );
  }
}

export class SubdistrictNotFoundError extends DomainError {
  constructor(id: string) {
    super('SUBDISTRICT_NOT_FOUND', `No subdistrict with id ${id}.`);
  }
}

export class CommunityNotFoundError extends DomainError {
  constructor(id: string) {
    super('COMMUNITY_NOT_FOUND', `No community with id ${id}.`);
  }
}

export class DuplicateCodeError extends DomainError {
  constructor(what: string, code: string) {
    super('DUPLICATE_CODE', `A ${what} with code "${code}" already exists; choose another code.`);
  }
}

export class CurrencyLockedError extends DomainError {
  constructor(currency: string) {
    super(
      'CURRENCY_LOCKED',
      `The foundation's currency is ${currency} and its ledger already has accounts; the currency cannot change.`,
    );
  }
}
