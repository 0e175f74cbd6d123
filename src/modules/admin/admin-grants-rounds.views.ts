import { Injectable } from '@nestjs/common';
import { beijingDateTime } from '../../common/dates/beijing-time';
import type { Actor } from '../../common/context/request-context';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import type { FieldErrors } from '../../common/http/forms';
import { UsersService } from '../accounts/users.service';
import { toDecimalString } from '../../common/money';
import { FundsService } from '../funds/funds.service';
import { GrantAttachmentsService } from '../grants/attachments/attachments.service';
import { AwardsService } from '../grants/awards/awards.service';
import { FoundationService } from '../foundation/foundation.service';
import { ApplicationsService } from '../grants/rounds/applications.service';
import type { ApplicationListItem } from '../grants/rounds/applications.repository';
import { RoundsService } from '../grants/rounds/rounds.service';
import type { GrantRound } from '../grants/rounds/rounds.repository';
import { ReviewsService } from '../grants/reviews/reviews.service';
import { defaultRoundValues, roundFormRows, roundValues } from './admin-grants-round-form';
import { localName } from './admin-view-helpers';
import { statusText } from '../../common/i18n/status-words';

type UserActor = Extract<Actor, { kind: 'user' }>;

const OFFICER = ['ADMIN', 'GRANTS_OFFICER'];
const isOfficer = (viewer: UserActor) => viewer.roles.some((r) => OFFICER.includes(r));
const when = (d: Date | string | null, locale: SupportedLocale) =>
  d ? beijingDateTime(new Date(d), locale) : '';

/** The next lifecycle step of a round in each status (the button the officer sees). */
const NEXT_ACTION: Partial<Record<GrantRound['status'], string>> = {
  DRAFT: 'open',
  OPEN: 'start-review',
  REVIEWING: 'start-awarding',
  AWARDING: 'close',
};

/** View models of the grant rounds, applications and review pages of the back office. */
@Injectable()
export class AdminGrantsRoundsViews {
  constructor(
    private readonly rounds: RoundsService,
    private readonly applications: ApplicationsService,
    private readonly reviews: ReviewsService,
    private readonly users: UsersService,
    private readonly foundation: FoundationService,
    private readonly funds: FundsService,
    private readonly awards: AwardsService,
    private readonly attachments: GrantAttachmentsService,
  ) {}

  /** A DRAFT application's edit form (its applicant), with its files (download links). */
  async editApplication(
    locale: SupportedLocale,
    id: string,
    form?: { values: Record<string, unknown>; errors: FieldErrors },
  ) {
    const app = await this.applications.read(id);
    const currency = app.round.currency;
    const files = await this.attachments.list({ ownerType: 'APPLICATION', ownerId: id });
    return {
      title: translate(locale, 'grants.forms.draft.title', { title: app.title }),
      app: this.appSummary(app, locale),
      editable: app.status === 'DRAFT',
      currency,
      values: form?.values ?? {
        title: app.title,
        summary: app.summary,
        budgetLines: app.budgetLines
          .map((l) => `${l.item} | ${toDecimalString(l.amountMinor, currency)}`)
          .join('\n'),
      },
      errors: form?.errors ?? {},
      files: files.map((f) => ({
        id: f.id,
        fileName: f.fileName,
        pageUrl: f.pageUrl,
        sizeKb: Math.max(1, Math.round(f.sizeBytes / 1024)),
      })),
    };
  }

