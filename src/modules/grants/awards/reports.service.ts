import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ForbiddenError } from '../../../common/errors';
import { type TransactionOptions, TransactionService } from '../../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import {
  AwardNotApprovedError,
  GrantNotFoundError,
  ReportNotAllowedError,
  ReportNotSubmittedError,
  ReportPendingError,
  ReportSelfDecisionError,
} from '../grants.errors';
import { AwardEmails } from './award-emails';
import {
  dueAfter,
  GRANT_OFFICER_ROLES,
  type ProjectStatus,
  projectStatusAfterInspection,
  projectStatusAfterReport,
  reportAllowed,
  reportAllowedStatuses,
} from './award-rules';
import { type Award, AwardsRepository, type Inspection, type Report } from './awards.repository';
import type { RecordGrantInspectionDto, SubmitGrantReportDto } from './dto/awards.dto';
import { currentPerson, holds, isGranteeSide } from '../grant-actor';
import { words } from '../../../common/i18n/i18n';

/**
 * Grantee reports (START, MIDTERM, COMPLETION, RECTIFICATION) and acceptance inspections (验收).
 * The grantee side submits a report; an officer other than the submitter accepts or returns it.
 * Accepting START starts the project; an accepted COMPLETION report and a PASSED latest
 * inspection (in either order) complete it. Photos are attachments with owner_type REPORT.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AwardsRepository,
    private readonly audit: AuditService,
    private readonly emails: AwardEmails,
  ) {}

  /** With `opts.within`, in the caller's transaction (e.g. the report and its photos together). */
  submit(
    awardId: string,
    dto: SubmitGrantReportDto,
    opts: TransactionOptions = {},
  ): Promise<Report> {
    const actor = currentPerson();
    return this.tx.run(async (m) => {
      const award = await this.repo.lockAward(m, awardId);
      if (!award) throw new GrantNotFoundError('award', awardId);
      const application = (await this.repo.application(award.applicationId, { within: m }))!;
      if (!isGranteeSide(actor, application)) {
        throw new ForbiddenError(words('errors.grants.forbidden.submitReport'));
      }
      if (award.status !== 'APPROVED') throw new AwardNotApprovedError(award.status);
      if (!reportAllowed(dto.kind, award.projectStatus)) {
        throw new ReportNotAllowedError(
          dto.kind,
          award.projectStatus,
          reportAllowedStatuses(dto.kind),
        );
      }
      if (await this.repo.hasReport(m, award.id, dto.kind, 'SUBMITTED'))
        throw new ReportPendingError(dto.kind);
      const round = (await this.repo.round(award.roundId, { within: m }))!;
      const report = await this.repo.insertReport(m, {
        awardId: award.id,
        kind: dto.kind,
        body: dto.body,
        publicSummary: dto.publicSummary ?? '',
        submittedBy: actor.userId,
        decisionDueAt: dueAfter(new Date(), round.targetDays.report),
      });
      await this.audit.record(m, {
        action: 'grant.report.submitted',
        entityType: 'grant_report',
        entityId: report.id,
        after: { awardId: award.id, kind: report.kind, status: 'SUBMITTED' },
      });
      return report;
    }, opts);
  }

  accept(id: string, note = ''): Promise<Report> {
    return this.decide(id, 'ACCEPTED', note);
  }

  return(id: string, note = ''): Promise<Report> {
    return this.decide(id, 'RETURNED', note);
  }

  private decide(id: string, decision: 'ACCEPTED' | 'RETURNED', note: string): Promise<Report> {
    const actor = currentPerson();
    if (!holds(actor, GRANT_OFFICER_ROLES))
      throw new ForbiddenError(words('errors.grants.forbidden.decideReport'));
    return this.tx.run(async (m) => {
      const unlocked = await this.repo.report(id, { within: m });
      if (!unlocked) throw new GrantNotFoundError('report', id);
      const award = (await this.repo.lockAward(m, unlocked.awardId))!;
      const report = (await this.repo.lockReport(m, id))!;
      if (report.status !== 'SUBMITTED') throw new ReportNotSubmittedError(report.status);
      if (report.submittedBy === actor.userId) throw new ReportSelfDecisionError();
      await this.repo.decideReport(m, report.id, decision, actor.userId, note);
      await this.audit.record(m, {
        action: decision === 'ACCEPTED' ? 'grant.report.accepted' : 'grant.report.returned',
        entityType: 'grant_report',
        entityId: report.id,
        before: { status: report.status },
        after: { status: decision, note, kind: report.kind },
      });
      if (decision === 'ACCEPTED') {
        const next = projectStatusAfterReport(
          award.projectStatus,
          report.kind,
          await this.repo.latestInspection(m, award.id),
        );
        if (next) await this.moveProject(m, award, next);
      }
      const application = (await this.repo.application(award.applicationId, { within: m }))!;
      const submitter = await this.repo.user(m, report.submittedBy);
      if (submitter) {
        await this.emails.reportDecided(
          m,
          submitter,
          { awardId: award.id, title: application.title, currency: award.currency },
          report,
          decision,
          note,
        );
      }
      return (await this.repo.report(report.id, { within: m }))!;
    });
  }

  /** Records an acceptance inspection (验收); a PASSED one after an accepted COMPLETION report completes the project. */
  recordInspection(awardId: string, dto: RecordGrantInspectionDto): Promise<Inspection> {
    const actor = currentPerson();
    if (!holds(actor, GRANT_OFFICER_ROLES))
      throw new ForbiddenError(words('errors.grants.forbidden.inspections'));
    return this.tx.run(async (m) => {
      const award = await this.repo.lockAward(m, awardId);
      if (!award) throw new GrantNotFoundError('award', awardId);
      if (award.status !== 'APPROVED') throw new AwardNotApprovedError(award.status);
      const inspection = await this.repo.insertInspection(m, {
        awardId: award.id,
        inspectingBody: dto.inspectingBody,
        result: dto.result,
        notes: dto.notes ?? '',
        inspectedOn: dto.inspectedOn,
        recordedBy: actor.userId,
      });
      await this.audit.record(m, {
        action: 'grant.inspection.recorded',
        entityType: 'grant_inspection',
        entityId: inspection.id,
        after: {
          awardId: award.id,
          inspectingBody: inspection.inspectingBody,
          result: inspection.result,
          inspectedOn: inspection.inspectedOn,
        },
      });
      const latest = await this.repo.latestInspection(m, award.id);
      const next =
        latest === 'PASSED'
          ? projectStatusAfterInspection(
              award.projectStatus,
              'PASSED',
              await this.repo.hasReport(m, award.id, 'COMPLETION', 'ACCEPTED'),
            )
          : null;
      if (next) await this.moveProject(m, award, next);
      return inspection;
    });
  }

  /**
   * Whether a RECTIFICATION report of the award was accepted after `since` (the failed
   * evaluation's close): a new evaluation may open only then. Runs in the caller's transaction.
   */
  acceptedRectificationAfter(m: EntityManager, awardId: string, since: Date): Promise<boolean> {
    return this.repo.hasReport(m, awardId, 'RECTIFICATION', 'ACCEPTED', since);
  }

  private async moveProject(m: EntityManager, award: Award, to: ProjectStatus): Promise<void> {
    const moved = await this.repo.setProjectStatus(m, award.id, [award.projectStatus], to);
    if (!moved) return;
    await this.audit.record(m, {
      action: 'grant.award.project_status',
      entityType: 'grant_award',
      entityId: award.id,
      before: { projectStatus: award.projectStatus },
      after: { projectStatus: to },
    });
  }
}
