import { createUser } from './accounts.factory';
import { createCommunity, createFund } from './foundation.factory';
import type { TestApp } from '../utils/test-app';

/**
 * A completed, awarded project written straight into the grants tables (round, application,
 * approved award), for the evaluation tests: they do not depend on the rounds and awards code.
 */
export async function createCompletedProject(
  t: TestApp,
  opts: {
    minEvaluators?: number;
    thresholdPct?: number;
    title?: string;
    publicSummary?: string;
    /**
     * The construction tranche still to pay after a passed evaluation (unlock COMPLETION, SCHEDULED):
     * true by default, so a passed project is EVALUATED; false for a project with nothing left to
     * pay, which a passed evaluation closes at once.
     */
    lastTranche?: boolean;
    /** Reuse people (creating users is slow): the grantee needs PLANNER of `communityId`. */
    people?: {
      grantee: Awaited<ReturnType<typeof createUser>>;
      communityId: string;
      proposerId: string;
      approverId: string;
    };
  } = {},
): Promise<{
  awardId: string;
  applicationId: string;
  roundId: string;
  grantee: Awaited<ReturnType<typeof createUser>>;
  communityId: string;
}> {
  const fund = await createFund(t, { kind: 'PROGRAM' });
  const community = opts.people ? { id: opts.people.communityId } : await createCommunity(t);
  const grantee =
    opts.people?.grantee ?? (await createUser(t, ['PLANNER'], { communityIds: [community.id] }));
  const proposer = opts.people
    ? { id: opts.people.proposerId }
    : await createUser(t, ['GRANTS_OFFICER']);
  const approver = opts.people ? { id: opts.people.approverId } : await createUser(t, ['FINANCE']);
  const q = (sql: string, params: unknown[]) => t.dataSource.query<{ id: string }[]>(sql, params);
  const [reservation] = await q(
    `INSERT INTO fund_reservations (fund_id, source, reserved_minor) VALUES ($1, 'round:' || gen_random_uuid(), 0) RETURNING id`,
    [fund.id],
  );
  const [round] = await q(
    `INSERT INTO grant_rounds (name_zh, name_en, year, source_fund_id, currency, status,
       applications_open_at, applications_close_at, review_close_at, tiers, rubric,
       satisfaction_threshold_pct, min_evaluators, second_approval_above_minor, tranche_schedule,
       target_days, budget_minor, reservation_id)
     VALUES ('2025 年度项目评审', '2025 project review', 2025, $1, 'CNY', 'AWARDING',
       '2025-01-01', '2025-03-01', '2025-04-01',
       '[{"key":"first","nameZh":"一等","nameEn":"First","amountMinor":10000000,"count":3}]',
       '[{"key":"impact","nameZh":"影响","nameEn":"Impact","weight":1,"min":0,"max":10}]',
       $2, $3, 50000000,
       '[{"key":"start","percent":40,"unlock":"START"},{"key":"mid","percent":40,"unlock":"MIDTERM"},{"key":"end","percent":20,"unlock":"COMPLETION"}]',
       '{"review":5,"decision":5,"payment":5,"report":5}', 30000000, $4)
     RETURNING id`,
    [fund.id, opts.thresholdPct ?? 80, opts.minEvaluators ?? 10, reservation!.id],
  );
  const [application] = await q(
    `INSERT INTO grant_applications (round_id, community_id, applicant_id, title, summary, status, submitted_at, decided_at)
     VALUES ($1, $2, $3, $4, '把闲置角落改造成老人和孩子都能用的口袋花园。', 'AWARDED', now(), now()) RETURNING id`,
    [round!.id, community.id, grantee.id, opts.title ?? '口袋花园 Pocket garden'],
  );
  const [award] = await q(
    `INSERT INTO grant_awards (round_id, application_id, tier_key, design_award_minor, construction_minor,
       currency, status, needs_second_approval, proposed_by, decision_due_at, first_approved_by,
       first_approved_at, project_status)
     VALUES ($1, $2, 'first', 10000000, 5000000, 'CNY', 'APPROVED', false, $3, now(), $4, now(), 'COMPLETED')
     RETURNING id`,
    [round!.id, application!.id, proposer.id, approver.id],
  );
  if (opts.lastTranche ?? true) {
    await q(
      `INSERT INTO grant_tranches (award_id, seq, key, percent, unlock, amount_minor)
       VALUES ($1, 1, 'completion', 100, 'COMPLETION', 5000000)`,
      [award!.id],
    );
  }
  await q(
    `INSERT INTO grant_reports (award_id, kind, body, public_summary, status, submitted_by, decision_due_at, decided_by, decided_at)
     VALUES ($1, 'COMPLETION', '完工报告', $2, 'ACCEPTED', $3, now(), $4, now())`,
    [
      award!.id,
      opts.publicSummary ?? '花园已建成：12 个种植箱、两条无障碍步道、一处遮阳座椅区。',
      grantee.id,
      proposer.id,
    ],
  );
  return {
    awardId: award!.id,
    applicationId: application!.id,
    roundId: round!.id,
    grantee,
    communityId: community.id,
  };
}

/** An ACCEPTED rectification report, decided now (after the failed evaluation closed). */
export async function acceptRectification(
  t: TestApp,
  awardId: string,
  granteeId: string,
  officerId: string,
) {
  await t.dataSource.query(
    `INSERT INTO grant_reports (award_id, kind, body, public_summary, status, submitted_by, decision_due_at, decided_by, decided_at)
     VALUES ($1, 'RECTIFICATION', '已整改：增加照明和座椅。', '增加了照明和座椅。', 'ACCEPTED', $2, now(), $3, clock_timestamp())`,
    [awardId, granteeId, officerId],
  );
}
