import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/context/request-context';
import { parseStrictDate } from '../../common/dates/strict-date';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { parseAmountField, toDecimalString } from '../../common/money';
import { CampaignsService } from '../campaigns/campaigns.service';
import type { CampaignSummary, CampaignView } from '../campaigns/campaigns.types';
import {
  type ClearableCampaignField,
  CreateCampaignDto,
  UpdateCampaignDto,
} from '../campaigns/dto/campaigns.dto';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService } from '../funds/funds.service';
import { localName } from './admin-view-helpers';

/** The form's names for the DTO's fields (amounts are typed in yuan, dates without a zone). */
const FORM_FIELD: Record<string, string> = {
  goalMinor: 'goal',
  minAmountMinor: 'minAmount',
  presetAmountsMinor: 'presets',
};

/** Fields whose message the form shows in the reader's language rather than the API's words. */
const FIELD_ERROR: Record<string, string> = {
  filingNumber: 'admin.campaigns.filingNumberInvalid',
};

/** Form dates are Beijing time: "2026-09-07T00:00" → 2026-09-07T00:00:00+08:00. */
export const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/**
 * View models and form reading of the back office's campaign pages. A form's text becomes the
 * API's DTO (yuan → minor units, Beijing date-times → instants), so one set of rules applies.
 */
