import request from 'supertest';
import { FundOutflowService } from '../../src/modules/funds/fund-outflow.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { createUser } from '../factories/accounts.factory';
import {
  createFoundation,
  createFund,
  externalAccount,
  fundFromOutside,
} from '../factories/foundation.factory';
import { createGrantApplication, createGrantRound } from '../factories/grants.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;

const UNIT = 1_000;
/** An expense refused: nothing available (reserved money is not), in words. */
const EXPENSE_REFUSED =
  /(¥0\.00 is available|holds ¥0\.00) and ¥10\.00 was asked\. Nothing was moved\./;

/**
 * Issue 10: 30 concurrent payouts from one fund, tranche payments (drawn from the round's
 * reservation) mixed with expense payments (unreserved money only), against real PostgreSQL.
 * The fund can afford exactly 12 of them: exactly 12 are paid, the rest are refused in words,
 * nothing is overdrawn, and the balance, the reservation and the ledger add up.
 */
describe('grants: concurrent tranche and expense payouts from one fund', () => {
  let t: TestApp;
  let officer: User;
  let approver: User;
  let payer: User;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    approver = await createUser(t, ['FINANCE']);
    payer = await createUser(t, ['FINANCE']);
  });
  afterAll(() => t.close());

  const api = () => request(t.server);
  const balance = async (fund: { id: string }) =>
    (await t.get(FundsService).get(fund.id)).balanceMinor;
  const reservation = async (roundId: string) =>
    (await t.get(FundOutflowService).findReservation(`round:${roundId}`))!;
  const count = async (sql: string, ids: string[]) =>
    (await t.dataSource.query<{ n: number }[]>(sql, [ids]))[0]!.n;

  /**
   * A round of `awards` approved awards of ¥10 design + ¥10 construction (one tranche unlocked at
   * the award), every tranche REQUESTED by the officer; then `expenses` expenses of ¥10 requested
   * by the officer. The fund starts with the round's budget plus `extraMinor`.
   */
  async function setUp(awards: number, expenses: number, extraMinor: number) {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fund, 2 * awards * UNIT + extraMinor);
    const round = await createGrantRound(t, fund, {
      status: 'AWARDING',
      tiers: [{ key: 'all', nameZh: '奖', nameEn: 'Award', amountMinor: UNIT, count: awards }],
      constructionBudgetMinor: awards * UNIT,
      secondApprovalAboveMinor: 1_000_000,
      trancheSchedule: [{ key: 'all', percent: 100, unlock: 'AWARD' }],
    });
    const first = await createGrantApplication(t, round, { budgetTotalMinor: UNIT });
    const awardIds: string[] = [];
    for (let i = 0; i < awards; i++) {
      const { application } =
        i === 0
          ? first
          : await createGrantApplication(t, round, {
              budgetTotalMinor: UNIT,
              applicant: first.applicant,
              communityId: first.application.communityId,
            });
      const res = await api()
        .post(`/api/v1/grants/rounds/${round.id}/awards`)
        .set(officer.auth)
        .send({ applicationId: application.id, tierKey: 'all', constructionMinor: UNIT })
        .expect(201);
      awardIds.push(res.body.id as string);
    }
    const trancheIds: string[] = [];
    for (const id of awardIds) {
      const res = await api()
        .post(`/api/v1/grants/awards/${id}/approve`)
        .set(approver.auth)
        .expect(200);
      const trancheId = res.body.award.tranches[0].id as string;
      await api()
        .post(`/api/v1/grants/tranches/${trancheId}/request`)
        .set(officer.auth)
        .send({})
        .expect(200);
      trancheIds.push(trancheId);
    }
    const expenseIds: string[] = [];
    for (let i = 0; i < expenses; i++) {
      const res = await api()
        .post(`/api/v1/funds/${fund.id}/expenses`)
        .set(officer.auth)
        .send({ payee: `供应商${i}`, purpose: `长者活动用品 ${i}`, amountMinor: UNIT })
        .expect(201);
      expenseIds.push(res.body.expense.id as string);
    }
    return { fund, round, trancheIds, expenseIds };
  }

  /** Every payout at once, shuffled so tranches and expenses interleave. */
  async function payAll(trancheIds: string[], expenseIds: string[]) {
    const calls = [
      ...trancheIds.map((id) => ({ kind: 'tranche' as const, id })),
      ...expenseIds.map((id) => ({ kind: 'expense' as const, id })),
    ].sort((a, b) => a.id.localeCompare(b.id));
    const results = await Promise.all(
      calls.map((c) =>
        api()
          .post(
            c.kind === 'tranche'
              ? `/api/v1/grants/tranches/${c.id}/pay`
              : `/api/v1/expenses/${c.id}/pay`,
          )
          .set(payer.auth)
          .send({})
          .then((res) => ({ ...c, status: res.status, body: res.body })),
      ),
    );
    return results;
  }

  async function ledgerOk() {
    expect((await t.get(LedgerService).check()).ok).toBe(true);
    const across = await t.get(LedgerService).checkAcrossModules();
    expect(across.violations).toEqual([]);
    expect(across.ok).toBe(true);
  }

  it('a fund holding its reservation and ¥20 more: all 10 tranches and exactly 2 of 20 expenses are paid, never the reserved money', async () => {
    const { fund, round, trancheIds, expenseIds } = await setUp(10, 20, 2 * UNIT);
    // Design awards paid: the balance is the outstanding reservation (the tranches) plus ¥20.
    expect(await balance(fund)).toBe(12 * UNIT);
    const before = await t.get(FundOutflowService).available(fund.id);
    expect(before).toMatchObject({ reservedMinor: 10 * UNIT, availableMinor: 2 * UNIT });
    const drawnBefore = (await reservation(round.id)).drawnMinor;
    expect(drawnBefore).toBe(10 * UNIT);

    const results = await payAll(trancheIds, expenseIds);
    expect(results).toHaveLength(30);
    const paid = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(paid).toHaveLength(12);
    expect(paid.filter((r) => r.kind === 'tranche')).toHaveLength(10);
    expect(paid.filter((r) => r.kind === 'expense')).toHaveLength(2);
    for (const r of paid) expect(r.body.replayed).toBe(false);
    expect(refused).toHaveLength(18);
    for (const r of refused) {
      expect(r.kind).toBe('expense');
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('INSUFFICIENT_FUND_BALANCE');
      expect(r.body.message).toMatch(EXPENSE_REFUSED);
    }

    expect(
      await count(
        `SELECT count(*)::int AS n FROM grant_tranches WHERE id = ANY($1::uuid[]) AND status = 'PAID'`,
        trancheIds,
      ),
    ).toBe(10);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM fund_expenses WHERE id = ANY($1::uuid[]) AND status = 'PAID'`,
        expenseIds,
      ),
    ).toBe(2);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM fund_expenses WHERE id = ANY($1::uuid[]) AND status = 'REQUESTED' AND entry_id IS NULL`,
        expenseIds,
      ),
    ).toBe(18);
    // One ledger entry per payout made, none for a refused one.
    const keys = [
      ...trancheIds.map((id) => `grant-tranche:${id}`),
      ...expenseIds.map((id) => `expense:${id}`),
    ];
    expect(
      await count(
        `SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = ANY($1::text[])`,
        keys,
      ),
    ).toBe(12);
    expect(await balance(fund)).toBe(0);
    const res = await reservation(round.id);
    expect(res.drawnMinor).toBe(drawnBefore + 10 * UNIT);
    expect(res.drawnMinor).toBe(res.reservedMinor);
    expect(await t.get(FundOutflowService).available(fund.id)).toMatchObject({
      balanceMinor: 0,
      reservedMinor: 0,
      availableMinor: 0,
    });
    await ledgerOk();
  }, 180_000);

  it('a fund short of its reservation (money left by another way): exactly 12 of 15 tranches are paid, and no expense touches the reserved money', async () => {
    const { fund, round, trancheIds, expenseIds } = await setUp(15, 15, UNIT);
    expect(await balance(fund)).toBe(16 * UNIT);
    // Money leaves the fund by another way (a refund-like manual entry): ¥120 is left for ¥150 of
    // requested tranches, and nothing is available for expenses.
    const outside = await externalAccount(t);
    await t.get(LedgerService).post({
      idempotencyKey: `test:payout-race-short:${round.id}`,
      kind: 'ADJUSTMENT',
      description: 'Refund outside the round',
      currency: fund.currency,
      postings: [
        { accountId: fund.accountId, amountMinor: -4 * UNIT },
        { accountId: outside.id, amountMinor: 4 * UNIT },
      ],
    });
    expect(await balance(fund)).toBe(12 * UNIT);
    const drawnBefore = (await reservation(round.id)).drawnMinor;

    const results = await payAll(trancheIds, expenseIds);
    const paid = results.filter((r) => r.status === 200);
    expect(paid).toHaveLength(12);
    expect(paid.every((r) => r.kind === 'tranche')).toBe(true);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(18);
    for (const r of refused) {
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('INSUFFICIENT_FUND_BALANCE');
    }
    expect(refused.filter((r) => r.kind === 'tranche')).toHaveLength(3);
    for (const r of refused.filter((x) => x.kind === 'tranche'))
      expect(r.body.message).toMatch(/holds ¥0\.00 and cannot pay ¥10\.00\. Nothing was paid\./);
    for (const r of refused.filter((x) => x.kind === 'expense'))
      expect(r.body.message).toMatch(EXPENSE_REFUSED);

    expect(
      await count(
        `SELECT count(*)::int AS n FROM grant_tranches WHERE id = ANY($1::uuid[]) AND status = 'PAID'`,
        trancheIds,
      ),
    ).toBe(12);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM fund_expenses WHERE id = ANY($1::uuid[]) AND status = 'PAID'`,
        expenseIds,
      ),
    ).toBe(0);
    expect(await balance(fund)).toBe(0);
    const res = await reservation(round.id);
    expect(res.drawnMinor).toBe(drawnBefore + 12 * UNIT);
    expect(res.drawnMinor).toBeLessThanOrEqual(res.reservedMinor);
    await ledgerOk();
  }, 180_000);
});
