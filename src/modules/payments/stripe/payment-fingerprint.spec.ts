import { paymentFingerprint } from './payment-fingerprint';

const card = (fingerprint: unknown) => ({
  object: 'charge',
  payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242', fingerprint } },
});

describe('paymentFingerprint', () => {
  it.each([
    ['a card charge (charge.succeeded)', card('AOB934RVNwzk6xtn'), 'card:AOB934RVNwzk6xtn'],
    [
      'an Alipay charge: its fingerprint',
      {
        payment_method_details: {
          type: 'alipay',
          alipay: { buyer_id: '2088000000000001', fingerprint: 'ALIfp01' },
        },
      },
      'alipay:ALIfp01',
    ],
    [
      'an Alipay charge with only the payer account',
      { payment_method_details: { type: 'alipay', alipay: { buyer_id: '2088000000000001' } } },
      'alipay:2088000000000001',
    ],
    [
      'a WeChat Pay charge',
      { payment_method_details: { type: 'wechat_pay', wechat_pay: { fingerprint: 'WXfp02' } } },
      'wechat_pay:WXfp02',
    ],
    [
      'a checkout session as in events (payment_intent is an id)',
      { object: 'checkout.session', payment_intent: 'pi_123' },
      null,
    ],
    [
      'a session read with payment_intent.latest_charge expanded',
      { object: 'checkout.session', payment_intent: { latest_charge: card('Fp9') } },
      'card:Fp9',
    ],
    ['a PaymentIntent with latest_charge expanded', { latest_charge: card('Fp8') }, 'card:Fp8'],
    ['a PaymentIntent naming its charge by id', { latest_charge: 'ch_1' }, null],
    ['a card without a fingerprint', card(null), null],
    ['a fingerprint that is not printable text', card('a b'), null],
    ['a fingerprint far too long', card('x'.repeat(151)), null],
    ['details for another type than named', { payment_method_details: { type: 'card' } }, null],
    ['not an object', 'card:x', null],
    ['null', null, null],
  ])('%s', (_case, input, expected) => {
    expect(paymentFingerprint(input)).toBe(expected);
  });
});
