import type { INestApplicationContext } from '@nestjs/common';
import { type Actor, RequestContext } from '../common/context/request-context';
import { TransactionService } from '../database/transaction.service';
import { AccessService } from '../modules/accounts/access.service';
import { AllocationsService } from '../modules/allocations/allocations.service';
import { FundsService, type FundView } from '../modules/funds/funds.service';
import { AwardsService, type AwardDetail } from '../modules/grants/awards/awards.service';
import { ReportsService } from '../modules/grants/awards/reports.service';
import { TranchesService } from '../modules/grants/awards/tranches.service';
import { EvaluationsService } from '../modules/grants/evaluations/evaluations.service';
import { ExpensesService } from '../modules/grants/expenses/expenses.service';
import { ReviewsService } from '../modules/grants/reviews/reviews.service';
import { ApplicationsService } from '../modules/grants/rounds/applications.service';
import { RoundsService } from '../modules/grants/rounds/rounds.service';
import {
  DEMO_GRANTS_FUND,
  DEMO_ROUND_TIERS,
  DEMO_ROUNDS,
  DEMO_RUBRIC,
  type DemoProject,
  type DemoRound,
  YUAN,
} from './demo-data';

/** The demo people who act on grants (user ids), each acting as themselves. */
export interface GrantsCast {
  admin: string;
  finance: string;
  officer: string;
  leader: string;
  reviewer: string;
  /** The demo planner first, then the other applicant planners (DEMO_APPLICANTS order). */
  applicants: { userId: string; communityId: string }[];
}

const DAY_MS = 24 * 3_600_000;
const TARGET_DAYS = { review: 7, decision: 5, payment: 5, report: 5 };
/** Decision, approval and payment times cycle through these (most in 3–6 days). */
const SPEED_DAYS = [3, 4, 6, 5, 3, 5, 4, 6, 2, 8];

/**
 * The columns the back-dating step may move: timestamps only, never amounts, statuses or ledger
 * rows (journal entries, postings) or the audit log.
 */
const BACKDATABLE: Record<string, readonly string[]> = {
  grant_rounds: [
    'created_at',
    'updated_at',
    'applications_open_at',
    'applications_close_at',
    'review_close_at',
  ],
  fund_reservations: ['created_at'],
  grant_applications: ['created_at', 'updated_at', 'submitted_at', 'decision_due_at', 'decided_at'],
  grant_review_assignments: ['assigned_at', 'due_at', 'submitted_at'],
  grant_awards: [
    'proposed_at',
    'decision_due_at',
    'first_approved_at',
    'second_approved_at',
    'project_status_at',
  ],
  grant_tranches: ['requested_at', 'payment_due_at', 'decided_at'],
  grant_reports: ['submitted_at', 'decision_due_at', 'decided_at'],
  grant_inspections: ['recorded_at'],
  grant_evaluations: ['opened_at', 'closes_at', 'closed_at'],
  grant_evaluator_codes: ['created_at', 'used_at'],
  grant_evaluation_responses: ['created_at'],
};

/**
 * The demo story's calendar for one round, and what the services stamped "now" that happened
 * on another day in the story (applied by `backdate` once every step has gone through them).
 */
class Timeline {
  readonly rows = new Map<string, { table: string; id: string; set: Record<string, Date> }>();
  private turn = 0;
  /** Nothing in the story happens later than a few minutes ago. */
  private readonly latest = Date.now() - 10 * 60_000;
  constructor(
    private readonly base: Date,
    /** A finished round's story (days between steps as they were), or the current one's. */
    readonly historical: boolean,
  ) {}

  /** `day` days after the round's story begins, at `hour` o'clock Beijing time. */
  at(day: number, hour = 10): Date {
    const at = this.base.getTime() + day * DAY_MS + hour * 3_600_000;
    return new Date(Math.min(at, this.latest));
  }
  /** The story day that was `n` days ago. */
  daysAgo(n: number): number {
    return Math.floor((this.latest - this.base.getTime()) / DAY_MS) - n;
  }
  /** The next "how long did it take" figure, in days. */
  speed(): number {
    return SPEED_DAYS[this.turn++ % SPEED_DAYS.length]!;
  }
  set(table: string, id: string, set: Record<string, Date>): void {
    const allowed = BACKDATABLE[table];
    if (!allowed || Object.keys(set).some((c) => !allowed.includes(c)))
      throw new Error(`seed-demo: ${table} ${Object.keys(set).join(', ')} is not back-datable`);
    const key = `${table}:${id}`;
    const row = this.rows.get(key) ?? { table, id, set: {} };
    Object.assign(row.set, set);
    this.rows.set(key, row);
  }
}