  /**
   * The round form: new (the district's defaults, a source fund to choose) or a DRAFT's edit
   * (its definition; the source fund stays). `form` is what was typed, shown again with messages.
   */
  async roundForm(
    locale: SupportedLocale,
    roundId: string | null,
    form?: { values: Record<string, unknown>; errors: FieldErrors },
  ) {
    const round = roundId ? await this.rounds.get(roundId) : null;
    const values = form?.values ?? (round ? roundValues(round) : defaultRoundValues(new Date()));
    const errors = form?.errors ?? {};
    const funds = round
      ? []
      : (await this.funds.list({ status: 'ACTIVE', limit: 200 })).items.map((f) => ({
          value: f.id,
          label: `${localName(locale, f.nameZh, f.nameEn)} · ${f.code}`,
          selected: f.id === values.sourceFundId,
        }));
    const fund = round ? await this.funds.get(round.sourceFundId) : null;
    return {
      title: round
        ? translate(locale, 'grants.forms.round.editTitle', {
            name: localName(locale, round.nameZh, round.nameEn),
          })
        : translate(locale, 'grants.forms.round.newTitle'),
      roundId: round?.id ?? null,
      action: round ? `/admin/grants/rounds/${round.id}/edit` : '/admin/grants/rounds',
      editable: !round || round.status === 'DRAFT',
      statusText: round ? statusText(locale, 'round', round.status) : '',
      fund: fund ? `${localName(locale, fund.nameZh, fund.nameEn)} · ${fund.code}` : null,
      funds,
      currency: round?.currency ?? (await this.foundation.currency()),
      values,
      errors,
      ...roundFormRows(values, errors, locale),
    };
  }

  async list(locale: SupportedLocale, viewer: UserActor) {
    const rounds = await this.rounds.list();
    return {
      title: translate(locale, 'grants.rounds.title'),
      canCreate: isOfficer(viewer),
      rounds: rounds.map((r) => this.roundSummary(r, locale)),
    };
  }

  async round(id: string, locale: SupportedLocale, viewer: UserActor) {
    const round = await this.rounds.get(id);
    const [apps, ranking] = await Promise.all([
      this.applications.list({ roundId: id }),
      this.rounds.ranking(id),
    ]);
    const next = NEXT_ACTION[round.status];
    return {
      title: localName(locale, round.nameZh, round.nameEn),
      round: this.roundSummary(round, locale),
      tiers: round.tiers.map((t) => ({ ...t, name: localName(locale, t.nameZh, t.nameEn) })),
      rubric: round.rubric.map((c) => ({ ...c, name: localName(locale, c.nameZh, c.nameEn) })),
      canEdit: isOfficer(viewer) && round.status === 'DRAFT',
      next:
        isOfficer(viewer) && next
          ? { action: next, label: translate(locale, `grants.rounds.action.${next}`) }
          : null,
      early: round.status === 'OPEN' && new Date() < round.applicationsCloseAt,
      ranking: ranking.map((r) => ({
        ...r,
        community: localName(locale, r.community.nameZh, r.community.nameEn),
        statusText: statusText(locale, 'application', r.status),
      })),
      applications: apps.map((a) => this.appSummary(a, locale)),
    };
  }

  async application(id: string, locale: SupportedLocale, viewer: UserActor) {
    const app = await this.applications.read(id);
    const officer = isOfficer(viewer);
    const staff = officer || viewer.roles.includes('FINANCE');
    const reviewed = staff || (await this.reviews.reviewerIdsOf(id)).includes(viewer.userId);
    const reviews = reviewed ? await this.reviews.ofApplication(id) : [];
    const reviewers = officer
      ? (await this.users.list({ limit: 200 })).items
          .filter((u) => u.roles.includes('REVIEWER') && u.status === 'ACTIVE')
          .filter((u) => !reviews.some((r) => r.reviewerId === u.id))
          .map((u) => ({ value: u.id, label: `${u.name} · ${u.email}` }))
      : [];
    const open = app.status === 'SUBMITTED' || app.status === 'UNDER_REVIEW';
    const round = await this.rounds.get(app.roundId);
    const criterion = new Map(
      round.rubric.map((c) => [c.key, localName(locale, c.nameZh, c.nameEn)]),
    );
    const award =
      app.status === 'AWARDED'
        ? (await this.awards.list({ roundId: app.roundId, status: 'APPROVED' })).find(
            (a) => a.applicationId === app.id,
          )
        : undefined;
    return {
      title: app.title,
      app: this.appSummary(app, locale),
      roundUrl: staff ? `/admin/grants/rounds/${app.roundId}` : null,
      awardUrl: award ? `/admin/grants/awards/${award.id}` : null,
      summary: app.summary,
      budgetLines: app.budgetLines,
      currency: app.round.currency,
      reviews: reviews.map((r) => ({
        ...r,
        statusText: statusText(locale, 'review', r.status),
        submittedAtText: when(r.submittedAt, locale),
        scoreList: r.scores
          ? Object.entries(r.scores).map(([key, value]) => ({
              key,
              name: criterion.get(key) ?? key,
              value,
            }))
          : [],
      })),
      canAssign: officer && open,
      canDecide: officer && open,
      reviewers,
    };
  }

