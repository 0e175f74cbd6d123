/**
 * Whether a request comes from WeChat's or Alipay's own in-app browser (their User-Agents say
 * `MicroMessenger` and `AlipayClient`). Pages that offer a way to pay look different there (the
 * app's own wallet first), so the page cache keeps them apart. Pure.
 */
export type InAppBrowser = 'wechat' | 'alipay' | null;

export function inAppBrowser(userAgent: string | undefined): InAppBrowser {
  const ua = userAgent ?? '';
  if (/MicroMessenger/i.test(ua)) return 'wechat';
  if (/AlipayClient/i.test(ua)) return 'alipay';
  return null;
}
