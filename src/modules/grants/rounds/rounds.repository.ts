import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../../../database/query-result';
import { col, defineTable } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import type {
  RoundDefinition,
  RoundStatus,
  RoundTier,
  RubricCriterion,
  TargetDays,
  TrancheStep,
} from './round-rules';

type Json<T> = T & Record<string, unknown>;

/** The grant_rounds table, mapped once: SELECT list and typed rows. */
export const GRANT_ROUNDS = defineTable('grant_rounds', {
  id: col.uuid('id'),
  nameZh: col.text('name_zh'),
  nameEn: col.text('name_en'),
  year: col.int('year'),
  sourceFundId: col.uuid('source_fund_id'),
  currency: col.char('currency'),
  status: col.text<RoundStatus>('status'),
  applicationsOpenAt: col.timestamptz('applications_open_at'),
  applicationsCloseAt: col.timestamptz('applications_close_at'),
  reviewCloseAt: col.timestamptz('review_close_at'),
  tiers: col.jsonb<Json<RoundTier[]>>('tiers'),
  constructionBudgetMinor: col.bigint('construction_budget_minor'),
  rubric: col.jsonb<Json<RubricCriterion[]>>('rubric'),
  satisfactionThresholdPct: col.int('satisfaction_threshold_pct'),
  minEvaluators: col.int('min_evaluators'),
  secondApprovalAboveMinor: col.bigint('second_approval_above_minor'),
  trancheSchedule: col.jsonb<Json<TrancheStep[]>>('tranche_schedule'),
  targetDays: col.jsonb<Json<TargetDays>>('target_days'),
  budgetMinor: col.bigint('budget_minor'),
  reservationId: col.uuid.nullable('reservation_id'),
  createdBy: col.uuid.nullable('created_by'),
  createdAt: col.timestamptz('created_at'),
  updatedAt: col.timestamptz('updated_at'),
});

/** A grant round with its tiers, rubric, tranche schedule and target days parsed. */
export interface GrantRound extends RoundDefinition {
  id: string;
  nameZh: string;
  nameEn: string;
  year: number;
  sourceFundId: string;
  currency: string;
  status: RoundStatus;
  budgetMinor: number;
  reservationId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The fields a round is created or edited with. */
export type RoundFields = RoundDefinition & {
  nameZh: string;
  nameEn: string;
  year: number;
  budgetMinor: number;
};

const COLUMNS = GRANT_ROUNDS.select('r');
type Row = Record<string, unknown>;

function toRound(row: Row): GrantRound {
  return GRANT_ROUNDS.map(row);
}

function params(f: RoundFields): unknown[] {
  return [
    f.nameZh,
    f.nameEn,
    f.year,
    f.applicationsOpenAt,
    f.applicationsCloseAt,
    f.reviewCloseAt,
    JSON.stringify(f.tiers),
    f.constructionBudgetMinor,
    JSON.stringify(f.rubric),
    f.satisfactionThresholdPct,
    f.minEvaluators,
    f.secondApprovalAboveMinor,
    JSON.stringify(f.trancheSchedule),
    JSON.stringify(f.targetDays),
    f.budgetMinor,
  ];
}

/** The only place that queries grant_rounds. */
@Injectable()
export class RoundsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    round: RoundFields & { sourceFundId: string; currency: string; createdBy: string },
  ): Promise<GrantRound> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_rounds AS r (name_zh, name_en, year, applications_open_at,
         applications_close_at, review_close_at, tiers, construction_budget_minor, rubric,
         satisfaction_threshold_pct, min_evaluators, second_approval_above_minor, tranche_schedule,
         target_days, budget_minor, source_fund_id, currency, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       RETURNING ${COLUMNS}`,
      [...params(round), round.sourceFundId, round.currency, round.createdBy],
    );
    return toRound(rows[0]!);
  }

  async update(manager: EntityManager, id: string, round: RoundFields): Promise<GrantRound> {
    const rows = rowsOf<Row>(
      await manager.query(
        `UPDATE grant_rounds AS r SET name_zh = $1, name_en = $2, year = $3,
         applications_open_at = $4, applications_close_at = $5, review_close_at = $6, tiers = $7,
         construction_budget_minor = $8, rubric = $9, satisfaction_threshold_pct = $10,
         min_evaluators = $11, second_approval_above_minor = $12, tranche_schedule = $13,
         target_days = $14, budget_minor = $15, updated_at = now()
       WHERE r.id = $16 RETURNING ${COLUMNS}`,
        [...params(round), id],
      ),
    );
    return toRound(rows[0]!);
  }

  /** Locks a round for a change of status or fields; a concurrent change waits here. */
  async lock(manager: EntityManager, id: string): Promise<GrantRound | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM grant_rounds r WHERE r.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toRound(rows[0]) : null;
  }

  /** Locks a round against status changes while an application or review under it changes. */
  async lockShared(manager: EntityManager, id: string): Promise<GrantRound | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM grant_rounds r WHERE r.id = $1 FOR SHARE`,
      [id],
    );
    return rows[0] ? toRound(rows[0]) : null;
  }

  async setStatus(
    manager: EntityManager,
    id: string,
    change: { status: RoundStatus; reservationId?: string; closeApplicationsNow?: boolean },
  ): Promise<GrantRound> {
    const rows = rowsOf<Row>(
      await manager.query(
        `UPDATE grant_rounds AS r SET status = $2,
         reservation_id = COALESCE($3, r.reservation_id),
         applications_close_at = CASE WHEN $4::boolean
           THEN LEAST(r.applications_close_at,
                      GREATEST(now(), r.applications_open_at + interval '1 second'))
           ELSE r.applications_close_at END,
         updated_at = now()
       WHERE r.id = $1 RETURNING ${COLUMNS}`,
        [id, change.status, change.reservationId ?? null, change.closeApplicationsNow ?? false],
      ),
    );
    return toRound(rows[0]!);
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<GrantRound | null> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM grant_rounds r WHERE r.id = $1`,
      [id],
    );
    return rows[0] ? toRound(rows[0]) : null;
  }

  /** Rounds, newest year first (at most `limit`), optionally of one status or year. */
  async list(
    filter: { status?: RoundStatus; year?: number; limit: number },
    opts: TransactionOptions = {},
  ): Promise<GrantRound[]> {
    const where: string[] = [];
    const args: unknown[] = [filter.limit];
    if (filter.status) {
      args.push(filter.status);
      where.push(`r.status = $${args.length}`);
    }
    if (filter.year) {
      args.push(filter.year);
      where.push(`r.year = $${args.length}`);
    }
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM grant_rounds r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY r.year DESC, r.created_at DESC, r.id LIMIT $1`,
      args,
    );
    return rows.map(toRound);
  }

  /**
   * The round's awards by status, for closing it: how many are still PROPOSED, and what the
   * APPROVED ones need in all (design awards plus construction money, paid or not).
   */
  async awardFigures(
    manager: EntityManager,
    roundId: string,
  ): Promise<{ proposed: number; approved: number; approvedTotalMinor: number }> {
    const rows: { proposed: number; approved: number; total: string }[] = await manager.query(
      `SELECT count(*) FILTER (WHERE status = 'PROPOSED')::int AS proposed,
              count(*) FILTER (WHERE status = 'APPROVED')::int AS approved,
              COALESCE(sum(design_award_minor + construction_minor)
                FILTER (WHERE status = 'APPROVED'), 0)::text AS total
         FROM grant_awards WHERE round_id = $1`,
      [roundId],
    );
    const r = rows[0]!;
    return { proposed: r.proposed, approved: r.approved, approvedTotalMinor: Number(r.total) };
  }
}
