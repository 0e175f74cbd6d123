import { parseStrictDate } from '../../common/dates/strict-date';
import type { FieldErrors } from '../../common/http/forms';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { parseAmountField, toDecimalString } from '../../common/money';
import type { Checked } from '../../common/views/form-submit';
import {
  beijingTime,
  type RoundDefinition,
  roundProblems,
  TARGET_DAY_KEYS,
  TRANCHE_UNLOCKS,
  type TrancheUnlock,
} from '../grants/rounds/round-rules';

/*
 * The round create / edit form of the back office: its rows, the district's defaults, reading the
 * typed values (money in yuan through parseAmountField → parseMoney, windows as datetime-local in
 * Beijing time through the strict-date parser) and round-rules' problems put beside their fields
 * in the reader's language. Pure: no Nest, no TypeORM.
 *
 * Field names are flat: `tier.<i>.<key|nameZh|nameEn|amount|count>`,
 * `rubric.<i>.<key|nameZh|nameEn|weight|min|max>`, `tranche.<i>.<key|percent|unlock>`,
 * `days.<review|decision|payment|report>`; a row left wholly empty is not part of the round.
 */

export const TIER_ROWS = 6;
export const RUBRIC_ROWS = 8;
export const TRANCHE_ROWS = 6;

const TIER_CELLS = ['key', 'nameZh', 'nameEn', 'amount', 'count'] as const;
const RUBRIC_CELLS = ['key', 'nameZh', 'nameEn', 'weight', 'min', 'max'] as const;
const TRANCHE_CELLS = ['key', 'percent', 'unlock'] as const;

/** The round definition the form yields (what RoundsService.create / update take). */
export interface RoundFormValue extends RoundDefinition {
  nameZh: string;
  nameEn: string;
  year: number;
  sourceFundId: string;
}

type Values = Record<string, unknown>;

const str = (v: unknown) =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' ? `${v}` : '';
const DAY = 86_400_000;

/** `2026-09-30T18:00` in Beijing time, as a datetime-local input shows it. */
export function localInputValue(d: Date): string {
  return beijingTime(d).replace(' ', 'T');
}

/** The district's defaults: three tiers, a five-criterion rubric, 40/40/20, 80 %, 5 days each. */
export function defaultRoundValues(now: Date): Values {
  const year = Number(beijingTime(now).slice(0, 4));
  const day = (n: number, hour: string) =>
    `${localInputValue(new Date(now.getTime() + n * DAY)).slice(0, 10)}T${hour}`;
  const values: Values = {
    year: String(year),
    applicationsOpenAt: day(1, '09:00'),
    applicationsCloseAt: day(31, '18:00'),
    reviewCloseAt: day(46, '18:00'),
    constructionBudget: '0.00',
    satisfactionThresholdPct: '80',
    minEvaluators: '10',
    secondApprovalAbove: '500000.00',
  };
  const tiers = [
    ['first', '一等奖', 'First prize', '300000.00', '3'],
    ['second', '二等奖', 'Second prize', '200000.00', '5'],
    ['third', '三等奖', 'Third prize', '100000.00', '10'],
  ];
  tiers.forEach((row, i) => TIER_CELLS.forEach((c, j) => (values[`tier.${i}.${c}`] = row[j])));
  const rubric = [
    ['need', '社区需求', 'Community need', '3', '0', '10'],
    ['feasibility', '可行性', 'Feasibility', '2', '0', '10'],
    ['design', '设计质量', 'Design quality', '2', '0', '10'],
    ['participation', '居民参与', 'Resident participation', '2', '0', '10'],
    ['budget', '预算合理性', 'Sound budget', '1', '0', '10'],
  ];
  rubric.forEach((row, i) => RUBRIC_CELLS.forEach((c, j) => (values[`rubric.${i}.${c}`] = row[j])));
  const schedule = [
    ['start', '40', 'START'],
    ['midterm', '40', 'MIDTERM'],
    ['completion', '20', 'COMPLETION'],
  ];
  schedule.forEach((row, i) =>
    TRANCHE_CELLS.forEach((c, j) => (values[`tranche.${i}.${c}`] = row[j])),
  );
  for (const k of TARGET_DAY_KEYS) values[`days.${k}`] = '5';
  return values;
}

