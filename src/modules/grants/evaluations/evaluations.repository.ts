import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import type { EvaluationStatus, EvaluatorPanel, ProjectStatus, Tally } from './evaluation-rules';

/** grant_evaluations, mapped once (result_mean_score, a numeric, is read as float8 beside it). */
export const GRANT_EVALUATIONS = defineTable('grant_evaluations', {
  id: col.uuid('id'),
  awardId: col.uuid('award_id'),
  seq: col.int('seq'),
  status: col.text<EvaluationStatus>('status'),
  thresholdPct: col.int('threshold_pct'),
  minResponses: col.int('min_responses'),
  resultResponses: col.int.nullable('result_responses'),
  resultSatisfied: col.int.nullable('result_satisfied'),
  openedBy: col.uuid('opened_by'),
  openedAt: col.timestamptz('opened_at'),
  closesAt: col.timestamptz('closes_at'),
  closedAt: col.timestamptz.nullable('closed_at'),
});

export const GRANT_EVALUATOR_CODES = defineTable('grant_evaluator_codes', {
  id: col.uuid('id'),
  evaluationId: col.uuid('evaluation_id'),
  code: col.text('code'),
  label: col.text('label'),
  panel: col.text<EvaluatorPanel>('panel'),
  usedAt: col.timestamptz.nullable('used_at'),
  createdAt: col.timestamptz('created_at'),
});

export const GRANT_EVALUATION_RESPONSES = defineTable('grant_evaluation_responses', {
  id: col.uuid('id'),
  evaluationId: col.uuid('evaluation_id'),
  codeId: col.uuid('code_id'),
  satisfied: col.bool('satisfied'),
  score: col.int('score'),
  comment: col.text('comment'),
  createdAt: col.timestamptz('created_at'),
});

export interface Evaluation {
  id: string;
  awardId: string;
  seq: number;
  status: EvaluationStatus;
  thresholdPct: number;
  minResponses: number;
  resultResponses: number | null;
  resultSatisfied: number | null;
  resultMeanScore: number | null;
  openedBy: string;
  openedAt: Date;
  closesAt: Date;
  closedAt: Date | null;
}

export interface EvaluatorCode {
  id: string;
  evaluationId: string;
  code: string;
  label: string;
  panel: EvaluatorPanel;
  usedAt: Date | null;
  createdAt: Date;
}

/** The project an evaluation is about, read from the awards, applications and rounds tables. */
export interface EvaluatedProject {
  awardId: string;
  awardStatus: string;
  projectStatus: ProjectStatus;
  applicationId: string;
  roundId: string;
  title: string;
  summary: string;
  currency: string;
  thresholdPct: number;
  minEvaluators: number;
  community: { id: string; nameZh: string; nameEn: string };
  subdistrict: { nameZh: string; nameEn: string };
  grantee: { id: string; name: string; email: string; locale: 'zh-CN' | 'en' };
}

/** One row of the back office's list: the evaluation, its project and its tally counted now. */
export interface EvaluationListItem extends Evaluation {
  title: string;
  community: EvaluatedProject['community'];
  tally: Tally;
}

/** An approved project an officer may open an evaluation for now (see checkOpening). */
export interface ReadyProject {
  awardId: string;
  title: string;
  projectStatus: ProjectStatus;
  community: EvaluatedProject['community'];
  hasOpen: boolean;
  lastFailedClosedAt: Date | null;
  lastRectificationAcceptedAt: Date | null;
}

export interface Counted extends Tally {
  scoreSum: number;
}

type Row = Record<string, unknown>;

const EVAL_COLUMNS = `${GRANT_EVALUATIONS.select('e')}, e.result_mean_score::float8 AS "resultMeanScore"`;

function toEvaluation(row: Row): Evaluation {
  const mean = row.resultMeanScore;
  return { ...GRANT_EVALUATIONS.map(row), resultMeanScore: mean === null ? null : Number(mean) };
}

const PROJECT_COLUMNS = `a.id AS "awardId", a.status AS "awardStatus", a.project_status AS "projectStatus",
  ap.id AS "applicationId", r.id AS "roundId", ap.title, ap.summary, btrim(a.currency) AS currency,
  r.satisfaction_threshold_pct AS "thresholdPct", r.min_evaluators AS "minEvaluators",
  json_build_object('id', c.id, 'nameZh', c.name_zh, 'nameEn', c.name_en) AS community,
  json_build_object('nameZh', s.name_zh, 'nameEn', s.name_en) AS subdistrict,
  json_build_object('id', u.id, 'name', u.name, 'email', u.email, 'locale', u.locale) AS grantee`;