const addDays = (d: Date, days: number) => new Date(d.getTime() + days * DAY_MS);
const isoDate = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * The grants demo (issue 10 item 12): a finished 2025 round (awards paid, projects completed and
 * evaluated, one in rectification, one still being built) and a 2026 round now awarding, with
 * applications in every state (DRAFT, SUBMITTED, UNDER_REVIEW, SHORTLISTED, AWARDED, DECLINED),
 * plus two expenses of a community fund (one paid, one waiting for finance).
 *
 * Every step goes through the grants services as the demo person whose job it is (four eyes:
 * the officer proposes, finance approves first and the admin second, the applicant reports and
 * asks for tranches, finance pays, the reviewer scores). The services stamp "now"; the 2025
 * round's story happened last year, so `backdate` then moves the timestamps (only those) of the
 * rows just written to the story's dates. A round already present (by year and English name) is
 * left alone, so a second run changes nothing.
 */
export async function seedDemoGrants(
  app: INestApplicationContext,
  cast: GrantsCast,
  general: FundView,
  leaderFund: FundView,
  out: NodeJS.WritableStream,
): Promise<void> {
  const funds = app.get(FundsService);
  const existing = await funds.findByCode(DEMO_GRANTS_FUND.code);
  let fund = existing ? await funds.get(existing.id) : null;
  if (!fund) {
    fund = await funds.create({
      kind: 'PROGRAM',
      code: DEMO_GRANTS_FUND.code,
      nameZh: DEMO_GRANTS_FUND.nameZh,
      nameEn: DEMO_GRANTS_FUND.nameEn,
    });
  }
  if (fund.status === 'PREPARING') fund = await funds.activate(fund.id);
  await app.get(AllocationsService).transfer({
    fromFundId: general.id,
    toFundId: fund.id,
    amountMinor: DEMO_GRANTS_FUND.topUpMinor,
    description: '社区规划项目资助预算',
    idempotencyKey: 'demo:grants-fund',
  });

  const actors = new Map<string, Actor>();
  const access = app.get(AccessService);
  const as = async <T>(userId: string, fn: () => Promise<T>): Promise<T> => {
    let actor = actors.get(userId);
    if (!actor) {
      actor = (await access.actorFor(userId, 'session')) ?? undefined;
      if (!actor) throw new Error(`seed-demo: demo user ${userId} is not active`);
      actors.set(userId, actor);
    }
    return RequestContext.run({ actor, requestId: 'cli:seed-demo' }, fn);
  };

  const rounds = app.get(RoundsService);
  const lines: string[] = [];
  for (const spec of DEMO_ROUNDS) {
    const found = (await rounds.list({ year: spec.year })).find((r) => r.nameEn === spec.nameEn);
    if (found) {
      lines.push(`${spec.year} round exists already (${found.status}), left as it is`);
      continue;
    }
    const historical = spec.finished;
    // A finished round's story starts on 1 March of its year; the current round's 60 days ago.
    const base = historical
      ? new Date(`${spec.year}-03-01T00:00:00+08:00`)
      : new Date(Math.floor((Date.now() - 60 * DAY_MS) / DAY_MS) * DAY_MS - 8 * 3_600_000);
    const timeline = new Timeline(base, historical);
    const summary = await seedRound(app, as, cast, fund, spec, timeline);
    await backdate(app, timeline);
    lines.push(summary);
  }

  const expenses = await seedDemoExpenses(app, as, cast, leaderFund);
  out.write(`Grants demo: ${lines.join('; ')}; ${expenses}.\n`);
}

type As = <T>(userId: string, fn: () => Promise<T>) => Promise<T>;

