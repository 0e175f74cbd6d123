import { retentionCutoffs, RETENTION_KINDS, scheduledRunDue, zeroCounts } from './retention-rules';

describe('retention rules', () => {
  const now = new Date('2026-03-01T02:00:00Z');

  describe('scheduledRunDue', () => {
    it.each([
      ['no scheduled run yet', null, true],
      ['finished 1 hour ago', new Date('2026-03-01T01:00:00Z'), false],
      ['finished 19 h 59 min ago', new Date('2026-02-28T06:01:00Z'), false],
      ['finished exactly 20 h ago', new Date('2026-02-28T06:00:00Z'), true],
      ['finished 2 days ago', new Date('2026-02-27T02:00:00Z'), true],
      ['finished in the future (clock skew)', new Date('2026-03-01T03:00:00Z'), false],
    ])('%s → %s', (_case, last, due) => {
      expect(scheduledRunDue(last, now)).toBe(due);
    });
  });

  it('counts each period back from now, years by the calendar', () => {
    const cutoffs = retentionCutoffs(
      {
        sessionDays: 30,
        linkDays: 7,
        paymentPayloadDays: 180,
        emailBodyDays: 90,
        donationIpDays: 1,
        donorContactYears: 5,
      },
      now,
    );
    expect(cutoffs.sessions.toISOString()).toBe('2026-01-30T02:00:00.000Z');
    expect(cutoffs.oneTimeLinks.toISOString()).toBe('2026-02-22T02:00:00.000Z');
    expect(cutoffs.donorLinks).toEqual(cutoffs.oneTimeLinks);
    expect(cutoffs.paymentPayloads.toISOString()).toBe('2025-09-02T02:00:00.000Z');
    expect(cutoffs.emailBodies.toISOString()).toBe('2025-12-01T02:00:00.000Z');
    expect(cutoffs.mailFiles).toEqual(cutoffs.emailBodies);
    expect(cutoffs.donationIps.toISOString()).toBe('2026-02-28T02:00:00.000Z');
    expect(cutoffs.donors.toISOString()).toBe('2021-03-01T02:00:00.000Z');
    expect(Object.keys(cutoffs)).toEqual([...RETENTION_KINDS]);
  });

  it('starts every count at zero, one per kind', () => {
    expect(Object.values(zeroCounts())).toEqual(RETENTION_KINDS.map(() => 0));
  });
});
