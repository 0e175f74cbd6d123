import { canStopMonthly, monthlyStopState, offersMonthlyStop } from './monthly-gift';

describe('stopping a monthly gift', () => {
  const at = new Date('2026-05-01T00:00:00Z');
  const cases: [
    string,
    {
      monthly: boolean;
      providerSubscriptionId: string | null;
      subscriptionCancelledAt: Date | null;
      parentDonationId: string | null;
    },
    ReturnType<typeof monthlyStopState>,
    boolean,
    boolean,
  ][] = [
    // name, gift, state, can stop, portal offers "stop"
    [
      'a one-off gift',
      {
        monthly: false,
        providerSubscriptionId: null,
        subscriptionCancelledAt: null,
        parentDonationId: null,
      },
      'none',
      false,
      false,
    ],
    [
      'a monthly gift not confirmed yet',
      {
        monthly: true,
        providerSubscriptionId: null,
        subscriptionCancelledAt: null,
        parentDonationId: null,
      },
      'none',
      false,
      false,
    ],
    [
      'the first gift, running',
      {
        monthly: true,
        providerSubscriptionId: 'sub_1',
        subscriptionCancelledAt: null,
        parentDonationId: null,
      },
      'running',
      true,
      true,
    ],
    [
      'a renewal, running',
      {
        monthly: true,
        providerSubscriptionId: 'sub_1',
        subscriptionCancelledAt: null,
        parentDonationId: 'first',
      },
      'running',
      true,
      false,
    ],
    [
      'the first gift, stopped',
      {
        monthly: true,
        providerSubscriptionId: 'sub_1',
        subscriptionCancelledAt: at,
        parentDonationId: null,
      },
      'stopped',
      false,
      false,
    ],
    [
      'a renewal, stopped',
      {
        monthly: true,
        providerSubscriptionId: 'sub_1',
        subscriptionCancelledAt: at,
        parentDonationId: 'first',
      },
      'stopped',
      false,
      false,
    ],
  ];

  it.each(cases)('%s: %s', (_name, gift, state, canStop, offered) => {
    expect(monthlyStopState(gift)).toBe(state);
    expect(canStopMonthly(gift)).toBe(canStop);
    expect(offersMonthlyStop(gift)).toBe(offered);
  });
});
