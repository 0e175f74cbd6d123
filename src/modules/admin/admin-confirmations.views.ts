import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/context/request-context';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { formatMoney } from '../../common/money';
import type { ConfirmPage } from '../../common/views/confirm-step';
import { UsersService } from '../accounts/users.service';
import { AllocationsService } from '../allocations/allocations.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import { FundsService, type FundView } from '../funds/funds.service';
import { localName } from './admin-view-helpers';

/**
 * The confirmation pages of the back office's risky actions besides refunds (those are the gift
 * views'): publishing a campaign, closing a fund, a transfer between funds and the yearly
 * allocation. Each states the amount and what changes, from a dry run of the action itself where
 * money moves, so a refusal (an overdraft, a fund that still holds money) is shown before the
 * confirmation rather than after it.
 */
@Injectable()
export class AdminConfirmationsViews {
  constructor(
    private readonly funds: FundsService,
    private readonly allocations: AllocationsService,
    private readonly campaigns: CampaignsService,
    private readonly users: UsersService,
  ) {}

  async publish(
    locale: SupportedLocale,
    actor: Actor | undefined,
    id: string,
  ): Promise<ConfirmPage> {
    const t = (key: string, vars: Record<string, unknown> = {}) =>
      translate(locale, `admin.confirm.publish.${key}`, vars);
    const campaign = await this.campaigns.getVisible(actor, id);
    // Publishing itself, rolled back: a campaign that cannot go live is refused here.
    await this.campaigns.previewPublish(actor, id);
    const fund = await this.funds.get(campaign.fundId);
    const leaders = await this.users.leadersOfFund(fund.id);
    const money = (v: number) => formatMoney(v, campaign.currency, locale);
    const when = (at: Date | null) => (at ? beijingDateTime(at, locale) : t('noDate'));
    return {
      title: t('title'),
      facts: [
        { label: t('campaign'), value: localName(locale, campaign.titleZh, campaign.titleEn) },
        { label: t('fund'), value: fundName(fund, locale) },
        {
          label: t('goal'),
          value: campaign.goalMinor === null ? t('noGoal') : money(campaign.goalMinor),
        },
        { label: t('dates'), value: `${when(campaign.startsAt)} – ${when(campaign.endsAt)}` },
        { label: t('address'), value: `/campaigns/${campaign.slug}` },
      ],
      effects: [
        t('public', { address: `/campaigns/${campaign.slug}`, fund: fundName(fund, locale) }),
        t('slugFixed'),
        leaders.length > 0
          ? t('leaders', { names: leaders.map((l) => l.name).join('、') })
          : t('noLeaders'),
      ],
      button: t('button'),
      back: `/admin/campaigns/${id}`,
    };
  }

  async closeFund(locale: SupportedLocale, id: string, back: string): Promise<ConfirmPage> {
    const t = (key: string, vars: Record<string, unknown> = {}) =>
      translate(locale, `admin.confirm.close.${key}`, vars);
    const fund = await this.funds.get(id);
    // The close itself, rolled back: a fund that still holds money is refused here.
    await this.funds.previewClose(id);
    return {
      title: t('title'),
      facts: [
        { label: t('fund'), value: `${fundName(fund, locale)} (${fund.code})` },
        { label: t('balance'), value: formatMoney(fund.balanceMinor, fund.currency, locale) },
      ],
      effects: [t('closed'), t('noMoney'), t('final')],
      button: t('button'),
      back,
      danger: true,
    };
  }

  async transfer(
    locale: SupportedLocale,
    form: {
      fromFundId: string;
      toFundId: string;
      amountMinor: number;
      description?: string;
      requestKey: string;
    },
  ): Promise<ConfirmPage> {
    const t = (key: string, vars: Record<string, unknown> = {}) =>
      translate(locale, `admin.confirm.transfer.${key}`, vars);
    const [from, to] = [await this.funds.get(form.fromFundId), await this.funds.get(form.toFundId)];
    const { replayed } = await this.allocations.previewTransfer({
      fromFundId: form.fromFundId,
      toFundId: form.toFundId,
      amountMinor: form.amountMinor,
      description: form.description,
      idempotencyKey: `form-${form.requestKey}`,
    });
    const money = (v: number) => formatMoney(v, from.currency, locale);
    const facts = [
      { label: t('from'), value: fundName(from, locale) },
      { label: t('to'), value: fundName(to, locale) },
      { label: t('amount'), value: money(form.amountMinor) },
    ];
    if (form.description) facts.push({ label: t('description'), value: form.description });
    return {
      title: t('title'),
      facts,
      effects: replayed
        ? [t('replayed')]
        : [
            t('balance', {
              fund: fundName(from, locale),
              from: money(from.balanceMinor),
              to: money(from.balanceMinor - form.amountMinor),
            }),
            t('balance', {
              fund: fundName(to, locale),
              from: money(to.balanceMinor),
              to: money(to.balanceMinor + form.amountMinor),
            }),
            t('ledger'),
          ],
      button: t('button', { amount: money(form.amountMinor) }),
      back: '/admin/allocations',
    };
  }

  async yearly(
    locale: SupportedLocale,
    form: { year: number; amountMinor: number; sourceFundId?: string },
  ): Promise<ConfirmPage> {
    const t = (key: string, vars: Record<string, unknown> = {}) =>
      translate(locale, `admin.confirm.yearly.${key}`, vars);
    const plan = await this.allocations.previewYearly(form);
    const source = await this.funds.get(plan.sourceFundId);
    const money = (v: number) => formatMoney(v, plan.currency, locale);
    const effects =
      plan.allocated.length > 0
        ? [
            t('funds', {
              count: plan.allocated.length,
              amount: money(plan.amountMinor),
              total: money(plan.movedMinor),
            }),
            t('balance', {
              fund: fundName(source, locale),
              from: money(source.balanceMinor),
              to: money(source.balanceMinor - plan.movedMinor),
            }),
          ]
        : [t('nothing')];
    if (plan.alreadyAllocated.length > 0)
      effects.push(t('already', { count: plan.alreadyAllocated.length, year: plan.year }));
    return {
      title: t('title', { year: plan.year }),
      facts: [
        { label: t('year'), value: String(plan.year) },
        { label: t('amountEach'), value: money(plan.amountMinor) },
        { label: t('source'), value: fundName(source, locale) },
        { label: t('total'), value: money(plan.movedMinor) },
      ],
      effects,
      button: t('button', { total: money(plan.movedMinor) }),
      back: '/admin/allocations',
    };
  }
}

function fundName(fund: FundView, locale: SupportedLocale): string {
  return localName(locale, fund.nameZh, fund.nameEn);
}
