import { DomainError } from '../../common/errors';
import { words } from '../../common/i18n/i18n';

export class ReceiptNotFoundError extends DomainError {
  constructor(what: string) {
    super('RECEIPT_NOT_FOUND', `No receipt ${what}.`);
  }
}

/** A receipt of a gift whose donor gave no email (an offline gift): it cannot be emailed. */
export class ReceiptHasNoEmailError extends DomainError {
  constructor(number: string) {
    super('RECEIPT_NO_EMAIL', words('errors.receiptNoEmail', { number }), { number });
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

/** A donor asked for a copy of the same receipt again too soon (their inbox, not a spam cannon). */
export class ReceiptResendTooSoonError extends DomainError {
  constructor(number: string, minutes: number) {
    super(
      'RECEIPT_RESEND_TOO_SOON',
      `A copy of receipt ${number} was sent less than ${minutes} minutes ago; check your inbox (and spam folder) or try again later.`,
      { number, minutes },
    );
  }
}

export class ReceiptSealInvalidError extends DomainError {
  constructor(reason: string) {
    super('RECEIPT_SEAL_INVALID', `The seal image ${reason}`);
  }
}

export class ReceiptSealTooLargeError extends DomainError {
  constructor(bytes: number, maxBytes: number) {
    super(
      'RECEIPT_SEAL_TOO_LARGE',
      `The seal image is ${Math.ceil(bytes / 1024)} KB; it may be at most ${maxBytes / 1024 / 1024} MB. Save it smaller (a seal needs about 600 × 600 pixels) and upload it again.`,
      { bytes, maxBytes },
    );
  }
}