/** A stored round as the form's values (for editing a DRAFT). */
export function roundValues(r: RoundFormValue & { currency: string }): Values {
  const yuan = (minor: number) => toDecimalString(minor, r.currency);
  const values: Values = {
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    year: String(r.year),
    sourceFundId: r.sourceFundId,
    applicationsOpenAt: localInputValue(r.applicationsOpenAt),
    applicationsCloseAt: localInputValue(r.applicationsCloseAt),
    reviewCloseAt: localInputValue(r.reviewCloseAt),
    constructionBudget: yuan(r.constructionBudgetMinor),
    satisfactionThresholdPct: String(r.satisfactionThresholdPct),
    minEvaluators: String(r.minEvaluators),
    secondApprovalAbove: yuan(r.secondApprovalAboveMinor),
  };
  r.tiers.forEach((t, i) => {
    Object.assign(values, {
      [`tier.${i}.key`]: t.key,
      [`tier.${i}.nameZh`]: t.nameZh,
      [`tier.${i}.nameEn`]: t.nameEn,
      [`tier.${i}.amount`]: yuan(t.amountMinor),
      [`tier.${i}.count`]: String(t.count),
    });
  });
  r.rubric.forEach((c, i) => {
    for (const k of ['key', 'nameZh', 'nameEn', 'weight', 'min', 'max'] as const)
      values[`rubric.${i}.${k}`] = String(c[k]);
  });
  r.trancheSchedule.forEach((s, i) => {
    values[`tranche.${i}.key`] = s.key;
    values[`tranche.${i}.percent`] = String(s.percent);
    values[`tranche.${i}.unlock`] = s.unlock;
  });
  for (const k of TARGET_DAY_KEYS) values[`days.${k}`] = String(r.targetDays[k]);
  return values;
}

/** The rows of each table as the template prints them (values as typed, one message per row). */
export function roundFormRows(values: Values, errors: FieldErrors, locale: SupportedLocale) {
  const rows = <C extends string>(prefix: string, count: number, cells: readonly C[]) =>
    Array.from({ length: count }, (_, i) => ({
      i,
      n: i + 1,
      ...(Object.fromEntries(cells.map((c) => [c, str(values[`${prefix}.${i}.${c}`])])) as Record<
        C,
        string
      >),
      error: errors[`${prefix}.${i}`] ?? '',
    }));
  return {
    tiers: rows('tier', TIER_ROWS, TIER_CELLS),
    rubric: rows('rubric', RUBRIC_ROWS, RUBRIC_CELLS),
    tranches: rows('tranche', TRANCHE_ROWS, TRANCHE_CELLS).map((row) => ({
      ...row,
      unlocks: TRANCHE_UNLOCKS.map((u) => ({
        value: u,
        label: translate(locale, `grants.forms.round.unlock.${u}`),
        selected: row.unlock === u,
      })),
    })),
    days: TARGET_DAY_KEYS.map((k) => ({
      key: k,
      label: translate(locale, `grants.forms.round.day.${k}`),
      value: str(values[`days.${k}`]),
      error: errors[`days.${k}`] ?? '',
    })),
  };
}

/**
 * Reads the typed form into a round definition, or every problem at once beside its field (in
 * `locale`): what cannot be read (a date, an amount in yuan, a whole number) first, then
 * round-rules' own problems for whatever was read.
 */
