/**
 * Resident satisfaction evaluations (满意度测评): the result, when one may open, and the one-time
 * evaluator codes. Pure: no Nest, no TypeORM.
 *
 * An evaluation counts once `minResponses` responses are in; it passes when the satisfied share is
 * at least the threshold, compared in integers (`satisfied × 100 ≥ threshold × responses`, so 80 %
 * of 10 is exactly 8 and no rounding decides a project's fate). A failed evaluation orders the
 * grantee to rectify (RECTIFICATION_REQUIRED); a new evaluation opens only once a RECTIFICATION
 * report was accepted after the failed one closed.
 */
import { words, type Words } from '../../../common/i18n/i18n';
import { randomBytes } from 'node:crypto';

export const EVALUATION_STATUSES = ['OPEN', 'PASSED', 'FAILED', 'CANCELLED'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export const EVALUATOR_PANELS = ['RESIDENT', 'STAKEHOLDER'] as const;
export type EvaluatorPanel = (typeof EVALUATOR_PANELS)[number];

export type EvaluationResult = 'PENDING' | 'PASSED' | 'FAILED';

export interface Tally {
  responses: number;
  satisfied: number;
}

/** PENDING below the minimum number of responses; then PASSED or FAILED against the threshold. */
export function evaluationResult(
  tally: Tally,
  rule: { thresholdPct: number; minResponses: number },
): EvaluationResult {
  if (tally.responses < rule.minResponses || tally.responses === 0) return 'PENDING';
  return tally.satisfied * 100 >= rule.thresholdPct * tally.responses ? 'PASSED' : 'FAILED';
}

/** The satisfied share in percent, one decimal, rounded down (what people read; not what decides). */
export function satisfiedPercent(tally: Tally): number | null {
  if (tally.responses === 0) return null;
  return Math.floor((tally.satisfied * 1000) / tally.responses) / 10;
}

/** The mean 1–5 score to two decimals (half up), as `numeric(4,2)` keeps it; null without scores. */
export function meanScore(scoreSum: number, responses: number): number | null {
  if (responses === 0) return null;
  return Math.floor((scoreSum * 100 * 2 + responses) / (2 * responses)) / 100;
}

/** The project statuses of grant_awards (owned by the awards part; read here). */
export type ProjectStatus =
  'NOT_STARTED' | 'IN_PROGRESS' | 'COMPLETED' | 'RECTIFICATION_REQUIRED' | 'EVALUATED' | 'CLOSED';

/** What a closed evaluation does to its project, and from which statuses (a guarded update). */
export function projectStatusAfter(result: 'PASSED' | 'FAILED'): {
  to: ProjectStatus;
  from: ProjectStatus[];
} {
  return result === 'PASSED'
    ? { to: 'EVALUATED', from: ['COMPLETED', 'RECTIFICATION_REQUIRED'] }
    : { to: 'RECTIFICATION_REQUIRED', from: ['COMPLETED', 'RECTIFICATION_REQUIRED'] };
}

export interface OpeningFacts {
  projectStatus: ProjectStatus;
  /** An evaluation of this project is OPEN now. */
  hasOpen: boolean;
  /** When the last FAILED evaluation closed (null: none failed). */
  lastFailedClosedAt: Date | null;
  /** When the latest ACCEPTED RECTIFICATION report was decided (null: none). */
  lastRectificationAcceptedAt: Date | null;
}

export type OpeningRefusal = 'EVALUATION_ALREADY_OPEN' | 'EVALUATION_NOT_ALLOWED';

export type OpeningVerdict =
  { allowed: true } | { allowed: false; code: OpeningRefusal; words: Words };

/**
 * Whether an evaluation may open: the project is COMPLETED (first evaluation), or in
 * RECTIFICATION_REQUIRED with a RECTIFICATION report accepted after the failed evaluation closed;
 * and none is open.
 */
export function checkOpening(facts: OpeningFacts): OpeningVerdict {
  if (facts.hasOpen) {
    return {
      allowed: false,
      code: 'EVALUATION_ALREADY_OPEN',
      words: words('errors.grants.evaluationAlreadyOpen'),
    };
  }
  if (facts.projectStatus === 'COMPLETED') return { allowed: true };
  if (facts.projectStatus === 'RECTIFICATION_REQUIRED') {
    const accepted = facts.lastRectificationAcceptedAt;
    const failed = facts.lastFailedClosedAt;
    if (accepted && (!failed || accepted.getTime() > failed.getTime())) return { allowed: true };
    return {
      allowed: false,
      code: 'EVALUATION_NOT_ALLOWED',
      words: words('errors.grants.evaluationNeedsRectification'),
    };
  }
  return {
    allowed: false,
    code: 'EVALUATION_NOT_ALLOWED',
    words: words('errors.grants.evaluationNotCompleted'),
  };
}

/** Letters and digits people do not confuse: A–Z without I and O, 2–9 (32 symbols). */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 10;

/**
 * A one-time evaluator code: 10 symbols from a 32-symbol alphabet (50 bits), drawn from the
 * operating system's random source. 256 is a multiple of 32, so `byte % 32` has no bias.
 */
export function newEvaluatorCode(random: (n: number) => Uint8Array = randomBytes): string {
  const bytes = random(CODE_LENGTH);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[(bytes[i] ?? 0) % 32];
  return code;
}

/** A code as a person may type it: lower case, spaces or dashes between groups. Null if it cannot be one. */
export function normalizeCode(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z2-9]{8,16}$/.test(code) ? code : null;
}

/** Codes shown in groups of five for reading aloud and typing: `ABCDE-FGHJK`. */
export function displayCode(code: string): string {
  return code.replace(/(.{5})(?=.)/g, '$1-');
}

/** The labels printed beside the codes: 居民代表 1…N, then 利益相关方 1…M. */
export function codeLabels(
  residents: number,
  stakeholders: number,
): { panel: EvaluatorPanel; label: string }[] {
  const labels: { panel: EvaluatorPanel; label: string }[] = [];
  for (let i = 1; i <= residents; i++)
    labels.push({ panel: 'RESIDENT', label: `居民代表 ${i} / Resident ${i}` });
  for (let i = 1; i <= stakeholders; i++)
    labels.push({ panel: 'STAKEHOLDER', label: `利益相关方 ${i} / Stakeholder ${i}` });
  return labels;
}

export const DEFAULT_EVALUATION_DAYS = 14;
export const MAX_CODES = 500;

/** When an evaluation closes unless told otherwise: 14 days from opening. */
export function defaultClosesAt(now: Date): Date {
  return new Date(now.getTime() + DEFAULT_EVALUATION_DAYS * 24 * 3_600_000);
}
