import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import type { ApplicationStatus, BudgetLine } from './application-rules';

/** The grant_applications table, mapped once: SELECT list and typed rows. */
export const GRANT_APPLICATIONS = defineTable('grant_applications', {
  id: col.uuid('id'),
  roundId: col.uuid('round_id'),
  communityId: col.uuid('community_id'),
  applicantId: col.uuid('applicant_id'),
  title: col.text('title'),
  summary: col.text('summary'),
  budgetLines: col.jsonb<BudgetLine[] & Record<string, unknown>>('budget_lines'),
  budgetTotalMinor: col.bigint('budget_total_minor'),
  status: col.text<ApplicationStatus>('status'),
  submittedAt: col.timestamptz.nullable('submitted_at'),
  decisionDueAt: col.timestamptz.nullable('decision_due_at'),
  decidedAt: col.timestamptz.nullable('decided_at'),
  createdAt: col.timestamptz('created_at'),
  updatedAt: col.timestamptz('updated_at'),
});

export interface GrantApplication {
  id: string;
  roundId: string;
  communityId: string;
  applicantId: string;
  title: string;
  summary: string;
  budgetLines: BudgetLine[];
  budgetTotalMinor: number;
  status: ApplicationStatus;
  submittedAt: Date | null;
  decisionDueAt: Date | null;
  decidedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An application with the names a person reads: its round, community and applicant. */
export interface ApplicationListItem extends GrantApplication {
  round: { nameZh: string; nameEn: string; year: number; status: string; currency: string };
  community: { code: string; nameZh: string; nameEn: string };
  applicant: { name: string; email: string };
}

const COLUMNS = GRANT_APPLICATIONS.select('a');
const LIST_COLUMNS = `${COLUMNS},
  json_build_object('nameZh', r.name_zh, 'nameEn', r.name_en, 'year', r.year, 'status', r.status,
    'currency', btrim(r.currency)) AS round,
  json_build_object('code', c.code, 'nameZh', c.name_zh, 'nameEn', c.name_en) AS community,
  json_build_object('name', u.name, 'email', u.email) AS applicant`;
const LIST_FROM = `grant_applications a
  JOIN grant_rounds r ON r.id = a.round_id
  JOIN communities c ON c.id = a.community_id
  JOIN users u ON u.id = a.applicant_id`;

type Row = Record<string, unknown>;

function toApplication(row: Row): GrantApplication {
  return GRANT_APPLICATIONS.map(row);
}

function toListItem(row: Row): ApplicationListItem {
  return {
    ...toApplication(row),
    round: row.round as ApplicationListItem['round'],
    community: row.community as ApplicationListItem['community'],
    applicant: row.applicant as ApplicationListItem['applicant'],
  };
}

export interface ApplicationFilter {
  roundId?: string;
  status?: ApplicationStatus;
  /** Only what this person applied for or was assigned to review (non-staff readers). */
  visibleTo?: string;
  applicantId?: string;
  limit: number;
}

/** The only place that queries grant_applications. */
@Injectable()
export class ApplicationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    app: Pick<
      GrantApplication,
      | 'roundId'
      | 'communityId'
      | 'applicantId'
      | 'title'
      | 'summary'
      | 'budgetLines'
      | 'budgetTotalMinor'
    >,
  ): Promise<GrantApplication> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_applications AS a (round_id, community_id, applicant_id, title, summary,
         budget_lines, budget_total_minor)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        app.roundId,
        app.communityId,
        app.applicantId,
        app.title,
        app.summary,
        JSON.stringify(app.budgetLines),
        app.budgetTotalMinor,
      ],
    );
    return toApplication(rows[0]!);
  }

  async updateDraft(
    manager: EntityManager,
    id: string,
    fields: Pick<GrantApplication, 'title' | 'summary' | 'budgetLines' | 'budgetTotalMinor'>,
  ): Promise<void> {
    await manager.query(
      `UPDATE grant_applications SET title = $2, summary = $3, budget_lines = $4,
         budget_total_minor = $5, updated_at = now()
       WHERE id = $1 AND status = 'DRAFT'`,
      [
        id,
        fields.title,
        fields.summary,
        JSON.stringify(fields.budgetLines),
        fields.budgetTotalMinor,
      ],
    );
  }

  async submit(
    manager: EntityManager,
    id: string,
    submittedAt: Date,
    decisionDueAt: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE grant_applications SET status = 'SUBMITTED', submitted_at = $2,
         decision_due_at = $3, updated_at = now()
       WHERE id = $1 AND status = 'DRAFT'`,
      [id, submittedAt, decisionDueAt],
    );
  }

  /** A status change by the officer (or the first reviewer assigned); `decided` stamps decided_at. */
  async setStatus(
    manager: EntityManager,
    id: string,
    status: ApplicationStatus,
    decided: boolean,
  ): Promise<void> {
    await manager.query(
      `UPDATE grant_applications SET status = $2, updated_at = now(),
         decided_at = CASE WHEN $3::boolean THEN now() ELSE decided_at END
       WHERE id = $1`,
      [id, status, decided],
    );
  }

  /** Whether the application has an award proposed or approved (a rejected one does not count). */
  async hasLiveAward(manager: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM grant_awards WHERE application_id = $1 AND status <> 'REJECTED' LIMIT 1`,
      [id],
    );
    return rows.length > 0;
  }

  async lock(manager: EntityManager, id: string): Promise<GrantApplication | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM grant_applications a WHERE a.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toApplication(rows[0]) : null;
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<ApplicationListItem | null> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE a.id = $1`,
      [id],
    );
    return rows[0] ? toListItem(rows[0]) : null;
  }

  /** Applications, newest first; non-staff readers see their own and those they review. */
  async list(
    filter: ApplicationFilter,
    opts: TransactionOptions = {},
  ): Promise<ApplicationListItem[]> {
    const where: string[] = [];
    const args: unknown[] = [filter.limit];
    const add = (sql: (n: number) => string, value: unknown) => {
      args.push(value);
      where.push(sql(args.length));
    };
    if (filter.roundId) add((n) => `a.round_id = $${n}`, filter.roundId);
    if (filter.status) add((n) => `a.status = $${n}`, filter.status);
    if (filter.applicantId) add((n) => `a.applicant_id = $${n}`, filter.applicantId);
    if (filter.visibleTo)
      add(
        (n) =>
          `(a.applicant_id = $${n} OR EXISTS (SELECT 1 FROM grant_review_assignments ra
             WHERE ra.application_id = a.id AND ra.reviewer_id = $${n}))`,
        filter.visibleTo,
      );
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY a.created_at DESC, a.id LIMIT $1`,
      args,
    );
    return rows.map(toListItem);
  }

  /** Every non-draft application of a round, for the ranking. */
  async submittedOf(
    roundId: string,
    opts: TransactionOptions = {},
  ): Promise<ApplicationListItem[]> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM}
       WHERE a.round_id = $1 AND a.status <> 'DRAFT' ORDER BY a.submitted_at, a.id`,
      [roundId],
    );
    return rows.map(toListItem);
  }
}