@Injectable()
export class AdminCampaignsViews {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly funds: FundsService,
    private readonly foundation: FoundationService,
  ) {}

  /** Drafts are those the reader may edit (the service scopes a leader's to their funds). */
  async list(actor: Actor | undefined, locale: SupportedLocale) {
    const group = async (status?: 'DRAFT' | 'LIVE' | 'ENDED') =>
      (await this.campaigns.list(actor, { status, limit: 100 })).items.map((c) => row(c, locale));
    return {
      title: translate(locale, 'admin.campaigns.title'),
      drafts: await group('DRAFT'),
      live: await group('LIVE'),
      ended: await group('ENDED'),
    };
  }

  /** The funds this actor may start a campaign for: any active fund for staff, their own for a leader. */
  async fundOptions(actor: Actor | undefined, locale: SupportedLocale, selected?: unknown) {
    const active = await this.funds.list({ status: 'ACTIVE', limit: 500 });
    const staff = actor?.kind === 'user' && actor.roles.some((r) => r !== 'COMMUNITY_LEADER');
    return active.items
      .filter((f) => f.kind !== 'MATCHING')
      .filter((f) => staff || (actor?.kind === 'user' && actor.fundIds.includes(f.id)))
      .map((f) => ({
        value: f.id,
        label: `${localName(locale, f.nameZh, f.nameEn)} (${f.code})`,
        selected: f.id === selected,
      }));
  }

  /**
   * The same funds for the form's picker, grouped by subdistrict (one `<optgroup>` each, by name)
   * with the foundation's own funds (general, program) first. A community fund's label names its
   * community, so the picker's search finds a fund by either.
   */
  async fundGroups(actor: Actor | undefined, locale: SupportedLocale, selected?: unknown) {
    const allowed = new Set((await this.fundOptions(actor, locale)).map((o) => o.value));
    const active = await this.funds.list({ status: 'ACTIVE', limit: 500 });
    const subdistricts = new Map(
      (await this.foundation.listSubdistricts()).map((d) => [
        d.id,
        localName(locale, d.nameZh, d.nameEn),
      ]),
    );
    const own = translate(locale, 'admin.campaigns.ownFunds');
    const groups = new Map<string, { label: string; options: FundOption[] }>();
    for (const f of active.items.filter((x) => allowed.has(x.id))) {
      const where = f.community ? (subdistricts.get(f.community.subdistrictId) ?? '') : own;
      const community = f.community
        ? localName(locale, f.community.nameZh, f.community.nameEn)
        : '';
      const name = localName(locale, f.nameZh, f.nameEn);
      const group = groups.get(where) ?? { label: where, options: [] };
      group.options.push({
        value: f.id,
        label: community && !name.includes(community) ? `${name} · ${community}` : name,
        code: f.code,
        selected: f.id === selected,
      });
      groups.set(where, group);
    }
    const collator = new Intl.Collator(locale === 'en' ? 'en' : 'zh-CN-u-co-pinyin');
    return [...groups.values()]
      .map((g) => ({ ...g, options: g.options.sort((a, b) => collator.compare(a.label, b.label)) }))
      .sort((a, b) =>
        a.label === own ? -1 : b.label === own ? 1 : collator.compare(a.label, b.label),
      );
  }

  /** An existing campaign as the form shows it. */
  formValues(c: CampaignView): Record<string, unknown> {
    const money = (v: number | null) => (v === null ? '' : toDecimalString(v, c.currency));
    return {
      fundId: c.fundId,
      slug: c.slug,
      titleZh: c.titleZh,
      // What was written in English, not the Chinese the pages show in its place.
      titleEn: c.englishGiven.title ? c.titleEn : '',
      storyZh: c.storyZh,
      storyEn: c.englishGiven.story ? c.storyEn : '',
      goal: money(c.goalMinor),
      minAmount: money(c.minAmountMinor),
      presets: c.presetAmountsMinor.map((p) => money(p)).join(', '),
      startsAt: localDateTime(c.startsAt),
      endsAt: localDateTime(c.endsAt),
      filingNumber: c.filingNumber,
    };
  }

  /** Reads the form into the API's DTO, or the messages to show beside each field. */
  read<T extends CreateCampaignDto | UpdateCampaignDto>(
    type: new () => T,
    values: Record<string, unknown>,
    currency: string,
    locale: SupportedLocale,
  ):
    { dto: T; clear: ClearableCampaignField[]; errors: null } | { dto: null; errors: FieldErrors } {
    const errors: FieldErrors = {};
    const text = (name: string) => (typeof values[name] === 'string' ? values[name].trim() : '');
    const amount = (name: string): number | undefined => {
      if (!text(name)) return undefined;
      const parsed = parseAmountField(text(name), currency);
      if (parsed.error !== null) errors[name] = translate(locale, parsed.error);
      return parsed.amountMinor ?? undefined;
    };
    const date = (name: string): string | undefined => {
      if (!text(name)) return undefined;
      const parsed = LOCAL_DATE_TIME.test(text(name)) ? parseStrictDate(text(name)) : null;
      if (!parsed?.ok) {
        const key =
          parsed?.problem === 'range' ? 'admin.errors.dateYears' : 'admin.errors.dateTime';
        errors[name] = translate(locale, key);
        return undefined;
      }
      return `${text(name)}:00+08:00`;
    };
    const presets = text('presets')
      .split(/[,，\s]+/)
      .filter(Boolean)
      .map((p) => {
        const parsed = parseAmountField(p, currency);
        if (parsed.error !== null) errors.presets ??= translate(locale, parsed.error);
        return parsed.amountMinor ?? 0;
      });
    const raw = {
      fundId: text('fundId'),
      slug: text('slug'),
      titleZh: text('titleZh'),
      titleEn: text('titleEn'),
      storyZh: story(values.storyZh),
      storyEn: story(values.storyEn),
      goalMinor: amount('goal'),
      minAmountMinor: amount('minAmount'),
      presetAmountsMinor: presets,
      startsAt: date('startsAt'),
      endsAt: date('endsAt'),
      filingNumber: text('filingNumber'),
    };
    const checked = checkForm(type, raw, locale);
    for (const [field, message] of Object.entries(checked.errors ?? {}))
      errors[FORM_FIELD[field] ?? field] ??= FIELD_ERROR[field]
        ? translate(locale, FIELD_ERROR[field])
        : message;
    if (Object.keys(errors).length > 0 || !checked.value) return { dto: null, errors };
    // On an edit, an emptied field clears the value (an empty input is "not given" to checkForm).
    const clear = (
      [
        ['titleEn', 'titleEn'],
        ['goal', 'goalMinor'],
        ['startsAt', 'startsAt'],
        ['endsAt', 'endsAt'],
        ['storyZh', 'storyZh'],
        ['storyEn', 'storyEn'],
        ['filingNumber', 'filingNumber'],
      ] as const
    )
      .filter(([name]) => !text(name))
      .map(([, field]) => field);
    return { dto: checked.value, clear, errors: null };
  }
}

function row(c: CampaignSummary, locale: SupportedLocale) {
  return {
    id: c.id,
    slug: c.slug,
    title: localName(locale, c.titleZh, c.titleEn),
    status: c.status,
    currency: c.currency,
    raisedMinor: c.totals.raisedMinor,
    matchedMinor: c.totals.matchedMinor,
    donors: c.totals.donors,
    goalMinor: c.totals.goalMinor,
  };
}

interface FundOption {
  value: string;
  label: string;
  code: string;
  selected: boolean;
}

/** A story as typed, with a browser's CR LF line breaks stored as LF (a save changes nothing). */
function story(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : '';
}

/** An instant as the form's Beijing date-time ("2026-09-07T00:00"), or ''. */
export function localDateTime(at: Date | null): string {
  if (!at) return '';
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);
}
