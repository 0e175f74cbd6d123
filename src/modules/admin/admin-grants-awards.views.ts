import { Injectable } from '@nestjs/common';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { say, translate, type SupportedLocale } from '../../common/i18n/i18n';
import { GrantAttachmentsService } from '../grants/attachments/attachments.service';
import {
  checkAwardApproval,
  isPayoutBlocked,
  isTrancheUnlocked,
  REPORT_KINDS,
  reportAllowed,
} from '../grants/awards/award-rules';
import type { AwardListItem } from '../grants/awards/awards.repository';
import { type AwardDetail, AwardsService } from '../grants/awards/awards.service';
import { TranchesService } from '../grants/awards/tranches.service';
import { isGranteeSide } from '../grants/grant-actor';
import type { UserActor } from './admin-page';
import { type FormState, localName } from './admin-view-helpers';
import { statusText } from '../../common/i18n/status-words';

const STAFF = ['ADMIN', 'GRANTS_OFFICER', 'FINANCE'] as const;
const has = (viewer: UserActor, roles: readonly string[]) =>
  viewer.roles.some((r) => roles.includes(r));

/** View models of the awards pages: proposals to decide, one project, FINANCE's payment queue. */
@Injectable()
export class AdminGrantsAwardsViews {
  constructor(
    private readonly awards: AwardsService,
    private readonly tranches: TranchesService,
    private readonly attachments: GrantAttachmentsService,
  ) {}

  private row(a: AwardListItem, locale: SupportedLocale) {
    const tier = (a.round.tiers ?? []).find((t) => t.key === a.tierKey);
    return {
      id: a.id,
      roundId: a.roundId,
      applicationId: a.applicationId,
      fundId: a.round.sourceFundId,
      public: a.status === 'APPROVED',
      title: a.application.title,
      community: localName(locale, a.application.communityNameZh, a.application.communityNameEn),
      round: `${a.round.year} · ${localName(locale, a.round.nameZh, a.round.nameEn)}`,
      tierKey: a.tierKey,
      tier: localName(locale, tier?.nameZh ?? a.tierKey, tier?.nameEn ?? a.tierKey),
      designAwardMinor: a.designAwardMinor,
      constructionMinor: a.constructionMinor,
      currency: a.currency,
      statusText: statusText(locale, 'award', a.status),
      projectStatusText: statusText(locale, 'project', a.projectStatus),
      dueAt: beijingDateTime(a.decisionDueAt, locale),
      needsSecond: a.needsSecondApproval,
      firstApproved: a.firstApprovedBy !== null,
    };
  }

  async list(locale: SupportedLocale, viewer: UserActor) {
    const all = await this.awards.list();
    const proposals = all
      .filter((a) => a.status === 'PROPOSED')
      .map((a) => {
        const verdict = checkAwardApproval(a, viewer, {
          applicantId: a.application.applicantId,
          reviewerIds: [],
        });
        return {
          ...this.row(a, locale),
          canApprove: verdict.allowed,
          whyNot: verdict.allowed ? '' : say(locale, verdict.words),
        };
      });
    return {
      title: translate(locale, 'grants.awards.title'),
      proposals,
      decided: all.filter((a) => a.status !== 'PROPOSED').map((a) => this.row(a, locale)),
      canSeeQueue: has(viewer, ['ADMIN', 'FINANCE']),
    };
  }

