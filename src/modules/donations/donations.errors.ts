import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';
import type { Money } from '../../common/money';

export class DonationNotFoundError extends DomainError {
  constructor(id: string) {
    super('DONATION_NOT_FOUND', words('errors.donations.notFound', { id }));
  }
}

export class CaptchaFailedError extends DomainError {
  constructor() {
    super('CAPTCHA_FAILED', words('errors.donations.captchaFailed'));
  }
}

export class CampaignNotAcceptingError extends DomainError {
  constructor(slug: string, status: string) {
    super('CAMPAIGN_NOT_ACCEPTING', words('errors.donations.campaignNotAccepting'), {
      slug,
      status,
    });
  }
}

export class AmountBelowMinimumError extends DomainError {
  constructor(minimum: Money, amountMinor: number) {
    super('AMOUNT_BELOW_MINIMUM', words('errors.donations.belowMinimum', { minimum }), {
      minAmountMinor: minimum.amountMinor,
      amountMinor,
    });
  }
}

export class DonationNotRefundableError extends DomainError {
  constructor(what: Words) {
    super('DONATION_NOT_REFUNDABLE', what);
  }
}

/** A donor link (stop a monthly gift) that is unknown or expired. */
export class DonorLinkInvalidError extends DomainError {
  constructor() {
    super('LINK_INVALID', words('errors.donations.donorLinkInvalid'));
  }
}

/** An offline gift's reference already recorded for another amount. */
export class OfflineReferenceReusedError extends DomainError {
  constructor(reference: string, recorded: Money) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      words('errors.donations.referenceReused', { reference, recorded }),
    );
  }
}

export class MatchNotWithheldError extends DomainError {
  constructor(id: string, releasedAlready: boolean) {
    super(
      'MATCH_NOT_WITHHELD',
      words(
        releasedAlready ? 'errors.donations.matchReleased' : 'errors.donations.matchNotWithheld',
      ),
      { donationId: id },
    );
  }
}

export class MatchNotReleasableError extends DomainError {
  constructor(what: Words, details?: Record<string, unknown>) {
    super('MATCH_NOT_RELEASABLE', what, details);
  }
}

export class PaymentEventNotFoundError extends DomainError {
  constructor(id: number) {
    super('PAYMENT_EVENT_NOT_FOUND', words('errors.donations.eventNotFound', { id: String(id) }));
  }
}

export class NotADeadLetterError extends DomainError {
  constructor(id: number) {
    super('NOT_A_DEAD_LETTER', words('errors.donations.notADeadLetter', { id: String(id) }));
  }
}

export class InvalidWebhookSignatureError extends DomainError {
  constructor(reason: string) {
    super('INVALID_SIGNATURE', words('errors.donations.webhookSignature'), { reason });
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

/** A monthly gift asked for on a rail without recurring agreements (only cards have them). */
export class MonthlyNeedsCardError extends DomainError {
  constructor() {
    super('VALIDATION_FAILED', words('errors.donations.monthlyByCard'));
  }
}
