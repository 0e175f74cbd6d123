import { randomUUID } from 'node:crypto';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { transferPostings } from '../../src/modules/ledger/journal';
import type { FundView } from '../../src/modules/funds/funds.service';
import type { TestApp } from '../utils/test-app';

/*
 * Grant rows inserted directly (the insights part reads what the other parts write): rounds,
 * applications, reviews, awards, tranches, reports, inspections, evaluations and expenses, with
 * the ledger entries of paid ones posted through LedgerService (the fund's money really leaves).
 */

const DAY = 86_400_000;
export const daysAgo = (n: number, from = new Date()) => new Date(from.getTime() - n * DAY);
export const daysFrom = (n: number, from = new Date()) => new Date(from.getTime() + n * DAY);

type Row = Record<string, unknown>;
const one = async (t: TestApp, sql: string, params: unknown[]): Promise<Row> =>
  (await t.dataSource.query<Row[]>(sql, params))[0]!;

async function payee(t: TestApp, code: 'payees:grants' | 'payees:expenses', currency: string) {
  return t.get(LedgerService).ensureAccount({
    code,
    name:
      code === 'payees:grants'
        ? '项目资助收款方 / Grant recipients'
        : '费用收款方 / Expense payees',
    type: 'EXTERNAL',
    currency,
    allowNegative: true,
  });
}

/** Posts a payout from the fund (kind GRANT_AWARD, GRANT_TRANCHE or EXPENSE); returns the entry id. */
export async function payOut(
  t: TestApp,
  fund: FundView,
  kind: 'GRANT_AWARD' | 'GRANT_TRANCHE' | 'EXPENSE',
  amountMinor: number,
  key: string,
  description: string,
): Promise<string> {
  const to = await payee(
    t,
    kind === 'EXPENSE' ? 'payees:expenses' : 'payees:grants',
    fund.currency,
  );
  const { entry } = await t.get(LedgerService).post({
    idempotencyKey: key,
    kind,
    description,
    currency: fund.currency,
    postings: transferPostings(fund.accountId, to.id, amountMinor),
  });
  return entry.id;
}

export interface RoundRow {
  id: string;
  fund: FundView;
  year: number;
}

export async function insightsRound(
  t: TestApp,
  fund: FundView,
  opts: { year: number; createdBy: string; nameZh?: string; nameEn?: string },
): Promise<RoundRow> {
  const n = randomUUID().slice(0, 6);
  const budget = 1_000_000_00;
  const reservation = await one(
    t,
    `INSERT INTO fund_reservations (fund_id, source, description, reserved_minor)
     VALUES ($1, $2, 'test', $3) RETURNING id`,
    [fund.id, `round:test-${n}`, 0],
  );
  const row = await one(
    t,
    `INSERT INTO grant_rounds (name_zh, name_en, year, source_fund_id, currency, status,
       applications_open_at, applications_close_at, review_close_at, tiers, rubric,
       second_approval_above_minor, tranche_schedule, target_days, budget_minor, reservation_id, created_by)
     VALUES ($1, $2, $3, $4, $5, 'AWARDING', now() - interval '60 days', now() - interval '30 days',
       now() - interval '20 days', $6, $7, 50000000, $8, $9, $10, $11, $12)
     RETURNING id`,
    [
      opts.nameZh ?? `${opts.year}年度项目评审${n}`,
      opts.nameEn ?? `${opts.year} project review ${n}`,
      opts.year,
      fund.id,
      fund.currency,
      JSON.stringify([
        {
          key: 'first',
          nameZh: '一等奖',
          nameEn: 'First prize',
          amountMinor: 30_000_000,
          count: 3,
        },
      ]),
      JSON.stringify([
        { key: 'impact', nameZh: '影响', nameEn: 'Impact', weight: 1, min: 0, max: 10 },
      ]),
      JSON.stringify([
        { key: 'start', percent: 40, unlock: 'START' },
        { key: 'mid', percent: 40, unlock: 'MIDTERM' },
        { key: 'end', percent: 20, unlock: 'COMPLETION' },
      ]),
      JSON.stringify({ review: 5, decision: 5, payment: 5, report: 5 }),
      budget,
      reservation.id,
      opts.createdBy,
    ],
  );
  return { id: String(row.id), fund, year: opts.year };
}