export function readRoundForm(
  values: Values,
  currency: string,
  locale: SupportedLocale,
  opts: { needFund: boolean },
): Checked<RoundFormValue> {
  const errors: FieldErrors = {};
  const t = (key: string, params?: Record<string, unknown>) =>
    translate(locale, `grants.forms.round.err.${key}`, params);
  const put = (field: string, message: string) => {
    errors[field] ??= message;
  };

  const text = (field: string, max: number): string => {
    const v = str(values[field]);
    if (v.length < 1 || v.length > max) put(field, t('text', { max }));
    return v;
  };
  const whole = (field: string, key = field): number => {
    const v = str(values[field]);
    if (!/^\d{1,9}$/.test(v)) {
      put(key, t('whole'));
      return Number.NaN;
    }
    return Number(v);
  };
  /** An amount in yuan; `zeroOk`: 0 (or, for the construction budget, empty) is allowed. */
  const yuan = (field: string, key = field, zeroOk = false): number => {
    const v = str(values[field]);
    if (zeroOk && (v === '' || /^0+(\.0+)?$/.test(v))) return 0;
    const parsed = parseAmountField(v, currency);
    if (parsed.error !== null) {
      put(key, translate(locale, parsed.error));
      return Number.NaN;
    }
    return parsed.amountMinor;
  };
  const date = (field: string): Date => {
    const parsed = parseStrictDate(str(values[field]));
    if (!parsed.ok) {
      put(field, t('date'));
      return new Date(Number.NaN);
    }
    return parsed.date;
  };
  const filled = (prefix: string, i: number, cells: readonly string[]) =>
    cells.some((c) => str(values[`${prefix}.${i}.${c}`]) !== '');
  const indexes = (prefix: string, count: number, cells: readonly string[]) =>
    Array.from({ length: count }, (_, i) => i).filter((i) => filled(prefix, i, cells));

  const nameZh = text('nameZh', 200);
  const nameEn = text('nameEn', 200);
  const year = whole('year');
  if (!(year >= 2000 && year <= 2100)) put('year', t('year'));
  const sourceFundId = str(values.sourceFundId);
  if (opts.needFund && !/^[0-9a-f-]{36}$/i.test(sourceFundId)) put('sourceFundId', t('fund'));

  // Each row keeps its form index, so a rule's `tiers[k]` is put beside the row typed.
  const tierRows = indexes('tier', TIER_ROWS, TIER_CELLS);
  const tiers = tierRows.map((i) => ({
    key: str(values[`tier.${i}.key`]),
    nameZh: str(values[`tier.${i}.nameZh`]),
    nameEn: str(values[`tier.${i}.nameEn`]),
    amountMinor: yuan(`tier.${i}.amount`, `tier.${i}`),
    count: whole(`tier.${i}.count`, `tier.${i}`),
  }));
  const rubricRows = indexes('rubric', RUBRIC_ROWS, RUBRIC_CELLS);
  const rubric = rubricRows.map((i) => ({
    key: str(values[`rubric.${i}.key`]),
    nameZh: str(values[`rubric.${i}.nameZh`]),
    nameEn: str(values[`rubric.${i}.nameEn`]),
    weight: whole(`rubric.${i}.weight`, `rubric.${i}`),
    min: whole(`rubric.${i}.min`, `rubric.${i}`),
    max: whole(`rubric.${i}.max`, `rubric.${i}`),
  }));
  const trancheRows = indexes('tranche', TRANCHE_ROWS, ['key', 'percent']);
  const trancheSchedule = trancheRows.map((i) => ({
    key: str(values[`tranche.${i}.key`]),
    percent: whole(`tranche.${i}.percent`, `tranche.${i}`),
    unlock: str(values[`tranche.${i}.unlock`]) as TrancheUnlock,
  }));
  const targetDays = Object.fromEntries(
    TARGET_DAY_KEYS.map((k) => [k, whole(`days.${k}`)]),
  ) as unknown as RoundDefinition['targetDays'];

  const value: RoundFormValue = {
    nameZh,
    nameEn,
    year,
    sourceFundId,
    applicationsOpenAt: date('applicationsOpenAt'),
    applicationsCloseAt: date('applicationsCloseAt'),
    reviewCloseAt: date('reviewCloseAt'),
    tiers,
    constructionBudgetMinor: yuan('constructionBudget', 'constructionBudget', true),
    rubric,
    satisfactionThresholdPct: whole('satisfactionThresholdPct'),
    minEvaluators: whole('minEvaluators'),
    secondApprovalAboveMinor:
      str(values.secondApprovalAbove) === ''
        ? (put('secondApprovalAbove', t('zeroOrMore')), Number.NaN)
        : yuan('secondApprovalAbove', 'secondApprovalAbove', true),
    trancheSchedule,
    targetDays,
  };

  const rows = { tiers: tierRows, rubric: rubricRows, trancheSchedule: trancheRows };
  let formWide = '';
  for (const problem of roundProblems(value)) {
    const placed = placeProblem(problem, rows, t);
    if (placed) put(placed.field, placed.message);
    else formWide ||= t('other', { problem });
  }
  if (formWide) errors._form = formWide;
  return Object.keys(errors).length ? { value: null, errors } : { value, errors: null };
}

