import { randomUUID } from 'node:crypto';
import { TransactionService } from '../../src/database/transaction.service';
import { FundOutflowService } from '../../src/modules/funds/fund-outflow.service';
import type { FundView } from '../../src/modules/funds/funds.service';
import { createUser } from './accounts.factory';
import { createCommunity } from './foundation.factory';
import type { TestApp } from '../utils/test-app';

/**
 * Grant rounds, applications and review assignments written straight into the tables (no
 * service), so tests of awards, evaluations, expenses or insights do not depend on the rounds
 * part's code. Each helper documents the state it leaves; all amounts are fen.
 *
 *   const fund = await createFund(t, { kind: 'PROGRAM' }); await fundFromOutside(t, fund, 10_000_000);
 *   const round = await createGrantRound(t, fund, { status: 'AWARDING' });
 *   const { application, applicant } = await createGrantApplication(t, round);
 *   await addGrantReview(t, application, reviewer.id);
 */

type User = Awaited<ReturnType<typeof createUser>>;

export type GrantRoundStatus = 'DRAFT' | 'OPEN' | 'REVIEWING' | 'AWARDING' | 'CLOSED';

export interface GrantTierSpec {
  key: string;
  nameZh: string;
  nameEn: string;
  amountMinor: number;
  count: number;
}

export interface TrancheStepSpec {
  key: string;
  percent: number;
  unlock: 'AWARD' | 'START' | 'MIDTERM' | 'COMPLETION';
}

export interface GrantRoundOptions {
  /** Default OPEN. Any status but DRAFT gets its budget reserved in the fund. */
  status?: GrantRoundStatus;
  year?: number;
  /** Default first ¥3,000 × 2, second ¥2,000 × 3, third ¥1,000 × 5. */
  tiers?: GrantTierSpec[];
  /** Default ¥50,000. */
  constructionBudgetMinor?: number;
  /** Default ¥10,000: an award above it needs a second approver. */
  secondApprovalAboveMinor?: number;
  /** Default 40% at START, 40% at MIDTERM, 20% at COMPLETION. */
  trancheSchedule?: TrancheStepSpec[];
  targetDays?: { review: number; decision: number; payment: number; report: number };
  satisfactionThresholdPct?: number;
  minEvaluators?: number;
  createdBy?: string;
}

export interface GrantRoundRow {
  id: string;
  sourceFundId: string;
  currency: string;
  status: GrantRoundStatus;
  tiers: GrantTierSpec[];
  constructionBudgetMinor: number;
  secondApprovalAboveMinor: number;
  trancheSchedule: TrancheStepSpec[];
  /** Σ tier amount × count + construction budget: what is reserved in the fund. */
  budgetMinor: number;
  reservationId: string | null;
}

export const DEFAULT_TIERS: GrantTierSpec[] = [
  { key: 'first', nameZh: '一等奖', nameEn: 'First prize', amountMinor: 300_000, count: 2 },
  { key: 'second', nameZh: '二等奖', nameEn: 'Second prize', amountMinor: 200_000, count: 3 },
  { key: 'third', nameZh: '三等奖', nameEn: 'Third prize', amountMinor: 100_000, count: 5 },
];

export const DEFAULT_TRANCHE_SCHEDULE: TrancheStepSpec[] = [
  { key: 'start', percent: 40, unlock: 'START' },
  { key: 'midterm', percent: 40, unlock: 'MIDTERM' },
  { key: 'completion', percent: 20, unlock: 'COMPLETION' },
];

export const DEFAULT_RUBRIC = [
  { key: 'need', nameZh: '需求', nameEn: 'Need', weight: 40, min: 0, max: 10 },
  { key: 'design', nameZh: '设计', nameEn: 'Design', weight: 60, min: 0, max: 10 },
];

/**
 * A grant round paid from `fund`, in `status` (default OPEN), with its budget reserved in the
 * fund through `FundOutflowService.reserve` (source `round:<id>`) unless it is DRAFT. The fund
 * must hold the budget available (balance less other reservations), or this throws.
 * Windows: applications opened 30 days ago and closed yesterday, review closes in 10 days.
 */
