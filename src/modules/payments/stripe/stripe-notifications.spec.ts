import { stripeEventTime, stripeNotification } from './stripe-notifications';

describe('stripeEventTime', () => {
  const at = (created: unknown) =>
    stripeEventTime(
      stripeNotification({
        id: 'evt_1',
        type: 't',
        created: created as number,
        data: { object: {} },
      }),
    );

  it.each([
    [1_764_900_000, '2025-12-05T02:00:00.000Z'],
    [0, null],
    ['1764900000', null],
    [undefined, null],
  ])("reads the event's created %j as %j", (created, iso) => {
    expect(at(created)?.toISOString() ?? null).toBe(iso);
  });
});
