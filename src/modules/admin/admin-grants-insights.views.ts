import { Injectable } from '@nestjs/common';
import type { SupportedLocale } from '../../common/i18n/i18n';
import { translate } from '../../common/i18n/i18n';
import { beijingDateTime } from '../../common/dates/beijing-time';
import {
  currentYear,
  type GrantsDashboard,
  GrantsInsightsService,
} from '../grants/insights/grants-insights.service';
import { localName, type Option, query } from './admin-view-helpers';
import { statusText } from '../../common/i18n/status-words';

const days = (locale: SupportedLocale, n: number | null) =>
  n === null ? '—' : translate(locale, 'grants.insights.days', { n: n.toFixed(2) });

/** The back office's grants dashboard page (`/admin/grants`): view model from the service's figures. */
@Injectable()
export class AdminGrantsInsightsViews {
  constructor(private readonly insights: GrantsInsightsService) {}

  async page(locale: SupportedLocale, filter: { year?: number; roundId?: string }) {
    const d: GrantsDashboard = await this.insights.dashboard(filter);
    const rounds = await this.insights.roundChoices();
    const thisYear = currentYear();
    const years = [...new Set([thisYear, d.year, ...rounds.map((r) => r.year)])].sort(
      (a, b) => b - a,
    );
    const params = { year: filter.roundId ? undefined : String(d.year), roundId: filter.roundId };
    return {
      title: translate(locale, 'grants.insights.title'),
      year: d.year,
      asOf: beijingDateTime(d.asOf, locale),
      yearOptions: years.map((y): Option => ({
        value: String(y),
        label: String(y),
        selected: y === d.year && !filter.roundId,
      })),
      roundOptions: rounds.map((r): Option => ({
        value: r.id,
        label: `${r.year} · ${localName(locale, r.nameZh, r.nameEn)}`,
        selected: r.id === filter.roundId,
      })),
      totals: d.totals,
      rounds: d.rounds.map((r) => ({
        ...r,
        name: localName(locale, r.nameZh, r.nameEn),
        statusText: statusText(locale, 'round', r.status),
        paidRatio: r.awardedMinor > 0 ? r.paidMinor / r.awardedMinor : null,
        decisionMedian: days(locale, r.speed.decision.medianDays),
        decisionP90: days(locale, r.speed.decision.p90Days),
        paymentMedian: days(locale, r.speed.payment.medianDays),
        paymentP90: days(locale, r.speed.payment.p90Days),
      })),
      fundUse: d.fundUse.map((f) => ({
        ...f,
        name: localName(locale, f.nameZh, f.nameEn),
      })),
      overdue: d.overdue.map((o) => ({
        kind: o.kind,
        id: o.id,
        kindText: translate(locale, `grants.insights.overdueKind.${o.kind}`),
        title: o.seq === null ? o.title : `${o.title} #${o.seq}`,
        dueOn: beijingDateTime(o.dueAt, locale),
        daysOverdue: o.daysOverdue,
        whoText: translate(locale, `grants.insights.whoActs.${o.kind}`),
      })),
      awardsCsvUrl: query('/admin/grants/export/awards.csv', params),
      fundUseCsvUrl: query('/admin/grants/export/fund-use.csv', { year: String(d.year) }),
    };
  }
}