  async detail(
    locale: SupportedLocale,
    viewer: UserActor,
    id: string,
    inspection: FormState = { values: {}, errors: {} },
    report: FormState = { values: {}, errors: {} },
  ) {
    const award: AwardDetail = await this.awards.getForActor(id);
    const officer = has(viewer, ['ADMIN', 'GRANTS_OFFICER']);
    const finance = has(viewer, ['FINANCE']);
    const grantee = isGranteeSide(viewer, award.application);
    const photos = await Promise.all(
      award.reports.map((r) => this.attachments.list({ ownerType: 'REPORT', ownerId: r.id })),
    );
    const kinds = REPORT_KINDS.filter((k) => reportAllowed(k, award.projectStatus));
    const accepted = (kind: string) =>
      award.reports.some((r) => r.kind === kind && r.status === 'ACCEPTED');
    const facts = {
      awardStatus: award.status,
      projectStatus: award.projectStatus,
      startAccepted: accepted('START'),
      midtermAccepted: accepted('MIDTERM'),
    };
    // Offered only when TranchesService.request would accept it.
    const requestable = (unlock: (typeof award.tranches)[number]['unlock']) =>
      !isPayoutBlocked(award.projectStatus) && isTrancheUnlocked(unlock, facts);
    return {
      grantee,
      canReport: grantee && award.status === 'APPROVED' && kinds.length > 0,
      report,
      reportKinds: kinds.map((k) => ({
        value: k,
        label: translate(locale, `grants.awards.reportKind.${k}`),
        selected: report.values.kind === k,
      })),
      title: award.application.title,
      award: this.row(award, locale),
      staff: has(viewer, STAFF),
      canSeeApplication: has(viewer, STAFF) || viewer.userId === award.application.applicantId,
      tranches: award.tranches.map((x) => ({
        ...x,
        currency: award.currency,
        statusText: statusText(locale, 'tranche', x.status),
        unlockText: translate(locale, `grants.awards.unlockName.${x.unlock}`),
        canRequest:
          x.status === 'SCHEDULED' &&
          (officer || viewer.userId === award.application.applicantId) &&
          requestable(x.unlock),
        canPay: x.status === 'REQUESTED' && finance && x.requestedBy !== viewer.userId,
        canReject: x.status === 'REQUESTED' && finance,
        paidAt: x.status === 'PAID' && x.decidedAt ? beijingDateTime(x.decidedAt, locale) : '',
      })),
      reports: award.reports.map((r, i) => ({
        ...r,
        photos: (photos[i] ?? []).map((p) => ({ fileName: p.fileName, pageUrl: p.pageUrl })),
        kindText: translate(locale, `grants.awards.reportKind.${r.kind}`),
        statusText: statusText(locale, 'report', r.status),
        submittedAtText: beijingDateTime(r.submittedAt, locale),
        canDecide: r.status === 'SUBMITTED' && officer && r.submittedBy !== viewer.userId,
      })),
      inspections: award.inspections.map((i) => ({
        ...i,
        resultText: translate(locale, `grants.awards.inspectionResult.${i.result}`),
      })),
      evaluations: award.evaluations.map((e) => ({
        ...e,
        statusText: statusText(locale, 'evaluation', e.status),
        countText:
          e.resultResponses !== null
            ? translate(locale, 'grants.awards.evaluationCount', {
                satisfied: e.resultSatisfied ?? 0,
                responses: e.resultResponses,
              })
            : '',
      })),
      canInspect: officer && award.status === 'APPROVED',
      inspection,
      resultOptions: (['PASSED', 'FAILED'] as const).map((v) => ({
        value: v,
        label: translate(locale, `grants.awards.inspectionResult.${v}`),
        selected: inspection.values.result === v,
      })),
    };
  }

  async queue(locale: SupportedLocale, viewer: UserActor) {
    const items = await this.tranches.queue();
    return {
      title: translate(locale, 'grants.awards.tranchesTitle'),
      items: items.map((x) => ({
        ...x,
        community: localName(locale, x.communityNameZh, x.communityNameEn),
        requestedAtText: x.requestedAt ? beijingDateTime(x.requestedAt, locale) : '',
        dueAtText: x.paymentDueAt ? beijingDateTime(x.paymentDueAt, locale) : '',
        blocked: x.projectStatus === 'RECTIFICATION_REQUIRED',
        canPay: has(viewer, ['FINANCE']) && x.requestedBy !== viewer.userId,
      })),
    };
  }
}
