import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../../../common/auth/roles';
import { col, defineTable } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import {
  type AwardStatus,
  type InspectionResult,
  parseTargetDays,
  parseTiers,
  parseTrancheSchedule,
  type ProjectStatus,
  type ReportKind,
  type ReportStatus,
  type TargetDays,
  type Tier,
  type TrancheStatus,
  type TrancheStep,
  type TrancheUnlock,
} from './award-rules';

export const GRANT_AWARDS = defineTable('grant_awards', {
  id: col.uuid('id'),
  roundId: col.uuid('round_id'),
  applicationId: col.uuid('application_id'),
  tierKey: col.text('tier_key'),
  designAwardMinor: col.bigint('design_award_minor'),
  constructionMinor: col.bigint('construction_minor'),
  currency: col.char('currency'),
  status: col.text<AwardStatus>('status'),
  needsSecondApproval: col.bool('needs_second_approval'),
  proposedBy: col.uuid('proposed_by'),
  proposedAt: col.timestamptz('proposed_at'),
  decisionDueAt: col.timestamptz('decision_due_at'),
  firstApprovedBy: col.uuid.nullable('first_approved_by'),
  firstApprovedAt: col.timestamptz.nullable('first_approved_at'),
  secondApprovedBy: col.uuid.nullable('second_approved_by'),
  secondApprovedAt: col.timestamptz.nullable('second_approved_at'),
  rejectedBy: col.uuid.nullable('rejected_by'),
  rejectedAt: col.timestamptz.nullable('rejected_at'),
  decisionNote: col.text('decision_note'),
  designEntryId: col.uuid.nullable('design_entry_id'),
  projectStatus: col.text<ProjectStatus>('project_status'),
  projectStatusAt: col.timestamptz('project_status_at'),
});

export const GRANT_TRANCHES = defineTable('grant_tranches', {
  id: col.uuid('id'),
  awardId: col.uuid('award_id'),
  seq: col.int('seq'),
  key: col.text('key'),
  percent: col.int('percent'),
  unlock: col.text<TrancheUnlock>('unlock'),
  amountMinor: col.bigint('amount_minor'),
  status: col.text<TrancheStatus>('status'),
  requestedBy: col.uuid.nullable('requested_by'),
  requestedAt: col.timestamptz.nullable('requested_at'),
  paymentDueAt: col.timestamptz.nullable('payment_due_at'),
  decidedBy: col.uuid.nullable('decided_by'),
  decidedAt: col.timestamptz.nullable('decided_at'),
  decisionNote: col.text('decision_note'),
  entryId: col.uuid.nullable('entry_id'),
});

export const GRANT_REPORTS = defineTable('grant_reports', {
  id: col.uuid('id'),
  awardId: col.uuid('award_id'),
  kind: col.text<ReportKind>('kind'),
  body: col.text('body'),
  publicSummary: col.text('public_summary'),
  status: col.text<ReportStatus>('status'),
  submittedBy: col.uuid('submitted_by'),
  submittedAt: col.timestamptz('submitted_at'),
  decisionDueAt: col.timestamptz('decision_due_at'),
  decidedBy: col.uuid.nullable('decided_by'),
  decidedAt: col.timestamptz.nullable('decided_at'),
  decisionNote: col.text('decision_note'),
});

/** inspected_on (a date) is selected beside the map as `YYYY-MM-DD` text. */
export const GRANT_INSPECTIONS = defineTable('grant_inspections', {
  id: col.uuid('id'),
  awardId: col.uuid('award_id'),
  inspectingBody: col.text('inspecting_body'),
  result: col.text<InspectionResult>('result'),
  notes: col.text('notes'),
  recordedBy: col.uuid('recorded_by'),
  recordedAt: col.timestamptz('recorded_at'),
});

/** What awards read of a round (the rounds part owns the table; this is read-only). */
const ROUND_VIEW = defineTable('grant_rounds', {
  id: col.uuid('id'),
  nameZh: col.text('name_zh'),
  nameEn: col.text('name_en'),
  year: col.int('year'),
  sourceFundId: col.uuid('source_fund_id'),
  currency: col.char('currency'),
  status: col.text('status'),
  tiers: col.jsonb('tiers'),
  constructionBudgetMinor: col.bigint('construction_budget_minor'),
  secondApprovalAboveMinor: col.bigint('second_approval_above_minor'),
  trancheSchedule: col.jsonb('tranche_schedule'),
  targetDays: col.jsonb('target_days'),
  budgetMinor: col.bigint('budget_minor'),
});

