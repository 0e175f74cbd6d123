import { DomainError } from '../../common/errors';

export class ReceiptNotFoundError extends DomainError {
  constructor(what: string) {
    super('RECEIPT_NOT_FOUND', `No receipt ${what}.`);
  }
}

/** Receipts acknowledge money received: a pending, failed or expired gift has none. */
export class ReceiptGiftNotReceivedError extends DomainError {
  constructor(donationId: string, status: string) {
    super(
      'RECEIPT_GIFT_NOT_RECEIVED',
      `Gift ${donationId} is ${status}: only received gifts get a receipt.`,
      { donationId, status },
    );
  }
}

export class ReceiptAlreadyVoidError extends DomainError {
  constructor(number: string) {
    super('RECEIPT_ALREADY_VOID', `Receipt ${number} is already void.`, { number });
  }
}