const PROJECT_FROM = `grant_awards a
  JOIN grant_applications ap ON ap.id = a.application_id
  JOIN grant_rounds r ON r.id = a.round_id
  JOIN communities c ON c.id = ap.community_id
  JOIN subdistricts s ON s.id = c.subdistrict_id
  JOIN users u ON u.id = ap.applicant_id`;

function toProject(row: Row): EvaluatedProject {
  return {
    awardId: String(row.awardId),
    awardStatus: String(row.awardStatus),
    projectStatus: row.projectStatus as ProjectStatus,
    applicationId: String(row.applicationId),
    roundId: String(row.roundId),
    title: String(row.title),
    summary: String(row.summary),
    currency: String(row.currency),
    thresholdPct: Number(row.thresholdPct),
    minEvaluators: Number(row.minEvaluators),
    community: row.community as EvaluatedProject['community'],
    subdistrict: row.subdistrict as EvaluatedProject['subdistrict'],
    grantee: row.grantee as EvaluatedProject['grantee'],
  };
}

/**
 * The only place that queries the evaluation tables. It also reads grant_awards, applications,
 * rounds and reports with its own SQL (they belong to other parts of the grants module), and
 * writes one column of grant_awards: project_status, by a guarded UPDATE.
 */
@Injectable()
export class EvaluationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private q(opts: TransactionOptions): EntityManager {
    return opts.within ?? this.dataSource.manager;
  }

  /** Locks the award (opening and closing evaluations of one project take turns). */
  async lockProject(manager: EntityManager, awardId: string): Promise<EvaluatedProject | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${PROJECT_COLUMNS} FROM ${PROJECT_FROM} WHERE a.id = $1 FOR UPDATE OF a`,
      [awardId],
    );
    return rows[0] ? toProject(rows[0]) : null;
  }

  async project(awardId: string, opts: TransactionOptions = {}): Promise<EvaluatedProject | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${PROJECT_COLUMNS} FROM ${PROJECT_FROM} WHERE a.id = $1`,
      [awardId],
    );
    return rows[0] ? toProject(rows[0]) : null;
  }

  /** The public summaries of the project's accepted reports, oldest first. */
  async publicSummaries(
    awardId: string,
    opts: TransactionOptions = {},
  ): Promise<{ kind: string; summary: string }[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT kind, public_summary AS summary FROM grant_reports
       WHERE award_id = $1 AND status = 'ACCEPTED' AND btrim(public_summary) <> ''
       ORDER BY submitted_at, id`,
      [awardId],
    );
    return rows.map((r) => ({ kind: String(r.kind), summary: String(r.summary) }));
  }

  /** What decides whether an evaluation may open (see checkOpening). */
  async openingFacts(
    manager: EntityManager,
    awardId: string,
  ): Promise<{
    hasOpen: boolean;
    lastFailedClosedAt: Date | null;
    lastRectificationAcceptedAt: Date | null;
    nextSeq: number;
  }> {
    const rows: Row[] = await manager.query(
      `SELECT
         EXISTS (SELECT 1 FROM grant_evaluations WHERE award_id = $1 AND status = 'OPEN') AS "hasOpen",
         (SELECT max(closed_at) FROM grant_evaluations WHERE award_id = $1 AND status = 'FAILED') AS "lastFailed",
         (SELECT max(decided_at) FROM grant_reports
           WHERE award_id = $1 AND kind = 'RECTIFICATION' AND status = 'ACCEPTED') AS "lastRectification",
         (SELECT coalesce(max(seq), 0) + 1 FROM grant_evaluations WHERE award_id = $1) AS "nextSeq"`,
      [awardId],
    );
    const row = rows[0]!;
    return {
      hasOpen: row.hasOpen === true,
      lastFailedClosedAt: row.lastFailed ? new Date(row.lastFailed as string) : null,
      lastRectificationAcceptedAt: row.lastRectification
        ? new Date(row.lastRectification as string)
        : null,
      nextSeq: Number(row.nextSeq),
    };
  }

  async insert(
    manager: EntityManager,
    e: Pick<
      Evaluation,
      'awardId' | 'seq' | 'thresholdPct' | 'minResponses' | 'openedBy' | 'closesAt'
    >,
  ): Promise<Evaluation> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_evaluations AS e (award_id, seq, threshold_pct, min_responses, opened_by, closes_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${EVAL_COLUMNS}`,
      [e.awardId, e.seq, e.thresholdPct, e.minResponses, e.openedBy, e.closesAt],
    );
    return toEvaluation(rows[0]!);
  }

  /** Inserts the codes; a code drawn twice (2⁻⁵⁰ per pair) is skipped and returned as not stored. */
  async insertCodes(
    manager: EntityManager,
    evaluationId: string,
    codes: { code: string; label: string; panel: EvaluatorPanel }[],
  ): Promise<Set<string>> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_evaluator_codes (evaluation_id, code, label, panel)
       SELECT $1, x.code, x.label, x.panel
       FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x (code, label, panel, n)
       ORDER BY x.n
       ON CONFLICT (code) DO NOTHING
       RETURNING code`,
      [
        evaluationId,
        codes.map((c) => c.code),
        codes.map((c) => c.label),
        codes.map((c) => c.panel),
      ],
    );
    return new Set(rows.map((r) => String(r.code)));
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<Evaluation | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${EVAL_COLUMNS} FROM grant_evaluations e WHERE e.id = $1`,
      [id],
    );
    return rows[0] ? toEvaluation(rows[0]) : null;
  }

  /** Locks an evaluation to close it: responses in flight (which share-lock it) finish first. */
  async lock(manager: EntityManager, id: string): Promise<Evaluation | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${EVAL_COLUMNS} FROM grant_evaluations e WHERE e.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toEvaluation(rows[0]) : null;
  }

  async listForAward(awardId: string, opts: TransactionOptions = {}): Promise<Evaluation[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${EVAL_COLUMNS} FROM grant_evaluations e WHERE e.award_id = $1 ORDER BY e.seq`,
      [awardId],
    );
    return rows.map(toEvaluation);
  }

  /** OPEN evaluations whose closing time has passed, oldest first. */
  async dueIds(now: Date): Promise<string[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT id FROM grant_evaluations WHERE status = 'OPEN' AND closes_at <= $1 ORDER BY closes_at, id`,
      [now],
    );
    return rows.map((r) => String(r.id));
  }

  async codes(evaluationId: string, opts: TransactionOptions = {}): Promise<EvaluatorCode[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${GRANT_EVALUATOR_CODES.select('c')} FROM grant_evaluator_codes c
       WHERE c.evaluation_id = $1 ORDER BY c.panel = 'STAKEHOLDER', length(c.label), c.label, c.id`,
      [evaluationId],
    );
    return rows.map((r) => GRANT_EVALUATOR_CODES.map(r));
  }

  async findCode(code: string, opts: TransactionOptions = {}): Promise<EvaluatorCode | null> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${GRANT_EVALUATOR_CODES.select('c')} FROM grant_evaluator_codes c WHERE c.code = $1`,
      [code],
    );
    return rows[0] ? GRANT_EVALUATOR_CODES.map(rows[0]) : null;
  }

  /**
   * Locks the code (a second response on it waits here, then finds it used) and share-locks its
   * evaluation (a close waits for responses in flight; a response after a close sees it closed).
   */
  async lockCode(
    manager: EntityManager,
    code: string,
  ): Promise<{ code: EvaluatorCode; evaluation: Evaluation } | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${GRANT_EVALUATOR_CODES.select('c')},
         json_build_object('id', e.id, 'status', e.status, 'closesAt', e.closes_at) AS evaluation
       FROM grant_evaluator_codes c JOIN grant_evaluations e ON e.id = c.evaluation_id
       WHERE c.code = $1
       FOR UPDATE OF c FOR SHARE OF e`,
      [code],
    );
    if (!rows[0]) return null;
    const found = GRANT_EVALUATOR_CODES.map(rows[0]);
    const evaluation = await this.get(found.evaluationId, { within: manager });
    return { code: found, evaluation: evaluation! };
  }

  /** Records a response and marks its code used; null when the code has one already. */
  async insertResponse(
    manager: EntityManager,
    r: { evaluationId: string; codeId: string; satisfied: boolean; score: number; comment: string },
  ): Promise<{ id: string } | null> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_evaluation_responses (evaluation_id, code_id, satisfied, score, comment)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (code_id) DO NOTHING
       RETURNING id`,
      [r.evaluationId, r.codeId, r.satisfied, r.score, r.comment],
    );
    if (!rows[0]) return null;
    await manager.query(
      `UPDATE grant_evaluator_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL`,
      [r.codeId],
    );
    return { id: String(rows[0].id) };
  }

  /** The tally, counted from the responses table (the truth; result_* columns copy it at close). */
  async count(evaluationId: string, opts: TransactionOptions = {}): Promise<Counted> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT count(*)::int AS responses, count(*) FILTER (WHERE satisfied)::int AS satisfied,
         coalesce(sum(score), 0)::int AS "scoreSum"
       FROM grant_evaluation_responses WHERE evaluation_id = $1`,
      [evaluationId],
    );
    const row = rows[0]!;
    return {
      responses: Number(row.responses),
      satisfied: Number(row.satisfied),
      scoreSum: Number(row.scoreSum),
    };
  }

  /** The comments of an evaluation, without codes or labels, oldest first. */
  async comments(
    evaluationId: string,
    opts: TransactionOptions = {},
  ): Promise<{ satisfied: boolean; score: number; comment: string; at: Date }[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT satisfied, score, comment, created_at AS at FROM grant_evaluation_responses
       WHERE evaluation_id = $1 AND btrim(comment) <> '' ORDER BY created_at, id`,
      [evaluationId],
    );
    return rows.map((r) => ({
      satisfied: r.satisfied === true,
      score: Number(r.score),
      comment: String(r.comment),
      at: new Date(r.at as string),
    }));
  }

  async close(
    manager: EntityManager,
    id: string,
    result: {
      status: 'PASSED' | 'FAILED';
      responses: number;
      satisfied: number;
      meanScore: number | null;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE grant_evaluations SET status = $2, result_responses = $3, result_satisfied = $4,
         result_mean_score = $5, closed_at = now()
       WHERE id = $1 AND status = 'OPEN'`,
      [id, result.status, result.responses, result.satisfied, result.meanScore],
    );
  }

  /** Cancels an OPEN evaluation (its codes stop working; its responses are kept, never counted). */
  async cancel(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE grant_evaluations SET status = 'CANCELLED', closed_at = now() WHERE id = $1 AND status = 'OPEN'`,
      [id],
    );
  }

  /** Evaluations for the back office: open ones first (soonest closing), then the latest closed. */
  async list(limit = 200, opts: TransactionOptions = {}): Promise<EvaluationListItem[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT ${EVAL_COLUMNS}, ap.title AS "projectTitle",
         json_build_object('id', c.id, 'nameZh', c.name_zh, 'nameEn', c.name_en) AS "projectCommunity",
         t.responses AS "tallyResponses", t.satisfied AS "tallySatisfied"
       FROM grant_evaluations e
       JOIN grant_awards a ON a.id = e.award_id
       JOIN grant_applications ap ON ap.id = a.application_id
       JOIN communities c ON c.id = ap.community_id
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS responses, count(*) FILTER (WHERE r.satisfied)::int AS satisfied
         FROM grant_evaluation_responses r WHERE r.evaluation_id = e.id) t
       ORDER BY e.status <> 'OPEN', CASE WHEN e.status = 'OPEN' THEN e.closes_at END,
         e.closed_at DESC NULLS LAST, e.id
       LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      ...toEvaluation(r),
      title: String(r.projectTitle),
      community: r.projectCommunity as EvaluatedProject['community'],
      tally: { responses: Number(r.tallyResponses), satisfied: Number(r.tallySatisfied) },
    }));
  }

  /** Approved projects completed or in rectification: the candidates for a new evaluation. */
  async readyProjects(limit = 100, opts: TransactionOptions = {}): Promise<ReadyProject[]> {
    const rows: Row[] = await this.q(opts).query(
      `SELECT a.id AS "awardId", ap.title, a.project_status AS "projectStatus",
         json_build_object('id', c.id, 'nameZh', c.name_zh, 'nameEn', c.name_en) AS community,
         EXISTS (SELECT 1 FROM grant_evaluations e WHERE e.award_id = a.id AND e.status = 'OPEN') AS "hasOpen",
         (SELECT max(closed_at) FROM grant_evaluations e WHERE e.award_id = a.id AND e.status = 'FAILED') AS "lastFailed",
         (SELECT max(decided_at) FROM grant_reports g
           WHERE g.award_id = a.id AND g.kind = 'RECTIFICATION' AND g.status = 'ACCEPTED') AS "lastRectification"
       FROM grant_awards a
       JOIN grant_applications ap ON ap.id = a.application_id
       JOIN communities c ON c.id = ap.community_id
       WHERE a.status = 'APPROVED' AND a.project_status IN ('COMPLETED', 'RECTIFICATION_REQUIRED')
       ORDER BY a.project_status_at, a.id
       LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      awardId: String(r.awardId),
      title: String(r.title),
      projectStatus: r.projectStatus as ProjectStatus,
      community: r.community as EvaluatedProject['community'],
      hasOpen: r.hasOpen === true,
      lastFailedClosedAt: r.lastFailed ? new Date(r.lastFailed as string) : null,
      lastRectificationAcceptedAt: r.lastRectification
        ? new Date(r.lastRectification as string)
        : null,
    }));
  }

  /** Moves the project's status when it is one of `from`; false when it was not (nothing changed). */
  async setProjectStatus(
    manager: EntityManager,
    awardId: string,
    to: ProjectStatus,
    from: readonly ProjectStatus[],
  ): Promise<boolean> {
    // An UPDATE answers [rows, affected row count] through TypeORM's query runner.
    const [, changed] = await manager.query<[unknown[], number]>(
      `UPDATE grant_awards SET project_status = $2, project_status_at = now()
       WHERE id = $1 AND project_status = ANY($3)`,
      [awardId, to, from],
    );
    return changed === 1;
  }
}
