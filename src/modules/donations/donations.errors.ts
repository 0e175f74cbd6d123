import { DomainError } from '../../common/errors';

export class DonationNotFoundError extends DomainError {
  constructor(id: string) {
    super('DONATION_NOT_FOUND', `No donation with id ${id}.`);
  }
}
