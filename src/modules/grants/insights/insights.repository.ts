import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Role } from '../../../common/auth/roles';
import { toSafeInteger } from '../../../common/money/minor-units.transformer';
import type { TransactionOptions } from '../../../database/transaction.service';
import { PAYOUT_KINDS, type FundYearFlows } from './fund-use';
import type { AwardCsvRow } from './insights-csv';
import type { OverdueItem, OverdueKind, Person } from './overdue';
import type { ProjectRecord, ProjectStatus } from './public-project';
import type { SpeedSample, SpeedStep } from './approval-speed';

type Row = Record<string, unknown>;

const int = (v: unknown): number => toSafeInteger(v as string | number) ?? 0;
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
/** A nullable uuid or text column (pg gives strings). */
const maybeText = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const maybeDate = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

export interface RoundFigures {
  id: string;
  nameZh: string;
  nameEn: string;
  year: number;
  status: string;
  currency: string;
  budgetMinor: number;
  applications: number;
  awarded: number;
  started: number;
  completed: number;
  inRectification: number;
  closed: number;
  awardedMinor: number;
  paidMinor: number;
}

export interface FundFlowRow extends FundYearFlows {
  fundId: string;
  code: string;
  nameZh: string;
  nameEn: string;
  kind: string;
  currency: string;
}

export interface ProjectListFilter {
  year?: number;
  subdistrictId?: string;
  communityId?: string;
  /** A fund's code: the projects it paid for. */
  fundCode?: string;
  status?: ProjectStatus;
  limit: number;
  offset: number;
}

export interface ProjectListRow {
  id: string;
  title: string;
  year: number;
  roundNameZh: string;
  roundNameEn: string;
  community: { id: string; nameZh: string; nameEn: string };
  subdistrict: { id: string; nameZh: string; nameEn: string };
  fund: { code: string; nameZh: string; nameEn: string };
  awardedMinor: number;
  currency: string;
  status: ProjectStatus;
}

/** Years in Beijing time: [start, end) of the calendar year as instants, computed in SQL. */
const YEAR_START = `make_timestamptz($1::int, 1, 1, 0, 0, 0, 'Asia/Shanghai')`;
const YEAR_END = `make_timestamptz($1::int + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')`;

/**
 * Read-only SQL over the grant tables, the ledger and people for the dashboard, the reminders and
 * the public project pages. The other grant parts own the writes; nothing here changes a row.
 */
