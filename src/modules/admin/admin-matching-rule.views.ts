import { Injectable } from '@nestjs/common';
import type { FieldErrors } from '../../common/http/forms';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { formatMoney, parseAmountField, toDecimalString } from '../../common/money';
import { FundsService } from '../funds/funds.service';
import type { RuleField, RuleProblem } from '../matching/matching-rule';
import { problemText } from '../matching/matching.errors';
import type { RuleSettings, RuleView } from '../matching/matching.service';
import { LOCAL_DATE_TIME, localDateTime } from './admin-campaigns.views';
import { localName } from './admin-view-helpers';
import { statusText } from '../../common/i18n/status-words';

/** The form's names for the rule's fields (amounts in yuan, the ratio as a multiplier). */
const FORM_FIELD: Record<Exclude<RuleField, 'campaign'>, string> = {
  poolFundId: 'poolFundId',
  mode: 'mode',
  ratioBp: 'ratio',
  randomMinMinor: 'randomMin',
  randomMaxMinor: 'randomMax',
  minGiftMinor: 'minGift',
  capPerGiftMinor: 'capPerGift',
  capPerDonorDayMinor: 'capPerDonorDay',
  totalCapMinor: 'totalCap',
  startsAt: 'startsAt',
  endsAt: 'endsAt',
};

/** "1" → 10000 basis points (1:1), "0.5" → 5000; at most four decimals. */
const RATIO = /^(\d{1,6})(?:\.(\d{1,4}))?$/;

export function parseRatio(text: string): number | null {
  const match = RATIO.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 10_000 + Number((match[2] ?? '').padEnd(4, '0'));
}