export async function createGrantRound(
  t: TestApp,
  fund: FundView,
  options: GrantRoundOptions = {},
): Promise<GrantRoundRow> {
  const status = options.status ?? 'OPEN';
  const tiers = options.tiers ?? DEFAULT_TIERS;
  const construction = options.constructionBudgetMinor ?? 5_000_000;
  const schedule = options.trancheSchedule ?? DEFAULT_TRANCHE_SCHEDULE;
  const budget = tiers.reduce((s, x) => s + x.amountMinor * x.count, 0) + construction;
  const secondAbove = options.secondApprovalAboveMinor ?? 1_000_000;
  const createdBy = options.createdBy ?? (await createUser(t, ['GRANTS_OFFICER'])).id;
  const n = randomUUID().slice(0, 8);
  return t.get(TransactionService).run(async (m) => {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO grant_rounds (name_zh, name_en, year, source_fund_id, currency, status,
         applications_open_at, applications_close_at, review_close_at, tiers,
         construction_budget_minor, rubric, satisfaction_threshold_pct, min_evaluators,
         second_approval_above_minor, tranche_schedule, target_days, budget_minor, created_by)
       VALUES ($1, $2, $3, $4, $5, 'DRAFT', now() - interval '30 days', now() - interval '1 day',
         now() + interval '10 days', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       RETURNING id`,
      [
        `测试轮次${n}`,
        `Test round ${n}`,
        options.year ?? 2026,
        fund.id,
        fund.currency,
        JSON.stringify(tiers),
        construction,
        JSON.stringify(DEFAULT_RUBRIC),
        options.satisfactionThresholdPct ?? 80,
        options.minEvaluators ?? 3,
        secondAbove,
        JSON.stringify(schedule),
        JSON.stringify(options.targetDays ?? { review: 10, decision: 5, payment: 5, report: 7 }),
        budget,
        createdBy,
      ],
    );
    const id = rows[0]!.id;
    let reservationId: string | null = null;
    if (status !== 'DRAFT') {
      const outflow = t.get(FundOutflowService);
      const state = await outflow.lockOutflow(m, fund.id);
      const reservation = await outflow.reserve(
        m,
        state,
        `round:${id}`,
        budget,
        `项目评审 / Grant round ${n}`,
      );
      reservationId = reservation.id;
      await m.query(`UPDATE grant_rounds SET status = $2, reservation_id = $3 WHERE id = $1`, [
        id,
        status,
        reservationId,
      ]);
    }
    return {
      id,
      sourceFundId: fund.id,
      currency: fund.currency,
      status,
      tiers,
      constructionBudgetMinor: construction,
      secondApprovalAboveMinor: secondAbove,
      trancheSchedule: schedule,
      budgetMinor: budget,
      reservationId,
    };
  });
}

/** Moves a round to `status` (no checks: the rounds part owns the real transitions). */
export async function setGrantRoundStatus(
  t: TestApp,
  round: { id: string },
  status: GrantRoundStatus,
): Promise<void> {
  await t.dataSource.query(`UPDATE grant_rounds SET status = $2 WHERE id = $1`, [round.id, status]);
}

export type GrantApplicationStatus =
  'DRAFT' | 'SUBMITTED' | 'UNDER_REVIEW' | 'SHORTLISTED' | 'AWARDED' | 'DECLINED';

export interface GrantApplicationOptions {
  /** Default SHORTLISTED (submitted 20 days ago). */
  status?: GrantApplicationStatus;
  /** Default a new PLANNER of a new community. */
  applicant?: User;
  communityId?: string;
  title?: string;
  /** Default ¥80,000. */
  budgetTotalMinor?: number;
}

export interface GrantApplicationRow {
  id: string;
  roundId: string;
  communityId: string;
  applicantId: string;
  title: string;
  budgetTotalMinor: number;
  status: GrantApplicationStatus;
}

/**
 * An application in `round` (default SHORTLISTED) by a PLANNER of its community (created, with
 * the community, unless given). Returns the row and the applicant (with a bearer token).
 */
export async function createGrantApplication(
  t: TestApp,
  round: { id: string },
  options: GrantApplicationOptions = {},
): Promise<{ application: GrantApplicationRow; applicant: User }> {
  const communityId = options.communityId ?? (await createCommunity(t)).id;
  const applicant =
    options.applicant ?? (await createUser(t, ['PLANNER'], { communityIds: [communityId] }));
  const status = options.status ?? 'SHORTLISTED';
  const title = options.title ?? `社区花园改造 ${randomUUID().slice(0, 6)}`;
  const budget = options.budgetTotalMinor ?? 8_000_000;
  const rows: { id: string }[] = await t.dataSource.query(
    `INSERT INTO grant_applications (round_id, community_id, applicant_id, title, summary,
       budget_lines, budget_total_minor, status, submitted_at)
     VALUES ($1, $2, $3, $4, '测试申请 / Test application', $5, $6, $7,
       CASE WHEN $7 = 'DRAFT' THEN NULL ELSE now() - interval '20 days' END)
     RETURNING id`,
    [
      round.id,
      communityId,
      applicant.id,
      title,
      JSON.stringify([{ item: '材料 / Materials', amountMinor: budget }]),
      budget,
      status,
    ],
  );
  return {
    application: {
      id: rows[0]!.id,
      roundId: round.id,
      communityId,
      applicantId: applicant.id,
      title,
      budgetTotalMinor: budget,
      status,
    },
    applicant,
  };
}

/**
 * A review assignment of `reviewerId` on the application, SUBMITTED with scores by default
 * (or ASSIGNED, or RECUSED with a reason).
 */
export async function addGrantReview(
  t: TestApp,
  application: { id: string },
  reviewerId: string,
  options: {
    status?: 'ASSIGNED' | 'SUBMITTED' | 'RECUSED';
    scores?: Record<string, number>;
    assignedBy?: string;
  } = {},
): Promise<{ id: string }> {
  const status = options.status ?? 'SUBMITTED';
  const scores = options.scores ?? { need: 8, design: 7 };
  const assignedBy = options.assignedBy ?? (await createUser(t, ['GRANTS_OFFICER'])).id;
  const weighted =
    status === 'SUBMITTED'
      ? DEFAULT_RUBRIC.reduce((s, c) => s + (scores[c.key] ?? 0) * c.weight, 0) / 100
      : null;
  const rows: { id: string }[] = await t.dataSource.query(
    `INSERT INTO grant_review_assignments (application_id, reviewer_id, status, assigned_by, due_at,
       scores, weighted_score, recusal_reason, submitted_at)
     VALUES ($1, $2, $3, $4, now() + interval '10 days', $5, $6, $7,
       CASE WHEN $3 = 'SUBMITTED' THEN now() ELSE NULL END)
     RETURNING id`,
    [
      application.id,
      reviewerId,
      status,
      assignedBy,
      status === 'SUBMITTED' ? JSON.stringify(scores) : null,
      weighted,
      status === 'RECUSED' ? '同社区 / Same community' : null,
    ],
  );
  return rows[0]!;
}