/** What awards read of an application (the rounds part owns the table; awards only sets AWARDED). */
const APPLICATION_VIEW = defineTable('grant_applications', {
  id: col.uuid('id'),
  roundId: col.uuid('round_id'),
  communityId: col.uuid('community_id'),
  applicantId: col.uuid('applicant_id'),
  title: col.text('title'),
  summary: col.text('summary'),
  budgetTotalMinor: col.bigint('budget_total_minor'),
  status: col.text('status'),
});

export type Award = ReturnType<typeof GRANT_AWARDS.map>;
export type Tranche = ReturnType<typeof GRANT_TRANCHES.map>;
export type Report = ReturnType<typeof GRANT_REPORTS.map>;
export type Inspection = ReturnType<typeof GRANT_INSPECTIONS.map> & { inspectedOn: string };

export interface AwardRound {
  id: string;
  nameZh: string;
  nameEn: string;
  year: number;
  sourceFundId: string;
  currency: string;
  status: string;
  tiers: Tier[];
  constructionBudgetMinor: number;
  secondApprovalAboveMinor: number;
  trancheSchedule: TrancheStep[];
  targetDays: TargetDays;
  budgetMinor: number;
}

export type AwardApplication = ReturnType<typeof APPLICATION_VIEW.map>;

/** A person to write to: address, name and language. */
export interface Recipient {
  id: string;
  email: string;
  name: string;
  locale: 'zh-CN' | 'en';
}

/** An award with what a list shows beside it. */
export interface AwardListItem extends Award {
  application: {
    title: string;
    communityId: string;
    communityNameZh: string;
    communityNameEn: string;
    applicantId: string;
  };
  round: {
    nameZh: string;
    nameEn: string;
    year: number;
    sourceFundId: string;
    /** The round's tiers as stored (names for the award's tier key). */
    tiers: { key: string; nameZh?: string; nameEn?: string }[];
  };
}

export interface EvaluationSummary {
  id: string;
  seq: number;
  status: string;
  thresholdPct: number;
  minResponses: number;
  resultResponses: number | null;
  resultSatisfied: number | null;
  resultMeanScore: string | null;
  openedAt: Date;
  closesAt: Date;
  closedAt: Date | null;
}

/** A requested tranche with its project, for FINANCE's payment queue. */
export interface TrancheQueueItem extends Tranche {
  projectTitle: string;
  roundId: string;
  currency: string;
  projectStatus: ProjectStatus;
  communityNameZh: string;
  communityNameEn: string;
}

type Row = Record<string, unknown>;

const AWARD_COLUMNS = GRANT_AWARDS.select('a');
const TRANCHE_COLUMNS = GRANT_TRANCHES.select('t');
const REPORT_COLUMNS = GRANT_REPORTS.select('r');
const INSPECTION_COLUMNS = `${GRANT_INSPECTIONS.select('i')}, to_char(i.inspected_on, 'YYYY-MM-DD') AS "inspectedOn"`;

const LIST_COLUMNS = `${AWARD_COLUMNS},
  json_build_object('title', ap.title, 'communityId', ap.community_id, 'communityNameZh', c.name_zh,
    'communityNameEn', c.name_en, 'applicantId', ap.applicant_id) AS application,
  json_build_object('nameZh', gr.name_zh, 'nameEn', gr.name_en, 'year', gr.year,
    'sourceFundId', gr.source_fund_id, 'tiers', gr.tiers) AS round`;
const LIST_FROM = `grant_awards a
  JOIN grant_applications ap ON ap.id = a.application_id
  JOIN communities c ON c.id = ap.community_id
  JOIN grant_rounds gr ON gr.id = a.round_id`;

function toListItem(row: Row): AwardListItem {
  return {
    ...GRANT_AWARDS.map(row),
    application: row.application as AwardListItem['application'],
    round: row.round as AwardListItem['round'],
  };
}

function toInspection(row: Row): Inspection {
  return { ...GRANT_INSPECTIONS.map(row), inspectedOn: String(row.inspectedOn) };
}

/**
 * The only place that queries grant_awards, grant_tranches, grant_reports and grant_inspections;
 * it also reads (never writes, except an application's AWARDED) the rounds part's tables.
 */