async function seedRound(
  app: INestApplicationContext,
  as: As,
  cast: GrantsCast,
  fund: FundView,
  spec: DemoRound,
  t: Timeline,
): Promise<string> {
  const rounds = app.get(RoundsService);
  const applications = app.get(ApplicationsService);
  const reviews = app.get(ReviewsService);
  const awards = app.get(AwardsService);
  const now = Date.now();

  // The round: applications open now for the services; back-dated to the story's window below.
  const round = await as(cast.officer, () =>
    rounds.create({
      nameZh: spec.nameZh,
      nameEn: spec.nameEn,
      year: spec.year,
      sourceFundId: fund.id,
      applicationsOpenAt: new Date(now - 3_600_000),
      applicationsCloseAt: new Date(now + 30 * DAY_MS),
      reviewCloseAt: new Date(now + 40 * DAY_MS),
      tiers: DEMO_ROUND_TIERS,
      constructionBudgetMinor: spec.constructionBudgetYuan * YUAN,
      rubric: DEMO_RUBRIC,
      satisfactionThresholdPct: 80,
      minEvaluators: 10,
      secondApprovalAboveMinor: 100_000 * YUAN,
      trancheSchedule: [
        { key: 'start', percent: 40, unlock: 'START' },
        { key: 'midterm', percent: 40, unlock: 'MIDTERM' },
        { key: 'completion', percent: 20, unlock: 'COMPLETION' },
      ],
      targetDays: TARGET_DAYS,
    }),
  );
  await as(cast.officer, () => rounds.open(round.id));
  const openedDay = 0;
  const closeDay = 30;
  t.set('grant_rounds', round.id, {
    created_at: t.at(-5),
    updated_at: t.at(closeDay + 10),
    applications_open_at: t.at(openedDay, 0),
    applications_close_at: t.at(closeDay, 18),
    review_close_at: t.at(closeDay + 10, 18),
  });
  const reservation: { id: string }[] = await app
    .get(TransactionService)
    .run((m) =>
      m.query(`SELECT id FROM fund_reservations WHERE source = $1`, [`round:${round.id}`]),
    );
  t.set('fund_reservations', reservation[0]!.id, { created_at: t.at(openedDay, 9) });

  // Applications: created and submitted by their planners while the round is open.
  const made: { project: DemoProject; id: string; submitted: Date | null }[] = [];
  for (const [i, project] of spec.projects.entries()) {
    const applicant = cast.applicants[project.applicant]!;
    const created = await as(applicant.userId, () =>
      applications.create(round.id, {
        communityId: applicant.communityId,
        title: project.title,
        summary: project.summary,
        budgetLines: project.budget.map(([item, yuan]) => ({ item, amountMinor: yuan * YUAN })),
      }),
    );
    const createdAt = t.at(2 + 2 * i, 9);
    let submitted: Date | null = null;
    if (project.outcome !== 'DRAFT') {
      await as(applicant.userId, () => applications.submit(created.id));
      submitted = t.at(4 + 2 * i, 16);
      t.set('grant_applications', created.id, {
        submitted_at: submitted,
        decision_due_at: addDays(submitted, TARGET_DAYS.decision),
      });
    }
    t.set('grant_applications', created.id, { created_at: createdAt, updated_at: createdAt });
    made.push({ project, id: created.id, submitted });
  }
  await as(cast.officer, () => rounds.startReview(round.id, true));

  // Reviews and decisions: the officer assigns the reviewer, who scores; the officer decides.
  for (const { project, id, submitted } of made) {
    if (!submitted || project.outcome === 'SUBMITTED') continue;
    const review = await as(cast.officer, () => reviews.assign(id, cast.reviewer));
    const assigned = addDays(submitted, 1);
    t.set('grant_review_assignments', review.id, {
      assigned_at: assigned,
      due_at: addDays(assigned, TARGET_DAYS.review),
    });
    if (project.outcome === 'UNDER_REVIEW' || !project.scores) continue;
    const [need, design, participation, feasibility] = project.scores;
    await as(cast.reviewer, () =>
      reviews.score(
        review.id,
        { need, design, participation, feasibility },
        need >= 7 ? '需求明确，方案可行。' : '与社区公共需求关联较弱。',
      ),
    );
    t.set('grant_review_assignments', review.id, { submitted_at: addDays(assigned, 1) });
    const decided = addDays(submitted, t.speed());
    if (project.outcome === 'DECLINED') {
      await as(cast.officer, () =>
        applications.decline(id, '本轮优先支持公共空间与适老化改造项目。'),
      );
    } else {
      await as(cast.officer, () => applications.shortlist(id));
    }
    t.set('grant_applications', id, { decided_at: decided, updated_at: decided });
  }

  await as(cast.officer, () => rounds.startAwarding(round.id));

  // Awards: the officer proposes the whole list first (each checked against the round's
  // reservation), then finance approves (and the admin second, above the threshold).
  const proposals: { project: DemoProject; award: AwardDetail; day: number }[] = [];
  const awardDay = closeDay + 12;
  for (const { project, id } of made) {
    if (!project.tierKey) continue;
    const award = await as(cast.officer, () =>
      awards.propose(round.id, {
        applicationId: id,
        tierKey: project.tierKey!,
        constructionMinor: (project.constructionYuan ?? 0) * YUAN,
      }),
    );
    const day = awardDay + (project.outcome === 'PROPOSED' ? 4 : 0);
    const proposed = t.at(day, 11 + proposals.length);
    t.set('grant_awards', award.id, {
      proposed_at: proposed,
      decision_due_at: addDays(proposed, TARGET_DAYS.decision),
      project_status_at: proposed,
    });
    proposals.push({ project, award, day });
  }
  const projects: { project: DemoProject; award: AwardDetail; approvedDay: number }[] = [];
  for (const { project, award, day } of proposals) {
    if (project.outcome === 'PROPOSED') continue;
    let result = await as(cast.finance, () => awards.approve(award.id));
    const firstDay = day + t.speed();
    t.set('grant_awards', award.id, { first_approved_at: t.at(firstDay, 15) });
    let approvedDay = firstDay;
    if (award.needsSecondApproval) {
      result = await as(cast.admin, () => awards.approve(award.id));
      approvedDay = firstDay + 1;
      t.set('grant_awards', award.id, { second_approved_at: t.at(approvedDay, 10) });
    }
    t.set('grant_awards', award.id, { project_status_at: t.at(approvedDay, 15) });
    projects.push({ project, award: result.award, approvedDay });
  }

  // A finished round closes once its awards are decided (what they do not need goes back).
  if (t.historical) await as(cast.officer, () => rounds.close(round.id));

  // The projects: reports, tranches, inspection and evaluation, as far as each one got.
  let paidTranches = 0;
  for (const [i, { project, award, approvedDay }] of projects.entries()) {
    const startDay = approvedDay + (t.historical ? 10 + 3 * i : 2 + i);
    paidTranches += await runProject(app, as, cast, t, project, award, startDay);
  }
  const final = await rounds.get(round.id);
  const states = [...new Set(made.map((m) => m.project.outcome))].length;
  return (
    `${spec.year} round "${spec.nameEn}" ${final.status} with ${made.length} applications ` +
    `(${states} outcomes), ${projects.length} awards approved, ${paidTranches} tranches paid`
  );
}

