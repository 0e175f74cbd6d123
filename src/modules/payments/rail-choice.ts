/**
 * Which rails a donor is offered first, and what kind of checkout their browser gets. Pure.
 *
 * Inside WeChat's own browser (its User-Agent says `MicroMessenger`) WeChat Pay comes first;
 * inside Alipay's (`AlipayClient`) Alipay does; anywhere else the order Chinese donors expect:
 * WeChat Pay, Alipay, then cards (Stripe).
 */
import { inAppBrowser } from '../../common/http/in-app-browser';
import { PAYMENT_RAILS, type PaymentRail } from './payment-events';
import type { CheckoutChannel } from './payment-provider';

const PHONE = /Mobi|Android|iPhone|iPad|iPod|HarmonyOS|OpenHarmony/i;

/** Where a browser is: WeChat's or Alipay's in-app browser, a phone browser, or a desktop one. */
export function checkoutChannel(userAgent: string | undefined): CheckoutChannel {
  return inAppBrowser(userAgent) ?? (PHONE.test(userAgent ?? '') ? 'phone' : 'desktop');
}

/** The enabled rails in the order this browser's donor expects them. */
export function orderedRails(
  enabled: readonly PaymentRail[],
  userAgent: string | undefined,
): PaymentRail[] {
  const channel = checkoutChannel(userAgent);
  const first: PaymentRail | undefined =
    channel === 'wechat' ? 'WECHAT_PAY' : channel === 'alipay' ? 'ALIPAY' : undefined;
  const rank = (rail: PaymentRail): number => (rail === first ? -1 : PAYMENT_RAILS.indexOf(rail));
  return [...new Set(enabled)].sort((a, b) => rank(a) - rank(b));
}

/** The API's names for the rails (`CreateDonationDto.method`). */
export const PAYMENT_METHODS = ['wechat_pay', 'alipay', 'stripe'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const RAIL_OF_METHOD: Record<PaymentMethod, PaymentRail> = {
  wechat_pay: 'WECHAT_PAY',
  alipay: 'ALIPAY',
  stripe: 'STRIPE',
};

export const METHOD_OF_RAIL: Record<PaymentRail, PaymentMethod> = {
  WECHAT_PAY: 'wechat_pay',
  ALIPAY: 'alipay',
  STRIPE: 'stripe',
};
