import { disputeFeeMinor, idOf, invoicePayment, invoiceSubscriptionId } from './stripe-objects';

const current = {
  id: 'in_1',
  parent: {
    type: 'subscription_details',
    subscription_details: { subscription: 'sub_1', metadata: {} },
  },
  payments: {
    data: [
      { status: 'canceled', payment: { type: 'payment_intent', payment_intent: 'pi_failed' } },
      { status: 'paid', payment: { type: 'payment_intent', payment_intent: 'pi_paid' } },
    ],
  },
};

describe('stripe objects', () => {
  it.each([
    ['an id', 'sub_1', 'sub_1'],
    ['an expanded object', { id: 'sub_1', object: 'subscription' }, 'sub_1'],
    ['an empty string', '', undefined],
    ['null', null, undefined],
    ['an object without id', { object: 'x' }, undefined],
  ])('idOf reads %s', (_name, value, expected) => {
    expect(idOf(value)).toBe(expected);
  });

  it.each([
    ['current format', current, 'sub_1'],
    [
      'current format, expanded',
      { parent: { subscription_details: { subscription: { id: 'sub_2' } } } },
      'sub_2',
    ],
    ['legacy format', { subscription: 'sub_3' }, 'sub_3'],
    [
      'both (current wins)',
      { subscription: 'sub_old', parent: { subscription_details: { subscription: 'sub_new' } } },
      'sub_new',
    ],
    [
      'a quote invoice',
      { parent: { type: 'quote_details', subscription_details: null } },
      undefined,
    ],
    ['nothing', {}, undefined],
  ])('invoiceSubscriptionId reads the %s', (_name, invoice, expected) => {
    expect(invoiceSubscriptionId(invoice)).toBe(expected);
  });

  it.each([
    ['the paid entry of payments', current, { paymentId: 'pi_paid', chargeId: undefined }],
    [
      'a charge payment',
      { payments: { data: [{ status: 'paid', payment: { type: 'charge', charge: 'ch_1' } }] } },
      { paymentId: undefined, chargeId: 'ch_1' },
    ],
    [
      'the first entry when none is paid',
      { payments: { data: [{ status: 'open', payment: { payment_intent: { id: 'pi_x' } } }] } },
      { paymentId: 'pi_x', chargeId: undefined },
    ],
    [
      'the legacy fields',
      { payment_intent: 'pi_old', charge: 'ch_old' },
      { paymentId: 'pi_old', chargeId: 'ch_old' },
    ],
    [
      'nothing (payments not included)',
      { id: 'in_1' },
      { paymentId: undefined, chargeId: undefined },
    ],
    ['an empty list', { payments: { data: [] } }, { paymentId: undefined, chargeId: undefined }],
  ])('invoicePayment reads %s', (_name, invoice, expected) => {
    expect(invoicePayment(invoice)).toEqual(expected);
  });

  it.each([
    ['no balance transactions field', {}, undefined],
    ['none yet', { balance_transactions: [] }, 0],
    ['the withdrawal', { balance_transactions: [{ amount: -1000, fee: 1500 }] }, 1500],
    [
      'a withdrawal and a reinstatement giving the fee back',
      { balance_transactions: [{ fee: 1500 }, { fee: -1500 }] },
      0,
    ],
    [
      'a reinstatement keeping the fee',
      { balance_transactions: [{ fee: 1500 }, { fee: 0 }] },
      1500,
    ],
    ['odd values ignored', { balance_transactions: [{ fee: 1.5 }, null, { fee: '9' }] }, 0],
  ])('disputeFeeMinor: %s', (_name, dispute, expected) => {
    expect(disputeFeeMinor(dispute)).toBe(expected);
  });
});