/** 10000 → "1", 5000 → "0.5", 12345 → "1.2345". */
export function ratioText(bp: number): string {
  const whole = Math.floor(bp / 10_000);
  const fraction = String(bp % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * View models and form reading of a campaign's matching rule in the back office. The form's text
 * becomes the service's settings (yuan → minor units, Beijing date-times → instants, the ratio
 * → basis points); the service's checks (pool, window, range, caps) come back beside each field.
 */
@Injectable()
export class AdminMatchingRuleViews {
  constructor(private readonly funds: FundsService) {}

  /** The rule as the campaign's page shows it, in words. */
  summary(rule: RuleView, locale: SupportedLocale) {
    const when = (at: Date | null) => (at ? localDateTime(at).replace('T', ' ') : null);
    return {
      status: rule.status,
      statusText: statusText(locale, 'matchingRule', rule.status),
      active: rule.status === 'ACTIVE',
      paused: rule.status === 'PAUSED',
      ended: rule.status === 'ENDED',
      pool: `${localName(locale, rule.pool.nameZh, rule.pool.nameEn)} (${rule.pool.code})`,
      poolBalanceMinor: rule.pool.balanceMinor,
      ratio: rule.mode === 'RATIO' && rule.ratioBp !== null ? `1:${ratioText(rule.ratioBp)}` : null,
      randomMinMinor: rule.mode === 'RANDOM' ? rule.randomMinMinor : null,
      randomMaxMinor: rule.mode === 'RANDOM' ? rule.randomMaxMinor : null,
      minGiftMinor: rule.minGiftMinor,
      capPerGiftMinor: rule.capPerGiftMinor,
      capPerDonorDayMinor: rule.capPerDonorDayMinor,
      totalCapMinor: rule.totalCapMinor,
      matchedMinor: rule.matchedMinor,
      startsAt: when(rule.startsAt),
      endsAt: when(rule.endsAt),
      endedAt: when(rule.endedAt),
      matchFeeCover: rule.matchFeeCover,
      currency: rule.currency,
    };
  }

  /** Active MATCHING funds with their balances (and the rule's own pool, whatever its state). */
  async poolOptions(locale: SupportedLocale, currency: string, selected?: unknown) {
    const pools = await this.funds.list({ kind: 'MATCHING', status: 'ACTIVE', limit: 500 });
    const items = pools.items.filter((f) => f.currency.trim() === currency.trim());
    if (typeof selected === 'string' && !items.some((f) => f.id === selected)) {
      const own = await this.funds.get(selected).catch(() => null);
      if (own?.kind === 'MATCHING') items.push(own);
    }
    return items.map((f) => ({
      value: f.id,
      label: translate(locale, 'admin.matching.poolOption', {
        name: `${localName(locale, f.nameZh, f.nameEn)} (${f.code})`,
        balance: formatMoney(f.balanceMinor, f.currency.trim(), locale),
      }),
      selected: f.id === selected,
    }));
  }

  modeOptions(selected: unknown) {
    return (['RATIO', 'RANDOM'] as const).map((mode) => ({
      value: mode,
      label: `admin.matching.mode${mode}`,
      selected: mode === selected,
    }));
  }

  /** A rule as the form shows it; a new rule starts at 1:1. */
  formValues(rule: RuleView | null): Record<string, unknown> {
    if (!rule) return { mode: 'RATIO', ratio: '1', minGift: '' };
    const money = (v: number | null) => (v === null ? '' : toDecimalString(v, rule.currency));
    return {
      poolFundId: rule.poolFundId,
      mode: rule.mode,
      ratio: rule.ratioBp === null ? '' : ratioText(rule.ratioBp),
      randomMin: money(rule.randomMinMinor),
      randomMax: money(rule.randomMaxMinor),
      minGift: rule.minGiftMinor === 1 ? '' : money(rule.minGiftMinor),
      capPerGift: money(rule.capPerGiftMinor),
      capPerDonorDay: money(rule.capPerDonorDayMinor),
      totalCap: money(rule.totalCapMinor),
      startsAt: localDateTime(rule.startsAt),
      endsAt: localDateTime(rule.endsAt),
      matchFeeCover: rule.matchFeeCover,
    };
  }

  /** Reads the form into the service's settings, or the messages to show beside each field. */
  read(
    values: Record<string, unknown>,
    currency: string,
    locale: SupportedLocale,
  ): { settings: RuleSettings; errors: null } | { settings: null; errors: FieldErrors } {
    const errors: FieldErrors = {};
    const text = (name: string) => (typeof values[name] === 'string' ? values[name].trim() : '');
    const amount = (name: string, required = false): number | null => {
      if (!text(name)) {
        if (required) errors[name] = translate(locale, 'admin.matching.required');
        return null;
      }
      const parsed = parseAmountField(text(name), currency);
      if (parsed.error !== null) errors[name] = translate(locale, parsed.error);
      return parsed.amountMinor;
    };
    const date = (name: string): Date | null => {
      if (!text(name)) return null;
      const at = LOCAL_DATE_TIME.test(text(name)) ? new Date(`${text(name)}:00+08:00`) : null;
      if (!at || Number.isNaN(at.getTime())) {
        errors[name] = translate(locale, 'admin.errors.dateTime');
        return null;
      }
      return at;
    };
    const mode = text('mode');
    if (mode !== 'RATIO' && mode !== 'RANDOM')
      errors.mode = translate(locale, 'admin.matching.chooseMode');
    const poolFundId = text('poolFundId');
    if (!poolFundId) errors.poolFundId = translate(locale, 'matching.problems.poolNotFound');
    let ratioBp: number | null = null;
    if (mode === 'RATIO') {
      if (!text('ratio')) errors.ratio = translate(locale, 'matching.problems.ratioMissing');
      else {
        ratioBp = parseRatio(text('ratio'));
        if (ratioBp === null) errors.ratio = translate(locale, 'admin.matching.ratioFormat');
      }
    }
    const random = mode === 'RANDOM';
    const settings: RuleSettings = {
      poolFundId,
      mode: random ? 'RANDOM' : 'RATIO',
      ratioBp,
      randomMinMinor: random ? amount('randomMin', true) : null,
      randomMaxMinor: random ? amount('randomMax', true) : null,
      minGiftMinor: amount('minGift') ?? 1,
      capPerGiftMinor: amount('capPerGift'),
      capPerDonorDayMinor: amount('capPerDonorDay'),
      totalCapMinor: amount('totalCap'),
      startsAt: date('startsAt'),
      endsAt: date('endsAt'),
      matchFeeCover: values.matchFeeCover === 'on' || values.matchFeeCover === 'true',
    };
    return Object.keys(errors).length > 0 ? { settings: null, errors } : { settings, errors: null };
  }

  /** The service's problems beside the form's fields; a problem of the campaign above the form. */
  problems(
    problems: RuleProblem[],
    locale: SupportedLocale,
    currency: string,
  ): { errors: FieldErrors; formError?: string } {
    const errors: FieldErrors = {};
    let formError: string | undefined;
    for (const problem of problems) {
      const message = problemText(problem, locale, currency);
      if (problem.field === 'campaign') formError = message;
      else errors[FORM_FIELD[problem.field]] ??= message;
    }
    return { errors, formError };
  }
}