@Injectable()
export class InsightsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private q(opts: TransactionOptions) {
    return opts.within ?? this.dataSource.manager;
  }

  /** Rounds of a year (or one round) with their project counts and money awarded and paid. */
  async roundFigures(
    filter: { year?: number; roundId?: string },
    opts: TransactionOptions = {},
  ): Promise<RoundFigures[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT r.id, r.name_zh, r.name_en, r.year, r.status, r.currency, r.budget_minor,
         (SELECT count(*) FROM grant_applications a WHERE a.round_id = r.id AND a.status <> 'DRAFT') AS applications,
         count(w.id) AS awarded,
         count(w.id) FILTER (WHERE w.project_status <> 'NOT_STARTED') AS started,
         count(w.id) FILTER (WHERE w.project_status IN ('COMPLETED', 'RECTIFICATION_REQUIRED', 'EVALUATED', 'CLOSED')) AS completed,
         count(w.id) FILTER (WHERE w.project_status = 'RECTIFICATION_REQUIRED') AS rectification,
         count(w.id) FILTER (WHERE w.project_status = 'CLOSED') AS closed,
         COALESCE(sum(w.design_award_minor + w.construction_minor), 0) AS awarded_minor,
         COALESCE(sum(w.design_award_minor) FILTER (WHERE w.design_entry_id IS NOT NULL), 0)
           + (SELECT COALESCE(sum(t.amount_minor), 0) FROM grant_tranches t
                JOIN grant_awards w2 ON w2.id = t.award_id
               WHERE w2.round_id = r.id AND t.status = 'PAID') AS paid_minor
       FROM grant_rounds r
       LEFT JOIN grant_awards w ON w.round_id = r.id AND w.status = 'APPROVED'
       WHERE ($1::int IS NULL OR r.year = $1) AND ($2::uuid IS NULL OR r.id = $2)
       GROUP BY r.id
       ORDER BY r.year DESC, r.created_at`,
      [filter.year ?? null, filter.roundId ?? null],
    );
    return rows.map((r) => ({
      id: String(r.id),
      nameZh: String(r.name_zh),
      nameEn: String(r.name_en),
      year: int(r.year),
      status: String(r.status),
      currency: String(r.currency).trim(),
      budgetMinor: int(r.budget_minor),
      applications: int(r.applications),
      awarded: int(r.awarded),
      started: int(r.started),
      completed: int(r.completed),
      inRectification: int(r.rectification),
      closed: int(r.closed),
      awardedMinor: int(r.awarded_minor),
      paidMinor: int(r.paid_minor),
    }));
  }

  /** Every round, newest year first (the dashboard's round filter). */
  async roundChoices(
    opts: TransactionOptions = {},
  ): Promise<{ id: string; nameZh: string; nameEn: string; year: number }[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT id, name_zh, name_en, year FROM grant_rounds ORDER BY year DESC, created_at DESC`,
    );
    return rows.map((r) => ({
      id: String(r.id),
      nameZh: String(r.name_zh),
      nameEn: String(r.name_en),
      year: int(r.year),
    }));
  }

  /** Finished decisions and payments of these rounds, for the speed figures. */
  async speedSamples(roundIds: string[], opts: TransactionOptions = {}): Promise<SpeedSample[]> {
    if (roundIds.length === 0) return [];
    const rows: Row[] = await this.q(opts).query(
      `SELECT a.round_id, 'decision' AS step, a.submitted_at AS started, a.decided_at AS ended
         FROM grant_applications a
        WHERE a.round_id = ANY($1) AND a.status IN ('SHORTLISTED', 'DECLINED', 'AWARDED')
          AND a.submitted_at IS NOT NULL AND a.decided_at IS NOT NULL
       UNION ALL
       SELECT w.round_id, 'payment', t.requested_at, t.decided_at
         FROM grant_tranches t JOIN grant_awards w ON w.id = t.award_id
        WHERE w.round_id = ANY($1) AND t.status = 'PAID'
          AND t.requested_at IS NOT NULL AND t.decided_at IS NOT NULL`,
      [roundIds],
    );
    return rows.map((r) => ({
      roundId: String(r.round_id),
      step: r.step as SpeedStep,
      startedAt: date(r.started),
      endedAt: date(r.ended),
    }));
  }

  /** Each fund's opening balance, money in and payouts in a Beijing calendar year (see fund-use.ts). */
  async fundFlows(year: number, opts: TransactionOptions = {}): Promise<FundFlowRow[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT f.id, f.code, f.name_zh, f.name_en, f.kind, f.currency,
         COALESCE(sum(p.amount_minor) FILTER (WHERE p.posted_at < ${YEAR_START}), 0) AS opening,
         COALESCE(sum(p.amount_minor) FILTER (
           WHERE p.posted_at >= ${YEAR_START} AND p.amount_minor > 0 AND NOT (j.kind = ANY($2))), 0) AS money_in,
         COALESCE(-sum(p.amount_minor) FILTER (
           WHERE p.posted_at >= ${YEAR_START} AND j.kind = ANY($2)), 0) AS paid_out
       FROM funds f
       LEFT JOIN postings p ON p.account_id = f.account_id AND p.posted_at < ${YEAR_END}
       LEFT JOIN journal_entries j ON j.id = p.entry_id
       GROUP BY f.id
       ORDER BY f.code`,
      [year, [...PAYOUT_KINDS]],
    );
    return rows.map((r) => ({
      fundId: String(r.id),
      code: String(r.code),
      nameZh: String(r.name_zh),
      nameEn: String(r.name_en),
      kind: String(r.kind),
      currency: String(r.currency).trim(),
      openingMinor: int(r.opening),
      moneyInMinor: int(r.money_in),
      paidOutMinor: int(r.paid_out),
    }));
  }

  /** Every overdue item at `now`, earliest due first (see overdue.ts for what counts). */
  async overdue(now: Date, opts: TransactionOptions = {}): Promise<OverdueItem[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT 'review' AS kind, r.id, a.title, NULL::int AS seq, r.due_at AS due, a.round_id,
              NULL::uuid AS fund_id, r.reviewer_id AS assignee, ARRAY[]::uuid[] AS excluded
         FROM grant_review_assignments r JOIN grant_applications a ON a.id = r.application_id
        WHERE r.status = 'ASSIGNED' AND r.due_at < $1
       UNION ALL
       SELECT 'application', a.id, a.title, NULL, a.decision_due_at, a.round_id, NULL, NULL,
              ARRAY[a.applicant_id]
         FROM grant_applications a
        WHERE a.status IN ('SUBMITTED', 'UNDER_REVIEW') AND a.decision_due_at < $1
       UNION ALL
       SELECT 'award', w.id, a.title, NULL, w.decision_due_at, w.round_id, NULL, NULL,
              array_remove(ARRAY[w.proposed_by, w.first_approved_by, a.applicant_id], NULL)
         FROM grant_awards w JOIN grant_applications a ON a.id = w.application_id
        WHERE w.status = 'PROPOSED' AND w.decision_due_at < $1
       UNION ALL
       SELECT 'tranche', t.id, a.title, t.seq, t.payment_due_at, w.round_id, NULL, NULL,
              array_remove(ARRAY[t.requested_by], NULL)
         FROM grant_tranches t JOIN grant_awards w ON w.id = t.award_id
         JOIN grant_applications a ON a.id = w.application_id
        WHERE t.status = 'REQUESTED' AND t.payment_due_at < $1
       UNION ALL
       SELECT 'report', p.id, a.title, NULL, p.decision_due_at, w.round_id, NULL, NULL,
              ARRAY[p.submitted_by]
         FROM grant_reports p JOIN grant_awards w ON w.id = p.award_id
         JOIN grant_applications a ON a.id = w.application_id
        WHERE p.status = 'SUBMITTED' AND p.decision_due_at < $1
       UNION ALL
       SELECT 'expense', e.id, e.purpose, NULL, e.payment_due_at, NULL, e.fund_id, NULL,
              ARRAY[e.requested_by]
         FROM fund_expenses e
        WHERE e.status = 'REQUESTED' AND e.payment_due_at < $1
       UNION ALL
       SELECT 'evaluation', v.id, a.title, v.seq, v.closes_at, w.round_id, NULL, NULL, ARRAY[]::uuid[]
         FROM grant_evaluations v JOIN grant_awards w ON w.id = v.award_id
         JOIN grant_applications a ON a.id = w.application_id
        WHERE v.status = 'OPEN' AND v.closes_at < $1
       ORDER BY due, kind, id`,
      [now],
    );
    return rows.map((r) => ({
      kind: r.kind as OverdueKind,
      id: String(r.id),
      title: String(r.title),
      seq: r.seq === null ? null : int(r.seq),
      dueAt: date(r.due),
      roundId: maybeText(r.round_id),
      fundId: maybeText(r.fund_id),
      assigneeId: maybeText(r.assignee),
      excludedUserIds: (r.excluded as string[] | null) ?? [],
    }));
  }

  /** Active people who may be reminded: holders of these roles, and these people by id. */
  async people(roles: Role[], ids: string[], opts: TransactionOptions = {}): Promise<Person[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT u.id, u.email, u.name, u.locale,
              COALESCE(array_agg(ur.role ORDER BY ur.role) FILTER (WHERE ur.role IS NOT NULL), '{}') AS roles
         FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id
        WHERE u.status = 'ACTIVE'
          AND (u.id = ANY($2::uuid[]) OR EXISTS (
                SELECT 1 FROM user_roles x WHERE x.user_id = u.id AND x.role = ANY($1)))
        GROUP BY u.id
        ORDER BY u.email`,
      [roles, ids],
    );
    return rows.map((r) => ({
      id: String(r.id),
      email: String(r.email),
      name: String(r.name),
      locale: r.locale === 'en' ? 'en' : 'zh-CN',
      roles: r.roles as Role[],
    }));
  }

  /** Approved and proposed awards of a year (or a round) for the CSV export. */
  async awardRows(
    filter: { year?: number; roundId?: string },
    opts: TransactionOptions = {},
  ): Promise<AwardCsvRow[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT r.year, r.name_zh AS round_name, w.id, a.title, s.name_zh AS subdistrict,
              c.name_zh AS community, f.code AS fund_code, w.tier_key, w.status, w.project_status,
              w.design_award_minor, w.construction_minor, w.currency, w.proposed_at,
              (CASE WHEN w.design_entry_id IS NULL THEN 0 ELSE w.design_award_minor END)
                + (SELECT COALESCE(sum(t.amount_minor), 0) FROM grant_tranches t
                    WHERE t.award_id = w.id AND t.status = 'PAID') AS paid_minor
         FROM grant_awards w
         JOIN grant_rounds r ON r.id = w.round_id
         JOIN grant_applications a ON a.id = w.application_id
         JOIN communities c ON c.id = a.community_id
         JOIN subdistricts s ON s.id = c.subdistrict_id
         JOIN funds f ON f.id = r.source_fund_id
        WHERE ($1::int IS NULL OR r.year = $1) AND ($2::uuid IS NULL OR r.id = $2)
        ORDER BY r.year DESC, r.created_at, w.proposed_at, w.id`,
      [filter.year ?? null, filter.roundId ?? null],
    );
    return rows.map((r) => ({
      roundYear: int(r.year),
      roundNameZh: String(r.round_name),
      awardId: String(r.id),
      title: String(r.title),
      subdistrictNameZh: String(r.subdistrict),
      communityNameZh: String(r.community),
      fundCode: String(r.fund_code),
      tierKey: String(r.tier_key),
      status: String(r.status),
      projectStatus: String(r.project_status),
      designAwardMinor: int(r.design_award_minor),
      constructionMinor: int(r.construction_minor),
      paidMinor: int(r.paid_minor),
      currency: String(r.currency).trim(),
      proposedAt: date(r.proposed_at),
    }));
  }

  /** A page of approved awards (public projects), with the total count. */
  async projectList(
    filter: ProjectListFilter,
    opts: TransactionOptions = {},
  ): Promise<{ rows: ProjectListRow[]; total: number }> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT w.id, a.title, r.year, r.name_zh AS round_zh, r.name_en AS round_en,
              c.id AS c_id, c.name_zh AS c_zh, c.name_en AS c_en,
              s.id AS s_id, s.name_zh AS s_zh, s.name_en AS s_en,
              f.code AS f_code, f.name_zh AS f_zh, f.name_en AS f_en,
              w.design_award_minor + w.construction_minor AS awarded, w.currency, w.project_status,
              count(*) OVER () AS total
         FROM grant_awards w
         JOIN grant_rounds r ON r.id = w.round_id
         JOIN grant_applications a ON a.id = w.application_id
         JOIN communities c ON c.id = a.community_id
         JOIN subdistricts s ON s.id = c.subdistrict_id
         JOIN funds f ON f.id = r.source_fund_id
        WHERE w.status = 'APPROVED'
          AND ($1::int IS NULL OR r.year = $1)
          AND ($2::uuid IS NULL OR s.id = $2)
          AND ($3::uuid IS NULL OR c.id = $3)
          AND ($4::text IS NULL OR w.project_status = $4)
          AND ($7::text IS NULL OR f.code = $7)
        ORDER BY r.year DESC, a.title, w.id
        LIMIT $5 OFFSET $6`,
      [
        filter.year ?? null,
        filter.subdistrictId ?? null,
        filter.communityId ?? null,
        filter.status ?? null,
        filter.limit,
        filter.offset,
        filter.fundCode ?? null,
      ],
    );
    let total = rows.length > 0 ? int(rows[0]!.total) : 0;
    if (rows.length === 0 && filter.offset > 0) {
      total = (await this.projectList({ ...filter, limit: 1, offset: 0 }, opts)).total;
    }
    return {
      total,
      rows: rows.map((r) => ({
        id: String(r.id),
        title: String(r.title),
        year: int(r.year),
        roundNameZh: String(r.round_zh),
        roundNameEn: String(r.round_en),
        community: { id: String(r.c_id), nameZh: String(r.c_zh), nameEn: String(r.c_en) },
        subdistrict: { id: String(r.s_id), nameZh: String(r.s_zh), nameEn: String(r.s_en) },
        fund: { code: String(r.f_code), nameZh: String(r.f_zh), nameEn: String(r.f_en) },
        awardedMinor: int(r.awarded),
        currency: String(r.currency).trim(),
        status: r.project_status as ProjectStatus,
      })),
    };
  }

  /** Years with approved awards, and the places that have them (the public list's filters). */
  async projectFilters(opts: TransactionOptions = {}): Promise<{
    years: number[];
    subdistricts: { id: string; nameZh: string; nameEn: string }[];
    communities: { id: string; nameZh: string; nameEn: string; subdistrictId: string }[];
  }> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT DISTINCT r.year, s.id AS s_id, s.name_zh AS s_zh, s.name_en AS s_en,
              c.id AS c_id, c.name_zh AS c_zh, c.name_en AS c_en
         FROM grant_awards w
         JOIN grant_rounds r ON r.id = w.round_id
         JOIN grant_applications a ON a.id = w.application_id
         JOIN communities c ON c.id = a.community_id
         JOIN subdistricts s ON s.id = c.subdistrict_id
        WHERE w.status = 'APPROVED'`,
    );
    const years = [...new Set(rows.map((r) => int(r.year)))].sort((a, b) => b - a);
    const subdistricts = new Map<string, { id: string; nameZh: string; nameEn: string }>();
    const communities = new Map<
      string,
      { id: string; nameZh: string; nameEn: string; subdistrictId: string }
    >();
    for (const r of rows) {
      subdistricts.set(String(r.s_id), {
        id: String(r.s_id),
        nameZh: String(r.s_zh),
        nameEn: String(r.s_en),
      });
      communities.set(String(r.c_id), {
        id: String(r.c_id),
        nameZh: String(r.c_zh),
        nameEn: String(r.c_en),
        subdistrictId: String(r.s_id),
      });
    }
    const byName = (a: { nameZh: string }, b: { nameZh: string }) =>
      a.nameZh.localeCompare(b.nameZh);
    return {
      years,
      subdistricts: [...subdistricts.values()].sort(byName),
      communities: [...communities.values()].sort(byName),
    };
  }

  /** One award with everything the public rule chooses from; null when there is none. */
  async projectRecord(
    awardId: string,
    opts: TransactionOptions = {},
  ): Promise<ProjectRecord | null> {
    const m = this.q(opts);
    const [head]: Row[] = await m.query(
      `SELECT w.id, w.status, w.tier_key, w.design_award_minor, w.construction_minor, w.currency,
              w.project_status, w.project_status_at, (w.design_entry_id IS NOT NULL) AS design_paid,
              a.title, r.id AS r_id, r.year, r.name_zh AS r_zh, r.name_en AS r_en, r.tiers,
              c.id AS c_id, c.name_zh AS c_zh, c.name_en AS c_en,
              s.id AS s_id, s.name_zh AS s_zh, s.name_en AS s_en,
              f.id AS f_id, f.code AS f_code, f.name_zh AS f_zh, f.name_en AS f_en
         FROM grant_awards w
         JOIN grant_rounds r ON r.id = w.round_id
         JOIN grant_applications a ON a.id = w.application_id
         JOIN communities c ON c.id = a.community_id
         JOIN subdistricts s ON s.id = c.subdistrict_id
         JOIN funds f ON f.id = r.source_fund_id
        WHERE w.id = $1`,
      [awardId],
    );
    if (!head) return null;
    // One after another: inside a transaction they share one connection.
    const tranches: Row[] = await m.query(
      `SELECT seq, status, amount_minor, decided_at FROM grant_tranches WHERE award_id = $1 ORDER BY seq`,
      [awardId],
    );
    const reports: Row[] = await m.query(
      `SELECT kind, status, public_summary, decided_at FROM grant_reports
          WHERE award_id = $1 ORDER BY submitted_at, id`,
      [awardId],
    );
    const inspections: Row[] = await m.query(
      `SELECT inspecting_body, result, to_char(inspected_on, 'YYYY-MM-DD') AS inspected_on, recorded_at
           FROM grant_inspections WHERE award_id = $1 ORDER BY recorded_at`,
      [awardId],
    );
    const evaluations: Row[] = await m.query(
      `SELECT v.seq, v.status, v.threshold_pct, v.result_responses, v.result_satisfied,
                v.result_mean_score::float8 AS mean, v.closed_at,
                COALESCE((SELECT array_agg(x.comment ORDER BY x.created_at, x.id)
                            FROM grant_evaluation_responses x
                           WHERE x.evaluation_id = v.id AND btrim(x.comment) <> ''), '{}') AS comments
           FROM grant_evaluations v WHERE v.award_id = $1 ORDER BY v.seq`,
      [awardId],
    );
    return {
      award: {
        id: String(head.id),
        status: String(head.status),
        tierKey: String(head.tier_key),
        designAwardMinor: int(head.design_award_minor),
        constructionMinor: int(head.construction_minor),
        currency: String(head.currency).trim(),
        projectStatus: head.project_status as ProjectStatus,
        projectStatusAt: date(head.project_status_at),
        designPaid: head.design_paid === true,
      },
      application: { title: String(head.title) },
      round: {
        id: String(head.r_id),
        year: int(head.year),
        nameZh: String(head.r_zh),
        nameEn: String(head.r_en),
        tiers: Array.isArray(head.tiers) ? (head.tiers as ProjectRecord['round']['tiers']) : [],
      },
      community: { id: String(head.c_id), nameZh: String(head.c_zh), nameEn: String(head.c_en) },
      subdistrict: { id: String(head.s_id), nameZh: String(head.s_zh), nameEn: String(head.s_en) },
      fund: {
        id: String(head.f_id),
        code: String(head.f_code),
        nameZh: String(head.f_zh),
        nameEn: String(head.f_en),
      },
      tranches: tranches.map((t) => ({
        seq: int(t.seq),
        status: String(t.status),
        amountMinor: int(t.amount_minor),
        decidedAt: maybeDate(t.decided_at),
      })),
      reports: reports.map((r) => ({
        kind: String(r.kind),
        status: String(r.status),
        publicSummary: String(r.public_summary),
        decidedAt: maybeDate(r.decided_at),
      })),
      inspections: inspections.map((i) => ({
        inspectingBody: String(i.inspecting_body),
        result: String(i.result),
        inspectedOn: String(i.inspected_on),
        recordedAt: date(i.recorded_at),
      })),
      evaluations: evaluations.map((v) => ({
        seq: int(v.seq),
        status: String(v.status),
        thresholdPct: int(v.threshold_pct),
        resultResponses: v.result_responses === null ? null : int(v.result_responses),
        resultSatisfied: v.result_satisfied === null ? null : int(v.result_satisfied),
        resultMeanScore: v.mean === null ? null : Number(v.mean),
        closedAt: maybeDate(v.closed_at),
        comments: (v.comments as string[] | null) ?? [],
      })),
    };
  }
}