type Translate = (key: string, params?: Record<string, unknown>) => string;

const FIELD_OF_LIST: Record<string, { field: string; prefix: string }> = {
  tiers: { field: 'tiers', prefix: 'tier' },
  rubric: { field: 'rubric', prefix: 'rubric' },
  trancheSchedule: { field: 'tranches', prefix: 'tranche' },
};

/** A round-rules problem (English words) as the field it concerns and a message in the locale. */
export function placeProblem(
  problem: string,
  rows: Record<string, number[]>,
  t: Translate,
): { field: string; message: string } | null {
  const row = /^(tiers|rubric|trancheSchedule)\[(\d+)\]\.?(\w*)/.exec(problem);
  if (row) {
    const list = FIELD_OF_LIST[row[1]!]!;
    const at = rows[row[1]!]?.[Number(row[2])] ?? 0;
    const cell = row[3] || (problem.includes('scores') ? 'scores' : 'names');
    return { field: `${list.prefix}.${at}`, message: t(`row.${cell}`) };
  }
  const list =
    /^(tiers|rubric|trancheSchedule) (must list|keys must be unique|percents|must unlock)/.exec(
      problem,
    );
  if (list) {
    const field = FIELD_OF_LIST[list[1]!]!.field;
    const kind = list[2]!;
    if (kind === 'must list') return { field, message: t(`count.${list[1]}`) };
    if (kind === 'keys must be unique') return { field, message: t('unique') };
    if (kind === 'percents')
      return { field, message: t('percentSum', { total: /add up to (\d+)\)/.exec(problem)?.[1] }) };
    return { field, message: t('unlockOrder') };
  }
  const simple: [RegExp, string, string][] = [
    [/^applicationsCloseAt must be after/, 'applicationsCloseAt', 'closeAfterOpen'],
    [/^reviewCloseAt must not be before/, 'reviewCloseAt', 'reviewAfterClose'],
    [/^applicationsOpenAt, /, 'applicationsOpenAt', 'date'],
    [/^constructionBudgetMinor/, 'constructionBudget', 'zeroOrMore'],
    [/^satisfactionThresholdPct/, 'satisfactionThresholdPct', 'percent'],
    [/^minEvaluators/, 'minEvaluators', 'evaluators'],
    [/^secondApprovalAboveMinor/, 'secondApprovalAbove', 'zeroOrMore'],
    [/^the round budget is too large/, '_form', 'tooLarge'],
  ];
  for (const [pattern, field, key] of simple)
    if (pattern.test(problem)) return { field, message: t(key) };
  const days = /^targetDays\.(\w+)/.exec(problem);
  if (days) return { field: `days.${days[1]}`, message: t('days') };
  return null;
}
