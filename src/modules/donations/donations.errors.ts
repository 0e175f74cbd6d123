import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';

export class DonationNotFoundError extends DomainError {
  constructor(id: string) {
    super('DONATION_NOT_FOUND', `No donation with id ${id}.`);
  }
}

export class CaptchaFailedError extends DomainError {
  constructor() {
    super('CAPTCHA_FAILED', 'The CAPTCHA check failed; try it again.');
  }
}

export class CampaignNotAcceptingError extends DomainError {
  constructor(slug: string, status: string) {
    super(
      'CAMPAIGN_NOT_ACCEPTING',
      `Campaign "${slug}" is not taking gifts now (it is ${status}, or outside its dates).`,
    );
  }
}

export class AmountBelowMinimumError extends DomainError {
  constructor(minAmountMinor: number, amountMinor: number) {
    super(
      'AMOUNT_BELOW_MINIMUM',
      `The smallest gift to this campaign is ${minAmountMinor} minor units; amountMinor was ${amountMinor}.`,
    );
  }
}

export class DonationNotRefundableError extends DomainError {
  constructor(message: string) {
    super('DONATION_NOT_REFUNDABLE', message);
  }
}

/** A donor link (stop a monthly gift) that is unknown or expired. */
export class DonorLinkInvalidError extends DomainError {
  constructor() {
    super(
      'LINK_INVALID',
      'This link is not valid or has expired. Sign in to the donor portal with your email to manage your gifts.',
    );
  }
}

/** An offline gift's reference already recorded for another amount. */
export class OfflineReferenceReusedError extends DomainError {
  constructor(reference: string, recordedMinor: number) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      `Reference ${reference} was already recorded for ${recordedMinor} minor units; use a new reference for another gift.`,
    );
  }
}

export class MatchNotWithheldError extends DomainError {
  constructor(id: string, releasedAlready: boolean) {
    super(
      'MATCH_NOT_WITHHELD',
      `The match of gift ${id} is not withheld${releasedAlready ? ': it was released already' : ''}.`,
    );
  }
}

export class MatchNotReleasableError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('MATCH_NOT_RELEASABLE', message, details);
  }
}

export class PaymentEventNotFoundError extends DomainError {
  constructor(id: number) {
    super('PAYMENT_EVENT_NOT_FOUND', `There is no payment event ${id}.`);
  }
}

export class NotADeadLetterError extends DomainError {
  constructor(id: number) {
    super(
      'NOT_A_DEAD_LETTER',
      `Payment event ${id} is not a dead letter (processed, retried already, or unknown).`,
    );
  }
}

export class InvalidWebhookSignatureError extends DomainError {
  constructor(reason: string) {
    super('INVALID_SIGNATURE', `The Stripe-Signature header does not verify: ${reason}`);
  }
}

/** An offline gift names a campaign and a fund, or neither: it must name exactly one. */
export class GiftTargetError extends DomainError {
  constructor(text: Words) {
    super('GIFT_TARGET_INVALID', text);
  }
}

/** An offline gift's received date in the future, or before its fund existed. */
export class ReceivedDateError extends DomainError {
  constructor(text: Words) {
    super('RECEIVED_DATE_INVALID', text);
  }
}

/** An offline gift names a fund code that no fund has. */
export class OfflineFundNotFoundError extends DomainError {
  constructor(code: string) {
    super('FUND_NOT_FOUND', words('errors.offlineGift.noFund', { code }), { code });
  }
}

/** An offline gift names a fund that is not open (preparing or closed). */
export class OfflineFundNotActiveError extends DomainError {
  constructor(code: string, status: string) {
    super('FUND_NOT_ACTIVE', words('errors.offlineGift.fundNotActive', { code }), {
      code,
      status,
    });
  }
}