  async myReviews(locale: SupportedLocale) {
    const items = await this.reviews.mine();
    return {
      title: translate(locale, 'grants.rounds.myReviews'),
      reviews: items.map((r) => ({
        id: r.id,
        title: r.application.title,
        round: localName(locale, r.round.nameZh, r.round.nameEn),
        status: r.status,
        statusText: statusText(locale, 'review', r.status),
        dueAt: when(r.dueAt, locale),
        weightedScore: r.weightedScore,
        open: r.status === 'ASSIGNED',
      })),
    };
  }

  async review(id: string, locale: SupportedLocale) {
    const review = await this.reviews.read(id);
    const round = await this.rounds.get(review.application.roundId);
    return {
      title: review.application.title,
      review: {
        ...review,
        statusText: statusText(locale, 'review', review.status),
        dueAtText: when(review.dueAt, locale),
      },
      open: review.status === 'ASSIGNED',
      criteria: round.rubric.map((c) => ({
        ...c,
        name: localName(locale, c.nameZh, c.nameEn),
        value: review.scores?.[c.key] ?? '',
      })),
    };
  }

  async myApplications(locale: SupportedLocale, viewer: UserActor) {
    const [apps, open, communities, awards] = await Promise.all([
      this.applications.list({ mine: true }),
      this.rounds.list({ status: 'OPEN' }),
      this.foundation.findCommunities(viewer.communityIds),
      this.awards.list({ status: 'APPROVED' }),
    ]);
    const awardOf = new Map(awards.map((a) => [a.applicationId, a.id]));
    const now = new Date();
    return {
      title: translate(locale, 'grants.rounds.myApplications'),
      applications: apps.map((a) => ({
        ...this.appSummary(a, locale),
        awardId: a.status === 'AWARDED' ? (awardOf.get(a.id) ?? null) : null,
      })),
      rounds: open
        .filter((r) => r.applicationsOpenAt <= now && now < r.applicationsCloseAt)
        .map((r) => ({
          value: r.id,
          label: `${localName(locale, r.nameZh, r.nameEn)} · ${when(r.applicationsCloseAt, locale)}`,
        })),
      communities: communities.map((c) => ({
        value: c.id,
        label: localName(locale, c.nameZh, c.nameEn),
      })),
    };
  }

  private roundSummary(r: GrantRound, locale: SupportedLocale) {
    return {
      id: r.id,
      name: localName(locale, r.nameZh, r.nameEn),
      year: r.year,
      status: r.status,
      statusText: statusText(locale, 'round', r.status),
      budgetMinor: r.budgetMinor,
      currency: r.currency,
      opensAt: when(r.applicationsOpenAt, locale),
      closesAt: when(r.applicationsCloseAt, locale),
      reviewClosesAt: when(r.reviewCloseAt, locale),
    };
  }

  private appSummary(a: ApplicationListItem, locale: SupportedLocale) {
    return {
      id: a.id,
      title: a.title,
      community: localName(locale, a.community.nameZh, a.community.nameEn),
      applicant: a.applicant.name,
      round: localName(locale, a.round.nameZh, a.round.nameEn),
      status: a.status,
      statusText: statusText(locale, 'application', a.status),
      budgetTotalMinor: a.budgetTotalMinor,
      currency: a.round.currency,
      submittedAt: when(a.submittedAt, locale),
      decisionDueAt: when(a.decisionDueAt, locale),
      isDraft: a.status === 'DRAFT',
    };
  }
}
