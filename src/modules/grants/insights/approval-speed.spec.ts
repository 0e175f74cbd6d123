import {
  DAY_MS,
  daysBetween,
  median,
  percentileNearestRank,
  speedByRound,
  speedFigures,
} from './approval-speed';

const at = (days: number) => new Date(Date.UTC(2026, 2, 1) + days * DAY_MS);

describe('approval speed', () => {
  it('measures days as decimals of 24 hours', () => {
    expect(daysBetween(at(0), at(1.5))).toBe(1.5);
    expect(daysBetween(at(2), at(1))).toBe(0);
  });

  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([10, 1, 3, 2, 4])).toBe(3);
    expect(median([6, 0.5, 2, 1.5])).toBe(1.75);
    expect(median([])).toBeNull();
  });

  it('takes the 90th percentile by nearest rank (⌈0.9 n⌉-th sorted value)', () => {
    // n = 5: rank ⌈4.5⌉ = 5 → the largest.
    expect(percentileNearestRank([10, 1, 3, 2, 4], 90)).toBe(10);
    // n = 10: rank ⌈9⌉ = 9.
    expect(percentileNearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    // n = 11: rank ⌈9.9⌉ = 10.
    expect(percentileNearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
    expect(percentileNearestRank([7], 90)).toBe(7);
    expect(percentileNearestRank([], 90)).toBeNull();
  });

  it('computes per round and step on a hand-computed example', () => {
    // Round A decisions: 1, 2, 3, 4, 10 days → median 3, p90 10.
    // Round A payments: 0.5, 1.5, 2, 6 days → median (1.5 + 2) / 2 = 1.75, p90 rank ⌈3.6⌉ = 4 → 6.
    const decisions = [1, 2, 3, 4, 10].map((d) => ({
      roundId: 'A',
      step: 'decision' as const,
      startedAt: at(0),
      endedAt: at(d),
    }));
    const payments = [0.5, 1.5, 2, 6].map((d) => ({
      roundId: 'A',
      step: 'payment' as const,
      startedAt: at(10),
      endedAt: at(10 + d),
    }));
    const other = { roundId: 'B', step: 'decision' as const, startedAt: at(0), endedAt: at(1 / 3) };
    expect(speedByRound(['A', 'B'], [...decisions, ...payments, other])).toEqual([
      {
        roundId: 'A',
        decision: { count: 5, medianDays: 3, p90Days: 10 },
        payment: { count: 4, medianDays: 1.75, p90Days: 6 },
      },
      {
        roundId: 'B',
        decision: { count: 1, medianDays: 0.33, p90Days: 0.33 },
        payment: { count: 0, medianDays: null, p90Days: null },
      },
    ]);
  });

  it('rounds figures to 2 decimals', () => {
    expect(speedFigures([1 / 3, 2 / 3])).toEqual({ count: 2, medianDays: 0.5, p90Days: 0.67 });
  });
});
