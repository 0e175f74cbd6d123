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

/** Annual statements: a year that is not a year receipts can be numbered in, or not begun yet. */
export class ReceiptYearInvalidError extends DomainError {
  constructor(given: string, reason: string) {
    super('RECEIPT_YEAR_INVALID', `"${given}" is not a year to issue statements for: ${reason}.`, {
      given,
    });
  }
}

/** Annual statements of a year still running in Beijing time would miss its last gifts. */
export class ReceiptYearNotEndedError extends DomainError {
  constructor(year: number) {
    super(
      'RECEIPT_YEAR_NOT_ENDED',
      `${year} has not ended in Beijing time (it ends at ${year + 1}-01-01 00:00 +08:00): ` +
        `statements issued now would leave out the rest of the year's gifts, and a second run ` +
        `would not add them. Wait until the year ends, or pass --force to issue them anyway.`,
      { year },
    );
  }
}
