import type { SupportedLocale } from '../../../common/i18n/i18n';
import type { SessionSnapshot } from './sandbox-events';

/**
 * The sandbox checkout page's words and view model. Pure. The page stands in for Stripe's hosted
 * checkout, so its strings live here with it rather than in the site's locale files.
 */
const STRINGS = {
  'zh-CN': {
    title: '沙盒收银台',
    notice:
      '这是测试用的收银台：不会真的扣款，也不需要银行卡。点“支付”模拟付款成功，点“拒绝”模拟银行卡被拒；也可以不付款，直接返回。',
    amount: '金额',
    perMonth: '每月',
    purpose: '用途',
    email: '捐赠人邮箱',
    pay: '支付',
    decline: '拒绝（模拟银行卡被拒）',
    cancel: '返回，不付款',
    paid: '此收银台已支付。',
    declined: '此收银台已关闭，未付款。',
    undelivered: '付款结果还没有通知到本站。',
    resend: '再通知一次',
    continue: '继续',
    session: '收银台编号',
  },
  en: {
    title: 'Sandbox checkout',
    notice:
      'This is a test checkout: no money moves and no card is needed. "Pay" acts as a payment that goes through, "Decline" as a card the bank refuses; or go back without paying.',
    amount: 'Amount',
    perMonth: 'per month',
    purpose: 'For',
    email: 'Donor email',
    pay: 'Pay',
    decline: 'Decline (a refused card)',
    cancel: 'Go back without paying',
    paid: 'This checkout has been paid.',
    declined: 'This checkout closed without payment.',
    undelivered: 'This site has not been told the outcome yet.',
    resend: 'Tell it again',
    continue: 'Continue',
    session: 'Checkout number',
  },
} as const satisfies Record<SupportedLocale, Record<string, string>>;

export type SandboxStrings = (typeof STRINGS)[SupportedLocale];

export interface SandboxCheckoutView {
  locale: SupportedLocale;
  otherLocale: SupportedLocale;
  switchLocaleUrl: string;
  title: string;
  text: SandboxStrings;
  checkout: {
    id: string;
    amountMinor: number;
    currency: string;
    description: string;
    customerEmail: string;
    monthly: boolean;
    open: boolean;
    paid: boolean;
    declined: boolean;
    /** Events of this checkout the webhook endpoint has not accepted yet. */
    undelivered: number;
    payAction: string;
    declineAction: string;
    /** Where the donor goes on from a finished checkout. */
    continueUrl: string | null;
    /** Back to the site without paying (Stripe's "back" link: the cancel URL; the session stays open). */
    cancelUrl: string;
  };
}

/**
 * The donor's email as the checkout page shows it: anyone holding the page's address sees it, so
 * only enough to recognise it (`li.ming@example.org` → `l***@example.org`).
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${[...email.slice(0, at)][0]}***${email.slice(at)}`;
}

/** `?lang=` wins; otherwise the language the checkout was created in, as on Stripe's page. */
export function checkoutView(
  session: SessionSnapshot,
  undelivered: number,
  lang: unknown,
  publicUrl: string,
): SandboxCheckoutView {
  const locale: SupportedLocale = lang === 'en' || lang === 'zh-CN' ? lang : session.locale;
  const otherLocale: SupportedLocale = locale === 'en' ? 'zh-CN' : 'en';
  const text = STRINGS[locale];
  const base = `/sandbox/checkout/${session.id}`;
  return {
    locale,
    otherLocale,
    switchLocaleUrl: `${base}?lang=${otherLocale}`,
    title: text.title,
    text,
    checkout: {
      id: session.id,
      amountMinor: session.amountMinor,
      currency: session.currency,
      description: session.description,
      customerEmail: maskEmail(session.customerEmail),
      monthly: session.monthly,
      open: session.status === 'OPEN',
      paid: session.status === 'PAID',
      declined: session.status === 'DECLINED',
      undelivered,
      payAction: `${base}/pay`,
      declineAction: `${base}/decline`,
      cancelUrl: redirectTarget(session.cancelUrl, session.id, publicUrl),
      continueUrl:
        session.status === 'PAID'
          ? redirectTarget(session.successUrl, session.id, publicUrl)
          : session.status === 'DECLINED'
            ? redirectTarget(session.cancelUrl, session.id, publicUrl)
            : null,
    },
  };
}

/**
 * Where to send the donor after the checkout, as Stripe does: `{CHECKOUT_SESSION_ID}` in the URL
 * becomes the session id. A URL on this site (PUBLIC_URL's origin) becomes a path, so the redirect
 * stays on whatever host the donor used (and within the `form-action 'self'` policy); anything
 * that is not http(s) becomes the home page.
 */
export function redirectTarget(url: string, sessionId: string, publicUrl: string): string {
  const filled = url.split('{CHECKOUT_SESSION_ID}').join(sessionId);
  if (/^\/(?![/\\])/.test(filled)) return filled;
  let target: URL;
  try {
    target = new URL(filled);
  } catch {
    return '/';
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return '/';
  if (target.origin === new URL(publicUrl).origin) {
    return `${target.pathname}${target.search}${target.hash}`;
  }
  return target.toString();
}
