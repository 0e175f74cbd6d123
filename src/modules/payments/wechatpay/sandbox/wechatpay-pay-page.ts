import { redirectTarget } from '../../sandbox/sandbox-page';
import type { DeliveryOutcome, FakeOrder } from './fake-wechatpay';
import { SANDBOX_WECHATPAY_PATH } from './sandbox-wechatpay';

/**
 * The sandbox's WeChat Pay cashier page (what code_url and h5_url open): its view model. Pure.
 * Words are the page's language (`wechatpay.*` in the locale files); the template does no logic
 * beyond choosing what to show.
 */
export interface WechatPayPageView {
  state: 'open' | 'paid' | 'closed';
  /** The donor pressed 取消 on an open order: nothing changed, it can still be paid. */
  cancelled: boolean;
  /** Paid, but this site's webhook has not accepted the notification: offer to send it again. */
  undelivered: boolean;
  /** An H5 order: after paying the donor goes back to the merchant (`redirect_url`). */
  h5: boolean;
  payee: string;
  description: string;
  amountMinor: number;
  currency: string;
  outTradeNo: string;
  confirmAction: string;
  cancelAction: string;
  /** Where 返回商家 goes (H5 after paying or cancelling), or null (Native: the QR page moves on). */
  continueUrl: string | null;
}

export function pagePath(token: string): string {
  return `${SANDBOX_WECHATPAY_PATH}/pay/${token}`;
}

/**
 * Where an H5 order returns the donor: the `redirect_url` its h5_url carried, kept on this site
 * (a URL on PUBLIC_URL's origin becomes a path), anything that is not http(s) the home page.
 */
export function returnTarget(redirectUrl: unknown, publicUrl: string): string | null {
  if (typeof redirectUrl !== 'string' || redirectUrl === '') return null;
  return redirectTarget(redirectUrl, '', publicUrl);
}

export function wechatPayPageView(
  order: FakeOrder,
  options: {
    payee: string;
    redirectUrl?: unknown;
    publicUrl: string;
    cancelled?: boolean;
    delivery?: DeliveryOutcome | null;
  },
): WechatPayPageView {
  const back = returnTarget(options.redirectUrl, options.publicUrl);
  const query =
    back === null ? '' : `?redirect_url=${encodeURIComponent(String(options.redirectUrl))}`;
  const state =
    order.state === 'SUCCESS' || order.state === 'REFUND'
      ? 'paid'
      : order.state === 'NOTPAY'
        ? 'open'
        : 'closed';
  const status = options.delivery?.status ?? null;
  return {
    state,
    cancelled: state === 'open' && options.cancelled === true,
    undelivered:
      state === 'paid' && options.delivery !== undefined && options.delivery !== null
        ? status === null || status < 200 || status >= 300
        : false,
    h5: order.tradeType === 'MWEB',
    payee: options.payee,
    description: order.description,
    amountMinor: order.totalMinor,
    currency: order.currency,
    outTradeNo: order.outTradeNo,
    confirmAction: `${pagePath(order.token)}/confirm${query}`,
    cancelAction: `${pagePath(order.token)}/cancel${query}`,
    continueUrl: state === 'open' && options.cancelled !== true ? null : back,
  };
}
