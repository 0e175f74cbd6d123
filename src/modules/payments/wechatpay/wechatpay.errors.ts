import { DomainError } from '../../../common/errors';
import { words } from '../../../common/i18n/i18n';
import { WebhookSignatureError } from '../payments.errors';
import type { PlatformRefusal } from './wechatpay-protocol';

/**
 * A notification that is not the platform's, or not for us: answered 4xx, nothing stored. The
 * reason is in words (`errors.wechatpay.refusal.*`), inside the port's "signature refused".
 */
export class WechatPayNotificationRefusedError extends WebhookSignatureError {
  constructor(readonly refusal: PlatformRefusal | 'notJson' | 'wrongMerchant') {
    super(words(`errors.wechatpay.refusal.${refusal}`));
  }
}

/**
 * The platform answered a request with a 4xx (a parameter it refuses, an order already paid or
 * closed, a refund larger than what is left): its own code and message, in our words around them.
 */
export class WechatPayRefusedError extends DomainError {
  constructor(
    readonly status: number,
    readonly platformCode: string,
    platformMessage: string,
  ) {
    super(
      'CONFLICT',
      words('errors.wechatpay.refused', { reason: `${platformMessage} (${platformCode})` }),
      {
        status,
        code: platformCode,
      },
    );
  }
}

/** A 2xx answer whose platform signature does not check out: nothing in it is trusted. */
export class WechatPayResponseUnverifiedError extends DomainError {
  constructor(readonly refusal: PlatformRefusal | 'notJson' | 'wrongOrder') {
    super(
      'SERVICE_UNAVAILABLE',
      words('errors.wechatpay.responseUnverified', {
        reason: words(`errors.wechatpay.refusal.${refusal}`),
      }),
    );
  }
}

/**
 * A create for a gift whose order already exists at the platform with other parameters (the donor
 * moved between the QR code and the phone page) or is paid already: the donor is told which.
 */
export class WechatPayOrderExistsError extends DomainError {
  constructor(paid: boolean, outTradeNo: string) {
    super(
      'CONFLICT',
      words(paid ? 'errors.wechatpay.orderPaid' : 'errors.wechatpay.orderElsewhere'),
      { outTradeNo },
    );
  }
}
