import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';

export class ReceiptNotFoundError extends DomainError {
  constructor(ref: string, what: Words = words('errors.receipts.notFound', { ref })) {
    super('RECEIPT_NOT_FOUND', what);
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
    super('RECEIPT_GIFT_NOT_RECEIVED', words('errors.receipts.giftNotReceived'), {
      donationId,
      status,
    });
  }
}

export class ReceiptAlreadyVoidError extends DomainError {
  constructor(number: string) {
    super('RECEIPT_ALREADY_VOID', words('errors.receipts.alreadyVoid', { number }), { number });
  }
}

/** Annual statements: a year that is not a year receipts can be numbered in, or not begun yet. */
export class ReceiptYearInvalidError extends DomainError {
  constructor(given: string, reason: Words) {
    super('RECEIPT_YEAR_INVALID', words('errors.receipts.yearInvalid', { given, reason }), {
      given,
    });
  }
}

/** Annual statements of a year still running in Beijing time would miss its last gifts. */
export class ReceiptYearNotEndedError extends DomainError {
  constructor(year: number) {
    super(
      'RECEIPT_YEAR_NOT_ENDED',
      words('errors.receipts.yearNotEnded', { year: String(year), next: String(year + 1) }),
      { year },
    );
  }
}

/** A donor asked for a copy of the same receipt again too soon (their inbox, not a spam cannon). */
export class ReceiptResendTooSoonError extends DomainError {
  constructor(number: string, minutes: number) {
    super('RECEIPT_RESEND_TOO_SOON', words('errors.receipts.resendTooSoon', { number, minutes }), {
      number,
      minutes,
    });
  }
}

export class ReceiptSealInvalidError extends DomainError {
  constructor(what: Words) {
    super('RECEIPT_SEAL_INVALID', what);
  }
}

export class ReceiptSealTooLargeError extends DomainError {
  constructor(bytes: number, maxBytes: number) {
    super(
      'RECEIPT_SEAL_TOO_LARGE',
      words('errors.receipts.sealTooLarge', {
        size: `${Math.ceil(bytes / 1024)} KB`,
        max: `${maxBytes / 1024 / 1024} MB`,
      }),
      { bytes, maxBytes },
    );
  }
}