export async function insightsApplication(
  t: TestApp,
  round: RoundRow,
  opts: {
    communityId: string;
    applicantId: string;
    title?: string;
    summary?: string;
    status?: 'SUBMITTED' | 'UNDER_REVIEW' | 'SHORTLISTED' | 'DECLINED' | 'AWARDED';
    submittedAt?: Date;
    decidedAt?: Date | null;
    decisionDueAt?: Date;
  },
): Promise<{ id: string; title: string }> {
  const title = opts.title ?? `项目 ${randomUUID().slice(0, 6)}`;
  const submittedAt = opts.submittedAt ?? daysAgo(20);
  const row = await one(
    t,
    `INSERT INTO grant_applications (round_id, community_id, applicant_id, title, summary, status,
       submitted_at, decision_due_at, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      round.id,
      opts.communityId,
      opts.applicantId,
      title,
      opts.summary ?? '',
      opts.status ?? 'SUBMITTED',
      submittedAt,
      opts.decisionDueAt ?? daysFrom(5, submittedAt),
      opts.decidedAt ?? null,
    ],
  );
  return { id: String(row.id), title };
}

export async function insightsReview(
  t: TestApp,
  applicationId: string,
  opts: {
    reviewerId: string;
    assignedBy: string;
    dueAt: Date;
    comment?: string;
    submitted?: boolean;
  },
): Promise<string> {
  const row = await one(
    t,
    `INSERT INTO grant_review_assignments (application_id, reviewer_id, status, assigned_by, due_at,
       scores, weighted_score, comment, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      applicationId,
      opts.reviewerId,
      opts.submitted ? 'SUBMITTED' : 'ASSIGNED',
      opts.assignedBy,
      opts.dueAt,
      opts.submitted ? JSON.stringify({ impact: 7 }) : null,
      opts.submitted ? 7 : null,
      opts.comment ?? '',
      opts.submitted ? new Date() : null,
    ],
  );
  return String(row.id);
}

export interface AwardRow {
  id: string;
  round: RoundRow;
  title: string;
}

export async function insightsAward(
  t: TestApp,
  round: RoundRow,
  application: { id: string; title: string },
  opts: {
    proposedBy: string;
    approvedBy?: string;
    status?: 'PROPOSED' | 'APPROVED' | 'REJECTED';
    designMinor?: number;
    constructionMinor?: number;
    projectStatus?: string;
    decisionDueAt?: Date;
    payDesign?: boolean;
  },
): Promise<AwardRow> {
  const status = opts.status ?? 'APPROVED';
  const design = opts.designMinor ?? 10_000_00;
  const row = await one(
    t,
    `INSERT INTO grant_awards (round_id, application_id, tier_key, design_award_minor, construction_minor,
       currency, status, needs_second_approval, proposed_by, decision_due_at, first_approved_by,
       first_approved_at, project_status)
     VALUES ($1, $2, 'first', $3, $4, $5, $6, false, $7, $8, $9, $10, $11) RETURNING id`,
    [
      round.id,
      application.id,
      design,
      opts.constructionMinor ?? 0,
      round.fund.currency,
      status,
      opts.proposedBy,
      opts.decisionDueAt ?? daysFrom(5),
      status === 'APPROVED' ? opts.approvedBy : null,
      status === 'APPROVED' ? new Date() : null,
      opts.projectStatus ?? 'NOT_STARTED',
    ],
  );
  const id = String(row.id);
  if (status === 'APPROVED' && opts.payDesign !== false) {
    const entryId = await payOut(
      t,
      round.fund,
      'GRANT_AWARD',
      design,
      `grant-award:${id}:design`,
      `设计奖励：${application.title} / Design award: ${application.title}`,
    );
    await t.dataSource.query(`UPDATE grant_awards SET design_entry_id = $2 WHERE id = $1`, [
      id,
      entryId,
    ]);
  }
  return { id, round, title: application.title };
}

export async function insightsTranche(
  t: TestApp,
  award: AwardRow,
  opts: {
    seq: number;
    amountMinor: number;
    status: 'SCHEDULED' | 'REQUESTED' | 'PAID';
    requestedBy?: string;
    requestedAt?: Date;
    paymentDueAt?: Date;
    decidedBy?: string;
    decidedAt?: Date;
  },
): Promise<string> {
  const row = await one(
    t,
    `INSERT INTO grant_tranches (award_id, seq, key, percent, unlock, amount_minor, status,
       requested_by, requested_at, payment_due_at)
     VALUES ($1, $2, $3, 20, 'START', $4, $5, $6, $7, $8) RETURNING id`,
    [
      award.id,
      opts.seq,
      `t${opts.seq}`,
      opts.amountMinor,
      opts.status === 'SCHEDULED' ? 'SCHEDULED' : 'REQUESTED',
      opts.status === 'SCHEDULED' ? null : opts.requestedBy,
      opts.status === 'SCHEDULED' ? null : (opts.requestedAt ?? new Date()),
      opts.status === 'SCHEDULED' ? null : (opts.paymentDueAt ?? daysFrom(5, opts.requestedAt)),
    ],
  );
  const id = String(row.id);
  if (opts.status === 'PAID') {
    const entryId = await payOut(
      t,
      award.round.fund,
      'GRANT_TRANCHE',
      opts.amountMinor,
      `grant-tranche:${id}`,
      `建设资金第${opts.seq}笔：${award.title} / Construction tranche ${opts.seq}: ${award.title}`,
    );
    await t.dataSource.query(
      `UPDATE grant_tranches SET status = 'PAID', decided_by = $2, decided_at = $3, entry_id = $4 WHERE id = $1`,
      [id, opts.decidedBy, opts.decidedAt ?? new Date(), entryId],
    );
  }
  return id;
}