/**
 * One approved project from its approval on `startDay` (story day) to its outcome: START report
 * → first tranche → MIDTERM report → second tranche → COMPLETION report and inspection →
 * evaluation by residents → last tranche. Returns the number of tranches paid.
 */
async function runProject(
  app: INestApplicationContext,
  as: As,
  cast: GrantsCast,
  t: Timeline,
  project: DemoProject,
  award: AwardDetail,
  startDay: number,
): Promise<number> {
  const reports = app.get(ReportsService);
  const tranches = app.get(TranchesService);
  const evaluations = app.get(EvaluationsService);
  const grantee = cast.applicants[project.applicant]!.userId;
  const outcome = project.outcome;
  if (outcome === 'AWARDED') return 0;
  let day = startDay;
  let paid = 0;

  const report = async (
    kind: 'START' | 'MIDTERM' | 'COMPLETION' | 'RECTIFICATION',
    accept: boolean,
  ): Promise<string> => {
    const texts = REPORT_TEXTS[kind];
    const submitted = await as(grantee, () =>
      reports.submit(award.id, { kind, body: texts.body, publicSummary: texts.summary }),
    );
    const at = t.at(day, 17);
    t.set('grant_reports', submitted.id, {
      submitted_at: at,
      decision_due_at: addDays(at, TARGET_DAYS.report),
    });
    if (!accept) return submitted.id;
    await as(cast.officer, () => reports.accept(submitted.id));
    day += t.speed();
    t.set('grant_reports', submitted.id, { decided_at: t.at(day, 11) });
    t.set('grant_awards', award.id, { project_status_at: t.at(day, 11) });
    return submitted.id;
  };
  const tranche = async (seq: number, pay: boolean) => {
    const id = award.tranches.find((x) => x.seq === seq)!.id;
    await as(grantee, () => tranches.request(id));
    day += 1;
    const requested = t.at(day, 10);
    t.set('grant_tranches', id, {
      requested_at: requested,
      payment_due_at: addDays(requested, TARGET_DAYS.payment),
    });
    if (!pay) return;
    await as(cast.finance, () => tranches.pay(id));
    day += t.speed();
    t.set('grant_tranches', id, { decided_at: t.at(day, 14) });
    t.set('grant_awards', award.id, { project_status_at: t.at(day, 14) });
    paid += 1;
  };

  if (outcome === 'STARTED') {
    await report('START', true);
    await tranche(1, false);
    return paid;
  }
  await report('START', true);
  await tranche(1, true);
  day += 60;
  await report('MIDTERM', true);
  await tranche(2, true);
  // Still being built (the works were delayed): nothing waits for anyone.
  if (outcome === 'IN_PROGRESS') return paid;
  day += 70;
  const completionId = await report('COMPLETION', false);
  day += 4;
  const inspection = await as(cast.officer, () =>
    reports.recordInspection(award.id, {
      inspectingBody: '街道办事处城建科',
      result: 'PASSED',
      notes: '现场查验，与设计方案一致。',
      inspectedOn: isoDate(t.at(day)),
    }),
  );
  t.set('grant_inspections', inspection.id, { recorded_at: t.at(day, 16) });
  await as(cast.officer, () => reports.accept(completionId));
  day += 2;
  t.set('grant_reports', completionId, { decided_at: t.at(day, 11) });
  t.set('grant_awards', award.id, { project_status_at: t.at(day, 11) });

  // The residents' evaluation: ten printed codes, answered on the public page.
  day += 3;
  const opened = await as(cast.officer, () =>
    evaluations.open(award.id, { residentCodes: 7, stakeholderCodes: 3 }),
  );
  const openedAt = t.at(day, 9);
  t.set('grant_evaluations', opened.id, { opened_at: openedAt, closes_at: addDays(openedAt, 14) });
  const satisfiedCount = outcome === 'RECTIFICATION' ? 5 : 9;
  for (const [n, code] of opened.codes.entries()) {
    const satisfied = n < satisfiedCount;
    await evaluations.respond({
      code: code.code,
      satisfied,
      score: satisfied ? 4 + (n % 2) : 2 + (n % 2),
      comment: satisfied ? RESIDENT_PRAISE[n % RESIDENT_PRAISE.length]! : RESIDENT_CONCERNS[n % 2]!,
    });
  }
  await backdateResponses(app, opened.id, t, day, openedAt);
  await as(cast.officer, () => evaluations.close(opened.id));
  day += 8;
  t.set('grant_evaluations', opened.id, { closed_at: t.at(day, 17) });
  t.set('grant_awards', award.id, { project_status_at: t.at(day, 17) });

  if (outcome === 'RECTIFICATION') {
    // The rectification works took months; their report came in a few days ago.
    day = Math.max(day + 20, t.daysAgo(3));
    await report('RECTIFICATION', false);
    return paid;
  }
  // EVALUATED: the last tranche waits for the final accounts (决算), asked for two days ago.
  if (outcome === 'EVALUATED') day = Math.max(day, t.daysAgo(3));
  await tranche(3, outcome === 'CLOSED');
  return paid;
}

