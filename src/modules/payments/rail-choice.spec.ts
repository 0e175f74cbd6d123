import type { PaymentRail } from './payment-events';
import { checkoutChannel, orderedRails } from './rail-choice';

const UA = {
  wechat:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
  alipay:
    'Mozilla/5.0 (Linux; U; Android 13; zh-CN; V2203A Build/TP1A.220624.014) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.65 Mobile Safari/537.36 AlipayClient/10.5.86.8000 Language/zh-Hans',
  android:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  desktop:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
};

describe('checkoutChannel', () => {
  it.each([
    [UA.wechat, 'wechat'],
    [UA.alipay, 'alipay'],
    [UA.android, 'phone'],
    [UA.iphone, 'phone'],
    [UA.desktop, 'desktop'],
    [undefined, 'desktop'],
    ['', 'desktop'],
  ])('%s → %s', (ua, channel) => {
    expect(checkoutChannel(ua)).toBe(channel);
  });
});

describe('orderedRails', () => {
  const all: PaymentRail[] = ['STRIPE', 'ALIPAY', 'WECHAT_PAY'];
  it.each<[string, string | undefined, PaymentRail[], PaymentRail[]]>([
    ['WeChat Pay first inside WeChat', UA.wechat, all, ['WECHAT_PAY', 'ALIPAY', 'STRIPE']],
    ['Alipay first inside Alipay', UA.alipay, all, ['ALIPAY', 'WECHAT_PAY', 'STRIPE']],
    ['the usual order on a phone', UA.android, all, ['WECHAT_PAY', 'ALIPAY', 'STRIPE']],
    ['the usual order on a desktop', UA.desktop, all, ['WECHAT_PAY', 'ALIPAY', 'STRIPE']],
    ['only what is enabled', UA.alipay, ['STRIPE', 'WECHAT_PAY'], ['WECHAT_PAY', 'STRIPE']],
    ['Stripe alone', UA.wechat, ['STRIPE'], ['STRIPE']],
    ['nothing enabled', UA.desktop, [], []],
  ])('%s', (_what, ua, enabled, expected) => {
    expect(orderedRails(enabled, ua)).toEqual(expected);
  });
});