@Injectable()
export class AwardsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private q(opts: TransactionOptions) {
    return opts.within ?? this.dataSource.manager;
  }

  // ---- rounds, applications, reviews (read-only) ----------------------------------------------

  private toRound(row: Row): AwardRound {
    const r = ROUND_VIEW.map(row);
    return {
      ...r,
      tiers: parseTiers(r.tiers),
      trancheSchedule: parseTrancheSchedule(r.trancheSchedule),
      targetDays: parseTargetDays(r.targetDays),
    };
  }

  async round(id: string, opts: TransactionOptions = {}): Promise<AwardRound | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${ROUND_VIEW.select('gr')} FROM grant_rounds gr WHERE gr.id = $1`,
      [id],
    );
    return rows[0] ? this.toRound(rows[0]) : null;
  }

  /** Locks the round so proposals and decisions in it happen one after the other. */
  async lockRound(manager: EntityManager, id: string): Promise<AwardRound | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${ROUND_VIEW.select('gr')} FROM grant_rounds gr WHERE gr.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? this.toRound(rows[0]) : null;
  }

  async application(id: string, opts: TransactionOptions = {}): Promise<AwardApplication | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${APPLICATION_VIEW.select('ap')} FROM grant_applications ap WHERE ap.id = $1`,
      [id],
    );
    return rows[0] ? APPLICATION_VIEW.map(rows[0]) : null;
  }

  async lockApplication(manager: EntityManager, id: string): Promise<AwardApplication | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${APPLICATION_VIEW.select('ap')} FROM grant_applications ap WHERE ap.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? APPLICATION_VIEW.map(rows[0]) : null;
  }

  /** SHORTLISTED → AWARDED (the one write awards makes to an application). */
  async markApplicationAwarded(manager: EntityManager, id: string): Promise<boolean> {
    const [rows] = await manager.query<[Row[], number]>(
      `UPDATE grant_applications SET status = 'AWARDED', decided_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'SHORTLISTED' RETURNING id`,
      [id],
    );
    return rows.length === 1;
  }

  /** Everyone assigned to review the application, whatever their assignment's status. */
  async reviewerIds(applicationId: string, opts: TransactionOptions = {}): Promise<string[]> {
    const rows: { reviewerId: string }[] = await this.q(opts).query(
      `SELECT reviewer_id AS "reviewerId" FROM grant_review_assignments WHERE application_id = $1`,
      [applicationId],
    );
    return rows.map((r) => r.reviewerId);
  }

  // ---- awards ------------------------------------------------------------------------------------

  async insertAward(
    manager: EntityManager,
    award: Pick<
      Award,
      | 'roundId'
      | 'applicationId'
      | 'tierKey'
      | 'designAwardMinor'
      | 'constructionMinor'
      | 'currency'
      | 'needsSecondApproval'
      | 'proposedBy'
      | 'decisionDueAt'
    >,
  ): Promise<Award> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_awards AS a (round_id, application_id, tier_key, design_award_minor,
         construction_minor, currency, needs_second_approval, proposed_by, decision_due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${AWARD_COLUMNS}`,
      [
        award.roundId,
        award.applicationId,
        award.tierKey,
        award.designAwardMinor,
        award.constructionMinor,
        award.currency,
        award.needsSecondApproval,
        award.proposedBy,
        award.decisionDueAt,
      ],
    );
    return GRANT_AWARDS.map(rows[0]!);
  }

  async award(id: string, opts: TransactionOptions = {}): Promise<Award | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${AWARD_COLUMNS} FROM grant_awards a WHERE a.id = $1`,
      [id],
    );
    return rows[0] ? GRANT_AWARDS.map(rows[0]) : null;
  }

  async awardForApplication(
    applicationId: string,
    opts: TransactionOptions = {},
  ): Promise<Award | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${AWARD_COLUMNS} FROM grant_awards a WHERE a.application_id = $1 AND a.status <> 'REJECTED'`,
      [applicationId],
    );
    return rows[0] ? GRANT_AWARDS.map(rows[0]) : null;
  }

  async lockAward(manager: EntityManager, id: string): Promise<Award | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${AWARD_COLUMNS} FROM grant_awards a WHERE a.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? GRANT_AWARDS.map(rows[0]) : null;
  }

  async awardListItem(id: string, opts: TransactionOptions = {}): Promise<AwardListItem | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE a.id = $1`,
      [id],
    );
    return rows[0] ? toListItem(rows[0]) : null;
  }

  async listAwards(filter: {
    roundId?: string;
    status?: AwardStatus;
    applicantId?: string;
    communityIds?: readonly string[];
    limit: number;
  }): Promise<AwardListItem[]> {
    const params: unknown[] = [filter.limit];
    const where: string[] = [];
    if (filter.roundId) {
      params.push(filter.roundId);
      where.push(`a.round_id = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`a.status = $${params.length}`);
    }
    if (filter.applicantId || filter.communityIds) {
      params.push(filter.applicantId ?? null, filter.communityIds ?? []);
      where.push(
        `(ap.applicant_id = $${params.length - 1} OR ap.community_id = ANY($${params.length}::uuid[]))`,
      );
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY a.status = 'PROPOSED' DESC, a.proposed_at DESC, a.id LIMIT $1`,
      params,
    );
    return rows.map(toListItem);
  }

  /** PROPOSED + APPROVED awards in a tier of the round. */
  async takenInTier(manager: EntityManager, roundId: string, tierKey: string): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM grant_awards
       WHERE round_id = $1 AND tier_key = $2 AND status IN ('PROPOSED', 'APPROVED')`,
      [roundId, tierKey],
    );
    return rows[0]!.n;
  }

  /** Σ construction and Σ design + construction of the round's awards, by status. */
  async roundCommitments(
    manager: EntityManager,
    roundId: string,
  ): Promise<{
    proposedCount: number;
    constructionMinor: number;
    committedMinor: number;
    approvedMinor: number;
  }> {
    const rows: Row[] = await manager.query(
      `SELECT count(*) FILTER (WHERE status = 'PROPOSED')::int AS "proposedCount",
         COALESCE(sum(construction_minor) FILTER (WHERE status <> 'REJECTED'), 0)::bigint AS "constructionMinor",
         COALESCE(sum(design_award_minor + construction_minor) FILTER (WHERE status <> 'REJECTED'), 0)::bigint AS "committedMinor",
         COALESCE(sum(design_award_minor + construction_minor) FILTER (WHERE status = 'APPROVED'), 0)::bigint AS "approvedMinor"
       FROM grant_awards WHERE round_id = $1`,
      [roundId],
    );
    const r = rows[0]!;
    return {
      proposedCount: Number(r.proposedCount),
      constructionMinor: Number(r.constructionMinor),
      committedMinor: Number(r.committedMinor),
      approvedMinor: Number(r.approvedMinor),
    };
  }

  async recordFirstApproval(manager: EntityManager, id: string, userId: string): Promise<void> {
    await manager.query(
      `UPDATE grant_awards SET first_approved_by = $2, first_approved_at = now()
       WHERE id = $1 AND status = 'PROPOSED' AND first_approved_by IS NULL`,
      [id, userId],
    );
  }

  async approve(
    manager: EntityManager,
    id: string,
    step: 'FIRST' | 'SECOND',
    userId: string,
    designEntryId: string,
  ): Promise<void> {
    const who =
      step === 'FIRST'
        ? 'first_approved_by = $2, first_approved_at = now()'
        : 'second_approved_by = $2, second_approved_at = now()';
    await manager.query(
      `UPDATE grant_awards SET ${who}, status = 'APPROVED', design_entry_id = $3,
         project_status_at = now()
       WHERE id = $1 AND status = 'PROPOSED'`,
      [id, userId, designEntryId],
    );
  }

  async reject(manager: EntityManager, id: string, userId: string, note: string): Promise<void> {
    await manager.query(
      `UPDATE grant_awards SET status = 'REJECTED', rejected_by = $2, rejected_at = now(),
         decision_note = $3
       WHERE id = $1 AND status = 'PROPOSED'`,
      [id, userId, note],
    );
  }

  /** Guarded project status change: null when the current status is not in `from`. */
  async setProjectStatus(
    manager: EntityManager,
    id: string,
    from: readonly ProjectStatus[],
    to: ProjectStatus,
  ): Promise<Award | null> {
    // TypeORM answers UPDATE … RETURNING with [rows, affected count] on PostgreSQL.
    const [rows] = await manager.query<[Row[], number]>(
      `UPDATE grant_awards a SET project_status = $3, project_status_at = now()
       WHERE a.id = $1 AND a.project_status = ANY($2::text[])
       RETURNING ${AWARD_COLUMNS}`,
      [id, from, to],
    );
    return rows[0] ? GRANT_AWARDS.map(rows[0]) : null;
  }

  // ---- tranches ----------------------------------------------------------------------------------

  async insertTranches(
    manager: EntityManager,
    awardId: string,
    tranches: {
      seq: number;
      key: string;
      percent: number;
      unlock: TrancheUnlock;
      amountMinor: number;
    }[],
  ): Promise<void> {
    if (tranches.length === 0) return;
    await manager.query(
      `INSERT INTO grant_tranches (award_id, seq, key, percent, unlock, amount_minor)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::int[], $5::text[], $6::bigint[])`,
      [
        awardId,
        tranches.map((t) => t.seq),
        tranches.map((t) => t.key),
        tranches.map((t) => t.percent),
        tranches.map((t) => t.unlock),
        tranches.map((t) => t.amountMinor),
      ],
    );
  }

  async tranches(awardId: string, opts: TransactionOptions = {}): Promise<Tranche[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${TRANCHE_COLUMNS} FROM grant_tranches t WHERE t.award_id = $1 ORDER BY t.seq`,
      [awardId],
    );
    return rows.map((r) => GRANT_TRANCHES.map(r));
  }

  async tranche(id: string, opts: TransactionOptions = {}): Promise<Tranche | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${TRANCHE_COLUMNS} FROM grant_tranches t WHERE t.id = $1`,
      [id],
    );
    return rows[0] ? GRANT_TRANCHES.map(rows[0]) : null;
  }

  async lockTranche(manager: EntityManager, id: string): Promise<Tranche | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${TRANCHE_COLUMNS} FROM grant_tranches t WHERE t.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? GRANT_TRANCHES.map(rows[0]) : null;
  }

  async requestTranche(
    manager: EntityManager,
    id: string,
    userId: string,
    paymentDueAt: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE grant_tranches SET status = 'REQUESTED', requested_by = $2, requested_at = now(),
         payment_due_at = $3, decided_by = NULL, decided_at = NULL
       WHERE id = $1 AND status = 'SCHEDULED'`,
      [id, userId, paymentDueAt],
    );
  }

  async payTranche(manager: EntityManager, id: string, userId: string, entryId: string) {
    await manager.query(
      `UPDATE grant_tranches SET status = 'PAID', decided_by = $2, decided_at = now(), entry_id = $3
       WHERE id = $1 AND status = 'REQUESTED'`,
      [id, userId, entryId],
    );
  }

  async rejectTranche(manager: EntityManager, id: string, userId: string, note: string) {
    await manager.query(
      `UPDATE grant_tranches SET status = 'SCHEDULED', decided_by = $2, decided_at = now(),
         decision_note = $3, requested_by = NULL, requested_at = NULL, payment_due_at = NULL
       WHERE id = $1 AND status = 'REQUESTED'`,
      [id, userId, note],
    );
  }

  /** Tranches waiting for FINANCE, the oldest request first. */
  async requestedTranches(limit: number): Promise<TrancheQueueItem[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${TRANCHE_COLUMNS}, ap.title AS "projectTitle", a.round_id AS "roundId",
         a.currency AS "currency", a.project_status AS "projectStatus",
         c.name_zh AS "communityNameZh", c.name_en AS "communityNameEn"
       FROM grant_tranches t
       JOIN grant_awards a ON a.id = t.award_id
       JOIN grant_applications ap ON ap.id = a.application_id
       JOIN communities c ON c.id = ap.community_id
       WHERE t.status = 'REQUESTED' ORDER BY t.requested_at, t.id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      ...GRANT_TRANCHES.map(r),
      projectTitle: String(r.projectTitle),
      roundId: String(r.roundId),
      currency: String(r.currency).trim(),
      projectStatus: r.projectStatus as ProjectStatus,
      communityNameZh: String(r.communityNameZh),
      communityNameEn: String(r.communityNameEn),
    }));
  }

  // ---- reports and inspections ---------------------------------------------------------------

  async insertReport(
    manager: EntityManager,
    report: Pick<
      Report,
      'awardId' | 'kind' | 'body' | 'publicSummary' | 'submittedBy' | 'decisionDueAt'
    >,
  ): Promise<Report> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_reports AS r (award_id, kind, body, public_summary, submitted_by, decision_due_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${REPORT_COLUMNS}`,
      [
        report.awardId,
        report.kind,
        report.body,
        report.publicSummary,
        report.submittedBy,
        report.decisionDueAt,
      ],
    );
    return GRANT_REPORTS.map(rows[0]!);
  }

  async reports(awardId: string, opts: TransactionOptions = {}): Promise<Report[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${REPORT_COLUMNS} FROM grant_reports r WHERE r.award_id = $1
       ORDER BY r.submitted_at, r.id`,
      [awardId],
    );
    return rows.map((r) => GRANT_REPORTS.map(r));
  }

  async report(id: string, opts: TransactionOptions = {}): Promise<Report | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${REPORT_COLUMNS} FROM grant_reports r WHERE r.id = $1`,
      [id],
    );
    return rows[0] ? GRANT_REPORTS.map(rows[0]) : null;
  }

  async lockReport(manager: EntityManager, id: string): Promise<Report | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${REPORT_COLUMNS} FROM grant_reports r WHERE r.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? GRANT_REPORTS.map(rows[0]) : null;
  }

  async decideReport(
    manager: EntityManager,
    id: string,
    status: 'ACCEPTED' | 'RETURNED',
    userId: string,
    note: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE grant_reports SET status = $2, decided_by = $3, decided_at = now(), decision_note = $4
       WHERE id = $1 AND status = 'SUBMITTED'`,
      [id, status, userId, note],
    );
  }

  /** Whether the award has a report of `kind` in `status` (decided after `since`, if given). */
  async hasReport(
    manager: EntityManager | null,
    awardId: string,
    kind: ReportKind,
    status: ReportStatus,
    since?: Date,
  ): Promise<boolean> {
    const rows: Row[] = await (manager ?? this.dataSource.manager).query(
      `SELECT 1 FROM grant_reports
       WHERE award_id = $1 AND kind = $2 AND status = $3
         AND ($4::timestamptz IS NULL OR decided_at > $4)
       LIMIT 1`,
      [awardId, kind, status, since ?? null],
    );
    return rows.length > 0;
  }

  async insertInspection(
    manager: EntityManager,
    inspection: Pick<
      Inspection,
      'awardId' | 'inspectingBody' | 'result' | 'notes' | 'inspectedOn' | 'recordedBy'
    >,
  ): Promise<Inspection> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_inspections AS i (award_id, inspecting_body, result, notes, inspected_on, recorded_by)
       VALUES ($1, $2, $3, $4, $5::date, $6) RETURNING ${INSPECTION_COLUMNS}`,
      [
        inspection.awardId,
        inspection.inspectingBody,
        inspection.result,
        inspection.notes,
        inspection.inspectedOn,
        inspection.recordedBy,
      ],
    );
    return toInspection(rows[0]!);
  }

  async inspections(awardId: string, opts: TransactionOptions = {}): Promise<Inspection[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${INSPECTION_COLUMNS} FROM grant_inspections i WHERE i.award_id = $1
       ORDER BY i.inspected_on, i.recorded_at, i.id`,
      [awardId],
    );
    return rows.map(toInspection);
  }

  /** The most recent inspection's result (by date inspected, then recorded). */
  async latestInspection(
    manager: EntityManager,
    awardId: string,
  ): Promise<InspectionResult | null> {
    const rows: { result: InspectionResult }[] = await manager.query(
      `SELECT result FROM grant_inspections WHERE award_id = $1
       ORDER BY inspected_on DESC, recorded_at DESC, id DESC LIMIT 1`,
      [awardId],
    );
    return rows[0]?.result ?? null;
  }

  async evaluations(awardId: string, opts: TransactionOptions = {}): Promise<EvaluationSummary[]> {
    const rows: EvaluationSummary[] = await this.q(opts).query(
      `SELECT id, seq, status, threshold_pct AS "thresholdPct", min_responses AS "minResponses",
         result_responses AS "resultResponses", result_satisfied AS "resultSatisfied",
         result_mean_score::text AS "resultMeanScore", opened_at AS "openedAt",
         closes_at AS "closesAt", closed_at AS "closedAt"
       FROM grant_evaluations WHERE award_id = $1 ORDER BY seq`,
      [awardId],
    );
    return rows;
  }

  // ---- people to write to --------------------------------------------------------------------

  /** Active users holding any of `roles`, minus `except`. */
  async usersWithRoles(
    manager: EntityManager,
    roles: readonly Role[],
    except: readonly string[] = [],
  ): Promise<Recipient[]> {
    return manager.query(
      `SELECT u.id, u.email, u.name, u.locale FROM users u
       WHERE u.status = 'ACTIVE' AND NOT (u.id = ANY($2::uuid[]))
         AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role = ANY($1::text[]))
       ORDER BY u.email LIMIT 200`,
      [roles, except],
    );
  }

  async user(manager: EntityManager, id: string): Promise<Recipient | null> {
    const rows: Recipient[] = await manager.query(
      `SELECT u.id, u.email, u.name, u.locale FROM users u WHERE u.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}