const REPORT_TEXTS = {
  START: {
    body: '施工单位已进场，居民议事会确认施工方案与工期，完成开工公示。',
    summary: '项目已开工，施工期间请居民注意安全。',
  },
  MIDTERM: {
    body: '主体工程完成约六成，组织两次居民意见征集，根据意见调整了座椅位置。',
    summary: '工程过半，已根据居民意见调整设计。',
  },
  COMPLETION: {
    body: '全部工程完工，完成竣工清理与资料归档，提交验收申请。',
    summary: '项目完工，欢迎居民使用并提出意见。',
  },
  RECTIFICATION: {
    body: '针对居民评价提出的地垫松动、遮阳不足等问题，已更换地垫并加装遮阳网。',
    summary: '已根据居民评价完成整改，申请重新评价。',
  },
} as const;
const RESIDENT_PRAISE = [
  '环境好多了，老人孩子都爱来。',
  '设计贴心，施工也很规范。',
  '',
  '希望多做这样的项目。',
];
const RESIDENT_CONCERNS = ['地垫有松动，孩子容易绊倒。', '夏天太晒，缺少遮阳。'];

/** Codes were printed when the evaluation opened; each was used (and answered) on a later evening. */
async function backdateResponses(
  app: INestApplicationContext,
  evaluationId: string,
  t: Timeline,
  day: number,
  openedAt: Date,
): Promise<void> {
  const rows: { code_id: string; response_id: string | null }[] = await app
    .get(TransactionService)
    .run((m) =>
      m.query(
        `SELECT c.id AS code_id, r.id AS response_id
           FROM grant_evaluator_codes c
           LEFT JOIN grant_evaluation_responses r ON r.code_id = c.id
          WHERE c.evaluation_id = $1 ORDER BY c.created_at, c.id`,
        [evaluationId],
      ),
    );
  rows.forEach((r, n) => {
    const used = t.at(day + 1 + (n % 6), 19);
    t.set('grant_evaluator_codes', r.code_id, {
      created_at: openedAt,
      ...(r.response_id ? { used_at: used } : {}),
    });
    if (r.response_id) t.set('grant_evaluation_responses', r.response_id, { created_at: used });
  });
}

