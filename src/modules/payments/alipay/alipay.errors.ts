import { DomainError } from '../../../common/errors';
import { words, type Words } from '../../../common/i18n/i18n';
import { ProviderBusyError } from '../payments.errors';

/** Coded errors of the Alipay adapter. Notifications that fail a check are `WebhookSignatureError`. */

/** Alipay answered a business error (`40004` and its `sub_code`): the request is not retried. */
export class AlipayRefusedError extends DomainError {
  constructor(method: string, subCode: string | undefined, subMsg: string | undefined) {
    super('CONFLICT', words('errors.alipay.refused', { reason: subMsg || subCode || method }), {
      method,
      subCode,
    });
  }
}

/** Alipay stayed unavailable (`20000`, network, timeouts) through every retry. */
export function alipayBusy(method: string): ProviderBusyError {
  return new ProviderBusyError(words('errors.alipay.busy'), { method });
}

/** An answer that did not carry a valid Alipay signature, or was not Alipay's format: not used. */
export class AlipayResponseUnverifiedError extends DomainError {
  constructor(method: string) {
    super('SERVICE_UNAVAILABLE', words('errors.alipay.badResponse'), { method });
  }
}

/** Alipay takes only yuan (CNY), from ¥0.01 to ¥100,000,000.00 per trade. */
export class AlipayAmountRefusedError extends DomainError {
  constructor(amountMinor: number, currency: string) {
    super('INVALID_AMOUNT', words('errors.alipay.amount', { amount: { amountMinor, currency } }));
  }
}

/** Why a notification was refused, as `WebhookSignatureError`'s reason. */
export const notificationRefusal = {
  notForm: (): Words => words('errors.alipay.notify.notForm'),
  charset: (charset: string): Words => words('errors.alipay.notify.charset', { charset }),
  noSign: (): Words => words('errors.alipay.notify.noSign'),
  signType: (signType: string): Words => words('errors.alipay.notify.signType', { signType }),
  badSign: (): Words => words('errors.alipay.notify.badSign'),
  otherApp: (appId: string): Words => words('errors.alipay.notify.otherApp', { appId }),
  otherSeller: (sellerId: string): Words => words('errors.alipay.notify.otherSeller', { sellerId }),
  missing: (field: string): Words => words('errors.alipay.notify.missing', { field }),
  amount: (field: string, value: string): Words =>
    words('errors.alipay.notify.amount', { field, value }),
};
