/**
 * Review scores and the ranking of a round's applications. Pure: no Nest, no TypeORM.
 *
 * A reviewer's weighted score is Σ weight × score / Σ weight over the rubric, to 4 decimal places
 * (half up). An application's score is the mean of its SUBMITTED reviews' weighted scores, to 4
 * decimal places; recused and unfinished reviews do not count. Ranked highest first; ties are
 * broken by (1) the higher lowest reviewer score (the application no reviewer rated poorly
 * first), then (2) the earlier submission, then (3) the application id, so the order is total and
 * the same on every read. Applications without a submitted review come last, unranked.
 */
import type { RubricCriterion } from './round-rules';

const SCALE = 10_000;

/** The weighted score of one complete set of scores, in whole ten-thousandths. */
export function weightedScoreUnits(
  rubric: readonly RubricCriterion[],
  scores: Readonly<Record<string, number>>,
): number {
  let num = 0;
  let den = 0;
  for (const c of rubric) {
    num += c.weight * (scores[c.key] ?? 0);
    den += c.weight;
  }
  // Integers throughout: round(num / den, 4 dp) half up.
  return Math.floor((num * SCALE * 2 + den) / (2 * den));
}

/** The weighted score as the numeric(12, 4) text stored (`78.3333`). */
export function weightedScore(
  rubric: readonly RubricCriterion[],
  scores: Readonly<Record<string, number>>,
): string {
  return unitsToText(weightedScoreUnits(rubric, scores));
}

export function unitsToText(units: number): string {
  const whole = Math.floor(units / SCALE);
  const frac = String(units % SCALE).padStart(4, '0');
  return `${whole}.${frac}`;
}

/** `78.3333` → 783333 (numeric(12, 4) text from PostgreSQL). */
export function textToUnits(value: string | number): number {
  const [whole = '0', frac = ''] = String(value).split('.');
  return Number(whole) * SCALE + Number(frac.padEnd(4, '0').slice(0, 4));
}

/** Which scores are missing, extra, not whole numbers or outside their criterion's range. */
export function scoreProblems(
  rubric: readonly RubricCriterion[],
  scores: Readonly<Record<string, unknown>>,
): string[] {
  const problems: string[] = [];
  const keys = new Set(rubric.map((c) => c.key));
  for (const key of Object.keys(scores)) {
    if (!keys.has(key)) problems.push(`"${key}" is not a criterion of this round's rubric`);
  }
  for (const c of rubric) {
    const v = scores[c.key];
    if (v === undefined) problems.push(`${c.nameEn} (${c.key}) has no score`);
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < c.min || v > c.max)
      problems.push(
        `${c.nameEn} (${c.key}) must be a whole number from ${c.min} to ${c.max}, not ${JSON.stringify(v)}`,
      );
  }
  return problems;
}

export interface RankingInput {
  applicationId: string;
  submittedAt: Date | null;
  reviews: { status: 'ASSIGNED' | 'SUBMITTED' | 'RECUSED'; weightedScore: string | null }[];
}

export interface RankedApplication {
  applicationId: string;
  /** 1 = best; null when no review is submitted yet. */
  rank: number | null;
  /** Mean of the submitted weighted scores, `78.3333`; null without one. */
  meanScore: string | null;
  /** Lowest submitted weighted score (the first tie-break). */
  minScore: string | null;
  reviewsCounted: number;
  reviewsRecused: number;
  reviewsPending: number;
}

interface Scored extends RankedApplication {
  mean: number;
  min: number;
  submitted: number;
}

/** Ranks applications by their mean weighted score with the tie-break above. */
export function rankApplications(inputs: readonly RankingInput[]): RankedApplication[] {
  const scored: Scored[] = inputs.map((a) => {
    const counted = a.reviews
      .filter((r) => r.status === 'SUBMITTED' && r.weightedScore !== null)
      .map((r) => textToUnits(r.weightedScore!));
    const sum = counted.reduce((s, v) => s + v, 0);
    const n = counted.length;
    const mean = n ? Math.floor((sum * 2 + n) / (2 * n)) : -1;
    const min = n ? Math.min(...counted) : -1;
    return {
      applicationId: a.applicationId,
      rank: null,
      meanScore: n ? unitsToText(mean) : null,
      minScore: n ? unitsToText(min) : null,
      reviewsCounted: n,
      reviewsRecused: a.reviews.filter((r) => r.status === 'RECUSED').length,
      reviewsPending: a.reviews.filter((r) => r.status === 'ASSIGNED').length,
      mean,
      min,
      submitted: a.submittedAt ? a.submittedAt.getTime() : Number.MAX_SAFE_INTEGER,
    };
  });
  scored.sort(
    (x, y) =>
      y.mean - x.mean ||
      y.min - x.min ||
      x.submitted - y.submitted ||
      (x.applicationId < y.applicationId ? -1 : x.applicationId > y.applicationId ? 1 : 0),
  );
  let rank = 0;
  return scored.map(({ mean, min: _min, submitted: _s, ...r }) => ({
    ...r,
    rank: mean >= 0 ? ++rank : null,
  }));
}
