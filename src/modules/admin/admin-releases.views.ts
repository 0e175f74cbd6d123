import { Injectable } from '@nestjs/common';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../common/context/request-context';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { checkApproval } from '../allocations/release-rules';
import type { ReleaseListItem } from '../allocations/releases.repository';
import { ReleasesService } from '../allocations/releases.service';
import { AdminFundsViews } from './admin-funds.views';
import { fieldText, type FormState, localName } from './admin-view-helpers';
import { statusText } from '../../common/i18n/status-words';

type UserActor = Extract<Actor, { kind: 'user' }>;

/** A message to show beside one release's buttons (a refused approval, a missing confirmation). */
export interface ReleaseNotice {
  id: string;
  text: string;
}

const RELEASE_FROM_KINDS = new Set(['COMMUNITY', 'PROGRAM']);
const RELEASE_TO_KINDS = new Set(['GENERAL', 'COMMUNITY', 'PROGRAM']);
const RECENT_DECIDED = 20;

/** View models of the releases page: the pending ones with what the viewer may do, the form. */
@Injectable()
export class AdminReleasesViews {
  constructor(
    private readonly releases: ReleasesService,
    private readonly fundsViews: AdminFundsViews,
  ) {}

  currency(): Promise<string> {
    return this.fundsViews.currency();
  }

  async page(
    locale: SupportedLocale,
    viewer: UserActor,
    form: FormState = { values: {}, errors: {} },
    notice?: ReleaseNotice,
  ) {
    const [pending, all, funds, currency] = await Promise.all([
      this.releases.list({ status: 'PENDING' }),
      this.releases.list({ limit: RECENT_DECIDED * 2 }),
      this.fundsViews.allFunds(),
      this.currency(),
    ]);
    const open = funds.filter((f) => f.status !== 'CLOSED');
    const options = (kinds: Set<string>, selected: unknown) =>
      open
        .filter((f) => kinds.has(f.kind))
        .map((f) => ({
          value: f.id,
          label: `${localName(locale, f.nameZh, f.nameEn)} · ${f.code}`,
          balanceMinor: f.balanceMinor,
          currency: f.currency,
          selected: f.id === selected,
        }));
    const values = form.values;
    const shown = (r: ReleaseListItem) => this.row(r, locale, viewer, notice);
    return {
      title: translate(locale, 'admin.releases.title'),
      currency,
      pending: pending.map(shown),
      decided: all
        .filter((r) => r.status !== 'PENDING')
        .slice(0, RECENT_DECIDED)
        .map(shown),
      formError: notice && !pending.some((r) => r.id === notice.id) ? notice.text : undefined,
      request: {
        values: { ...values, requestKey: fieldText(values.requestKey) || randomUUID() },
        errors: form.errors,
        from: options(RELEASE_FROM_KINDS, values.fromFundId),
        to: options(RELEASE_TO_KINDS, values.toFundId),
      },
    };
  }

  private row(
    r: ReleaseListItem,
    locale: SupportedLocale,
    viewer: UserActor,
    notice: ReleaseNotice | undefined,
  ) {
    const approval = checkApproval(
      { userId: r.requestedBy, roles: r.requesterRoles },
      { userId: viewer.userId, roles: viewer.roles },
    );
    return {
      id: r.id,
      from: `${localName(locale, r.fromFund.nameZh, r.fromFund.nameEn)} · ${r.fromFund.code}`,
      to: `${localName(locale, r.toFund.nameZh, r.toFund.nameEn)} · ${r.toFund.code}`,
      amountMinor: r.amountMinor,
      currency: r.currency,
      reason: r.reason,
      status: r.status,
      statusText: statusText(locale, 'release', r.status),
      requester: r.requester.name,
      requesterEmail: r.requester.email,
      requesterRoles: r.requesterRoles.map((role) => statusText(locale, 'role', role)).join(' · '),
      requestedAt: beijingDateTime(new Date(r.requestedAt), locale),
      decider: r.decider?.name ?? null,
      decidedAt: r.decidedAt ? beijingDateTime(new Date(r.decidedAt), locale) : null,
      note: r.decisionNote,
      canApprove: approval.allowed,
      whyNot: approval.allowed
        ? null
        : translate(
            locale,
            approval.code === 'SELF_APPROVAL'
              ? 'admin.releases.ownRequest'
              : r.requesterRoles.includes('ADMIN')
                ? 'admin.releases.needsFinance'
                : 'admin.releases.needsAdmin',
          ),
      notice: notice?.id === r.id ? notice.text : undefined,
    };
  }
}