/**
 * The back-dating step: moves the timestamps the services stamped "now" to the demo story's
 * dates, in one transaction. Only columns listed in BACKDATABLE (timestamps) are touched; amounts,
 * statuses, journal entries, postings and the audit log are left exactly as the services wrote
 * them (the audit log keeps the real time the demo was seeded).
 */
async function backdate(app: INestApplicationContext, t: Timeline): Promise<void> {
  await app.get(TransactionService).run(async (m) => {
    for (const { table, id, set } of t.rows.values()) {
      const columns = Object.keys(set);
      const assignments = columns.map((c, i) => `${c} = $${i + 2}`).join(', ');
      await m.query(`UPDATE ${table} SET ${assignments} WHERE id = $1`, [
        id,
        ...columns.map((c) => set[c]),
      ]);
    }
  });
}

/**
 * Two expenses of the demo leader's community fund: one paid by finance, one waiting. Each has a
 * fixed idempotency key, so a second run finds them and changes nothing.
 */
async function seedDemoExpenses(
  app: INestApplicationContext,
  as: As,
  cast: GrantsCast,
  fund: FundView,
): Promise<string> {
  const expenses = app.get(ExpensesService);
  const paid = await as(cast.leader, () =>
    expenses.request(fund.id, {
      payee: '绿园园林绿化有限公司',
      purpose: '社区公共绿地补种与养护（第四季度）',
      amountMinor: 3_860 * YUAN,
      idempotencyKey: 'demo:expense:greening-q4',
    }),
  );
  if (paid.expense.status === 'REQUESTED') {
    await as(cast.finance, () => expenses.pay(paid.expense.id, '已核对发票与验收单。'));
  }
  const waiting = await as(cast.leader, () =>
    expenses.request(fund.id, {
      payee: '安达消防器材经营部',
      purpose: '楼道灭火器更换（42具）',
      amountMinor: 2_520 * YUAN,
      idempotencyKey: 'demo:expense:extinguishers',
    }),
  );
  const replayed = paid.replayed && waiting.replayed;
  return replayed
    ? 'the demo expenses exist already'
    : `expenses of ${fund.nameEn}: 1 paid, 1 waiting for finance`;
}
