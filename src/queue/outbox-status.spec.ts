import {
  afterFailure,
  isOpen,
  MAX_RETRY_DELAY_MS,
  OUTBOX_STATUSES,
  retryDelayMs,
} from './outbox-status';

describe('outbox retry arithmetic', () => {
  it.each([
    [1, 1000, 1000],
    [2, 1000, 2000],
    [3, 1000, 4000],
    [8, 30_000, 3_840_000],
    [40, 30_000, MAX_RETRY_DELAY_MS],
    [0, 500, 500],
  ])('after %i failed attempts with base %i ms waits %i ms', (attempts, base, expected) => {
    expect(retryDelayMs(attempts, base)).toBe(expected);
  });

  const now = new Date('2026-11-26T12:00:00Z');
  it.each([
    [1, 3, false, false, 100],
    [2, 3, false, false, 200],
    [3, 3, false, true, 0],
    [1, 3, true, true, 0],
    [1, 1, false, true, 0],
  ])(
    'attempt %i of %i (permanent: %s) → final %s, next in %i ms',
    (attempts, maxAttempts, permanent, final, delay) => {
      const outcome = afterFailure({ attempts, maxAttempts, permanent, baseMs: 100, now });
      expect(outcome).toEqual({ final, nextAttemptAt: new Date(now.getTime() + delay) });
    },
  );

  it('lets processors work only on PENDING and RELAYED rows', () => {
    expect(OUTBOX_STATUSES.filter(isOpen)).toEqual(['PENDING', 'RELAYED']);
  });
});