export async function insightsReport(
  t: TestApp,
  award: AwardRow,
  opts: {
    kind: 'START' | 'MIDTERM' | 'COMPLETION' | 'RECTIFICATION';
    submittedBy: string;
    body?: string;
    publicSummary?: string;
    status?: 'SUBMITTED' | 'ACCEPTED' | 'RETURNED';
    decidedBy?: string;
    decidedAt?: Date;
    decisionDueAt?: Date;
  },
): Promise<string> {
  const status = opts.status ?? 'SUBMITTED';
  const row = await one(
    t,
    `INSERT INTO grant_reports (award_id, kind, body, public_summary, status, submitted_by,
       decision_due_at, decided_by, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      award.id,
      opts.kind,
      opts.body ?? 'report body',
      opts.publicSummary ?? '',
      status,
      opts.submittedBy,
      opts.decisionDueAt ?? daysFrom(5),
      status === 'SUBMITTED' ? null : opts.decidedBy,
      status === 'SUBMITTED' ? null : (opts.decidedAt ?? new Date()),
    ],
  );
  return String(row.id);
}

export async function insightsInspection(
  t: TestApp,
  award: AwardRow,
  opts: {
    body: string;
    result: 'PASSED' | 'FAILED';
    inspectedOn: string;
    recordedBy: string;
    notes?: string;
  },
): Promise<void> {
  await t.dataSource.query(
    `INSERT INTO grant_inspections (award_id, inspecting_body, result, notes, inspected_on, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [award.id, opts.body, opts.result, opts.notes ?? '', opts.inspectedOn, opts.recordedBy],
  );
}

let codeSeq = 0;
/** An evaluator code: 8+ characters from A–Z and 2–9. */
function newCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let n = ++codeSeq * 7919 + Math.floor(Math.random() * 1e6);
  let s = '';
  for (let i = 0; i < 10; i++) {
    s += alphabet[n % alphabet.length];
    n = Math.floor(n / alphabet.length) + i * 13;
  }
  return s;
}

/** An evaluation with one code and response per entry; closed ones carry their counted result. */
export async function insightsEvaluation(
  t: TestApp,
  award: AwardRow,
  opts: {
    seq: number;
    status: 'OPEN' | 'PASSED' | 'FAILED';
    openedBy: string;
    closesAt?: Date;
    responses?: { satisfied: boolean; score: number; comment?: string }[];
    codeLabel?: string;
  },
): Promise<{ id: string; codes: string[] }> {
  const responses = opts.responses ?? [];
  const closed = opts.status !== 'OPEN';
  const satisfied = responses.filter((r) => r.satisfied).length;
  const mean =
    responses.length > 0 ? responses.reduce((s, r) => s + r.score, 0) / responses.length : null;
  const row = await one(
    t,
    `INSERT INTO grant_evaluations (award_id, seq, status, threshold_pct, min_responses,
       result_responses, result_satisfied, result_mean_score, opened_by, closes_at, closed_at)
     VALUES ($1, $2, $3, 80, 1, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      award.id,
      opts.seq,
      opts.status,
      closed ? responses.length : null,
      closed ? satisfied : null,
      closed && mean !== null ? mean.toFixed(2) : null,
      opts.openedBy,
      opts.closesAt ?? daysFrom(7),
      closed ? new Date() : null,
    ],
  );
  const id = String(row.id);
  const codes: string[] = [];
  for (const r of responses) {
    const code = newCode();
    codes.push(code);
    const c = await one(
      t,
      `INSERT INTO grant_evaluator_codes (evaluation_id, code, label, panel, used_at)
       VALUES ($1, $2, $3, 'RESIDENT', now()) RETURNING id`,
      [id, code, opts.codeLabel ?? ''],
    );
    await t.dataSource.query(
      `INSERT INTO grant_evaluation_responses (evaluation_id, code_id, satisfied, score, comment)
       VALUES ($1, $2, $3, $4, $5)`,
      [id, c.id, r.satisfied, r.score, r.comment ?? ''],
    );
  }
  return { id, codes };
}

export async function insightsExpense(
  t: TestApp,
  fund: FundView,
  opts: {
    requestedBy: string;
    amountMinor: number;
    purpose?: string;
    payee?: string;
    status?: 'REQUESTED' | 'PAID';
    paymentDueAt?: Date;
    decidedBy?: string;
  },
): Promise<string> {
  const purpose = opts.purpose ?? '长者日间照料用品';
  const payeeName = opts.payee ?? '社区超市';
  const row = await one(
    t,
    `INSERT INTO fund_expenses (fund_id, payee, purpose, amount_minor, currency, requested_by, payment_due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      fund.id,
      payeeName,
      purpose,
      opts.amountMinor,
      fund.currency,
      opts.requestedBy,
      opts.paymentDueAt ?? daysFrom(5),
    ],
  );
  const id = String(row.id);
  if (opts.status === 'PAID') {
    const entryId = await payOut(
      t,
      fund,
      'EXPENSE',
      opts.amountMinor,
      `expense:${id}`,
      `支出：${purpose}（${payeeName}） / Expense: ${purpose} (${payeeName})`,
    );
    await t.dataSource.query(
      `UPDATE fund_expenses SET status = 'PAID', decided_by = $2, decided_at = now(), entry_id = $3 WHERE id = $1`,
      [id, opts.decidedBy, entryId],
    );
  }
  return id;
}
