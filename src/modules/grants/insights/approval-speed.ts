/**
 * Speed of approval: how many days each step took, per round. Pure: no Nest, no TypeORM.
 *
 * A duration is (end − start) in days of 24 hours, as a decimal (36 h = 1.5 days). Two steps:
 * - decision: an application's submission (`submitted_at`) to its decision (`decided_at`), for
 *   applications SHORTLISTED, DECLINED or AWARDED;
 * - payment: a tranche's request (`requested_at`) to its payment (`decided_at`), for PAID tranches.
 *
 * Median: the middle value of the sorted durations; with an even count, the mean of the two
 * middle values. 90th percentile: nearest rank, the value at rank ⌈0.9 × n⌉ (1-based) of the
 * sorted durations, so it is always one of the observed durations. No samples → null.
 */

export const DAY_MS = 86_400_000;

export type SpeedStep = 'decision' | 'payment';

/** One finished step: when it started and ended, and the round it belongs to. */
export interface SpeedSample {
  roundId: string;
  step: SpeedStep;
  startedAt: Date;
  endedAt: Date;
}

export interface SpeedFigures {
  count: number;
  /** Days, rounded to 2 decimals; null without samples. */
  medianDays: number | null;
  p90Days: number | null;
}

export interface RoundSpeed {
  roundId: string;
  decision: SpeedFigures;
  payment: SpeedFigures;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Days between two instants, in 24-hour days (never negative: clock skew counts as 0). */
export function daysBetween(startedAt: Date, endedAt: Date): number {
  return Math.max(0, endedAt.getTime() - startedAt.getTime()) / DAY_MS;
}

/** The median of the values (mean of the two middle ones for an even count); null if empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile by nearest rank: the sorted value at rank ⌈p/100 × n⌉; null if empty. */
export function percentileNearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Count, median and 90th percentile of durations in days. */
export function speedFigures(days: readonly number[]): SpeedFigures {
  const m = median(days);
  const p90 = percentileNearestRank(days, 90);
  return {
    count: days.length,
    medianDays: m === null ? null : round2(m),
    p90Days: p90 === null ? null : round2(p90),
  };
}

/** Figures per round, in the order of `roundIds` (rounds without samples get empty figures). */
export function speedByRound(
  roundIds: readonly string[],
  samples: readonly SpeedSample[],
): RoundSpeed[] {
  return roundIds.map((roundId) => {
    const of = (step: SpeedStep) =>
      samples
        .filter((s) => s.roundId === roundId && s.step === step)
        .map((s) => daysBetween(s.startedAt, s.endedAt));
    return {
      roundId,
      decision: speedFigures(of('decision')),
      payment: speedFigures(of('payment')),
    };
  });
}
