import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TransactionService } from '../../src/database/transaction.service';
import { FundOutflowService } from '../../src/modules/funds/fund-outflow.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;

/**
 * Fund expenses over HTTP against real PostgreSQL: a leader or officer asks, FINANCE (never the
 * requester) pays as one ledger entry that the fund statement itemises; reserved money is not
 * available; concurrent payments never overdraw.
 */
describe('fund expenses', () => {
  let t: TestApp;
  let finance: User;
  let finance2: User;
  let admin: User;
  let officer: User;
  let reviewer: User;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    finance = await createUser(t, ['FINANCE']);
    finance2 = await createUser(t, ['FINANCE']);
    admin = await createUser(t, ['ADMIN']);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    reviewer = await createUser(t, ['REVIEWER']);
  });
  afterAll(() => t.close());

  const balance = async (fund: { id: string }) =>
    (await t.get(FundsService).get(fund.id)).balanceMinor;
  const fundWith = async (amountMinor: number) => {
    const fund = await createFund(t, { kind: 'COMMUNITY' });
    await fundFromOutside(t, fund, amountMinor);
    return fund;
  };
  const ask = (who: User, fund: { id: string }, body: Record<string, unknown>) =>
    request(t.server).post(`/api/v1/funds/${fund.id}/expenses`).set(who.auth).send(body);
  const act = (who: User, id: string, action: string, body: object = {}) =>
    request(t.server).post(`/api/v1/expenses/${id}/${action}`).set(who.auth).send(body);
  const entries = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = $1`,
        [`expense:${id}`],
      )
    )[0].n as number;
  const audit = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT action, actor_user_id AS "actorUserId" FROM audit_log
         WHERE entity_type = 'fund_expense' AND entity_id = $1 ORDER BY id`,
        [id],
      )
    ).map((r: { action: string }) => r.action) as string[];
  const emails = async (template: string, id: string) =>
    t.dataSource.query<{ to: string; locale: string }[]>(
      `SELECT payload->>'to' AS "to", payload->>'locale' AS locale FROM outbox
       WHERE kind = 'EMAIL' AND payload->>'template' = $1 AND payload->'data'->>'url' LIKE $2`,
      [template, `%/admin/expenses/${id}`],
    );

  it('a leader requests from their fund, FINANCE pays: one entry, an itemised statement line, audit and emails', async () => {
    const fund = await fundWith(100_000);
    const leader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [fund.id] });
    const res = await ask(leader, fund, {
      payee: '幸福超市',
      purpose: '重阳节长者活动日用品',
      amountMinor: 12_345,
    }).expect(201);
    const expense = res.body.expense;
    expect(expense).toMatchObject({
      status: 'REQUESTED',
      fundId: fund.id,
      amountMinor: 12_345,
      currency: 'CNY',
      payee: '幸福超市',
      entryId: null,
    });
    const due = new Date(expense.paymentDueAt).getTime() - new Date(expense.requestedAt).getTime();
    expect(Math.round(due / 86_400_000)).toBe(5);
    expect((await emails('expense-requested', expense.id)).map((e) => e.to)).toEqual(
      expect.arrayContaining([finance.email, finance2.email]),
    );
    expect(await balance(fund)).toBe(100_000);

    const paid = await act(finance, expense.id, 'pay').expect(200);
    expect(paid.body.expense).toMatchObject({ status: 'PAID', entryId: paid.body.entry.id });
    expect(paid.body.replayed).toBe(false);
    expect(await balance(fund)).toBe(100_000 - 12_345);
    expect(await entries(expense.id)).toBe(1);
    const payees = await t.get(LedgerService).balancesByCode(['payees:expenses']);
    expect(payees.get('payees:expenses')).toBeGreaterThanOrEqual(12_345);

    // Paying twice answers with the PAID expense and posts nothing.
    const again = await act(finance2, expense.id, 'pay').expect(200);
    expect(again.body).toMatchObject({ replayed: true, expense: { status: 'PAID' } });
    expect(await entries(expense.id)).toBe(1);
    expect(await balance(fund)).toBe(100_000 - 12_345);

    const statement = await request(t.server)
      .get(`/api/v1/funds/${fund.id}/statement`)
      .set(leader.auth)
      .expect(200);
    const line = statement.body.lines.find(
      (l: { entryId: string }) => l.entryId === paid.body.entry.id,
    );
    expect(line).toMatchObject({
      kind: 'EXPENSE',
      amountMinor: -12_345,
      description:
        '支出：重阳节长者活动日用品（幸福超市） / Expense: 重阳节长者活动日用品 (幸福超市)',
    });
    expect(await audit(expense.id)).toEqual(['grant.expense.requested', 'grant.expense.paid']);
    expect((await emails('expense-decided', expense.id)).map((e) => e.to)).toEqual([leader.email]);

    // The leader sees it in their list; the fund's page in the back office shows the line.
    const list = await request(t.server).get('/api/v1/expenses').set(leader.auth).expect(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(expense.id);
    const browser = formSession(t.server);
    await browser.signIn(finance.email, TEST_PASSWORD);
    const page = await browser.agent.get(`/admin/funds/${fund.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('支出：重阳节长者活动日用品（幸福超市）');
    expect(await t.get(LedgerService).checkAcrossModules()).toMatchObject({
      ok: true,
      violations: [],
    });
  });

  it('refuses self-payment: the requester cannot pay or reject; nothing moves', async () => {
    const fund = await fundWith(50_000);
    const res = await ask(finance, fund, {
      payee: 'Print shop',
      purpose: 'Posters',
      amountMinor: 1_000,
    }).expect(201);
    const id = res.body.expense.id;
    const self = await act(finance, id, 'pay').expect(403);
    expect(self.body).toMatchObject({ code: 'SELF_APPROVAL' });
    expect(self.body.message).toMatch(/another FINANCE user must pay it/);
    await act(finance, id, 'reject', { note: 'mine' }).expect(403);
    // ADMIN and officers cannot pay (route policy), officers cannot reject.
    await act(admin, id, 'pay').expect(403);
    await act(officer, id, 'reject').expect(403);
    expect(await entries(id)).toBe(0);
    expect(await balance(fund)).toBe(50_000);
    const after = await request(t.server).get(`/api/v1/expenses/${id}`).set(admin.auth).expect(200);
    expect(after.body.status).toBe('REQUESTED');
  });

  it('rejects with a note (ADMIN) and withdraws (requester only); a closed expense stays closed', async () => {
    const fund = await fundWith(50_000);
    const a = (await ask(officer, fund, { payee: 'A', purpose: 'a', amountMinor: 100 }).expect(201))
      .body.expense;
    const rejected = await act(admin, a.id, 'reject', { note: 'No invoice' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'REJECTED', decisionNote: 'No invoice' });
    const late = await act(finance, a.id, 'pay').expect(409);
    expect(late.body).toMatchObject({ code: 'EXPENSE_NOT_REQUESTED' });
    expect(late.body.message).toMatch(/has been decided already; it can no longer be paid/);
    expect(await audit(a.id)).toEqual(['grant.expense.requested', 'grant.expense.rejected']);

    const b = (await ask(officer, fund, { payee: 'B', purpose: 'b', amountMinor: 100 }).expect(201))
      .body.expense;
    await act(finance, b.id, 'withdraw').expect(403);
    const withdrawn = await act(officer, b.id, 'withdraw').expect(200);
    expect(withdrawn.body.status).toBe('WITHDRAWN');
    await act(finance, b.id, 'pay').expect(409);
    expect(await balance(fund)).toBe(50_000);
    expect(await audit(b.id)).toEqual(['grant.expense.requested', 'grant.expense.withdrawn']);
  });

  it('replays a request with the same idempotency key, refuses the key for another request', async () => {
    const fund = await fundWith(50_000);
    const key = `exp-${randomUUID()}`;
    const body = { payee: 'P', purpose: 'Tea', amountMinor: 500, idempotencyKey: key };
    const first = await ask(officer, fund, body).expect(201);
    const again = await ask(officer, fund, body).expect(200);
    expect(again.body).toMatchObject({ replayed: true, expense: { id: first.body.expense.id } });
    const other = await ask(officer, fund, { ...body, amountMinor: 600 }).expect(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const n = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM fund_expenses WHERE fund_id = $1`,
      [fund.id],
    );
    expect(n[0].n).toBe(1);
  });

  it('refuses bad input and people outside the fund in words, with no state change', async () => {
    const fund = await fundWith(10_000);
    const otherFund = await fundWith(10_000);
    const leader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [otherFund.id] });
    await ask(leader, fund, { payee: 'X', purpose: 'x', amountMinor: 100 }).expect(403);
    await ask(reviewer, fund, { payee: 'X', purpose: 'x', amountMinor: 100 }).expect(403);
    await request(t.server)
      .post(`/api/v1/funds/${fund.id}/expenses`)
      .send({ payee: 'X', purpose: 'x', amountMinor: 100 })
      .expect(401);
    for (const bad of [
      { payee: '', purpose: 'x', amountMinor: 100 },
      { payee: 'X', purpose: ' ', amountMinor: 100 },
      { payee: 'X', purpose: 'x', amountMinor: 0 },
      { payee: 'X', purpose: 'x', amountMinor: -5 },
      { payee: 'X', purpose: 'x', amountMinor: 1.5 },
    ]) {
      const res = await ask(officer, fund, bad).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const over = await ask(officer, fund, { payee: 'X', purpose: 'x', amountMinor: 10_001 });
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('INSUFFICIENT_FUND_BALANCE');
    expect(over.body.message).toMatch(/holds ¥100\.00 and ¥100\.01 was asked/);
    // Another leader neither sees nor acts on an expense of a fund they do not lead.
    const mine = (
      await ask(officer, fund, { payee: 'X', purpose: 'x', amountMinor: 1 }).expect(201)
    ).body.expense;
    await request(t.server).get(`/api/v1/expenses/${mine.id}`).set(leader.auth).expect(404);
    const n = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM fund_expenses WHERE fund_id = $1`,
      [fund.id],
    );
    expect(n[0].n).toBe(1);
  });

  it('does not pay out money reserved for a grant round', async () => {
    const fund = await fundWith(10_000);
    const expense = (
      await ask(officer, fund, { payee: 'Y', purpose: 'y', amountMinor: 4_000 }).expect(201)
    ).body.expense;
    const outflow = t.get(FundOutflowService);
    await t.get(TransactionService).run(async (m) => {
      const state = await outflow.lockOutflow(m, fund.id);
      await outflow.reserve(m, state, `round:${randomUUID()}`, 7_000, 'test round budget');
    });
    const res = await act(finance, expense.id, 'pay').expect(422);
    expect(res.body.code).toBe('INSUFFICIENT_FUND_BALANCE');
    expect(res.body.message).toMatch(/¥70\.00 is reserved for grant rounds; ¥30\.00 is available/);
    expect(await entries(expense.id)).toBe(0);
    expect(await balance(fund)).toBe(10_000);
    // And a new request beyond what is available is refused at once.
    await ask(officer, fund, { payee: 'Z', purpose: 'z', amountMinor: 3_001 }).expect(422);
    const still = await request(t.server).get(`/api/v1/expenses/${expense.id}`).set(finance.auth);
    expect(still.body.status).toBe('REQUESTED');
  });

  it('30 concurrent payments against a fund that can afford 12: exactly 12 paid', async () => {
    const fund = await fundWith(12_000);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await ask(officer, fund, {
        payee: `Payee ${i}`,
        purpose: `Supplies ${i}`,
        amountMinor: 1_000,
      }).expect(201);
      ids.push(res.body.expense.id);
    }
    const results = await Promise.all(
      ids.map((id, i) => act(i % 2 ? finance : finance2, id, 'pay')),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(12);
    expect(statuses.filter((s) => s === 422)).toHaveLength(18);
    expect(await balance(fund)).toBe(0);
    const paid = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM fund_expenses WHERE fund_id = $1 AND status = 'PAID'`,
      [fund.id],
    );
    expect(paid[0].n).toBe(12);
    const posted = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = ANY($1::text[])`,
      [ids.map((id) => `expense:${id}`)],
    );
    expect(posted[0].n).toBe(12);
    expect(await t.get(LedgerService).checkAcrossModules()).toMatchObject({
      ok: true,
      violations: [],
    });
  });

  it('lists the expense and attachment routes in the OpenAPI document under grants', async () => {
    const doc = (await request(t.server).get('/api/docs-json').expect(200)).body;
    expect(doc.paths['/api/v1/funds/{id}/expenses'].post.tags).toEqual(['grants']);
    for (const path of [
      '/api/v1/expenses',
      '/api/v1/expenses/{id}',
      '/api/v1/expenses/{id}/pay',
      '/api/v1/expenses/{id}/reject',
      '/api/v1/expenses/{id}/withdraw',
      '/api/v1/grants/attachments',
      '/api/v1/grants/attachments/{id}',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    expect(Object.keys(doc.paths['/api/v1/grants/attachments'].post.requestBody.content)).toEqual(
      expect.arrayContaining(['application/pdf', 'multipart/form-data']),
    );
  });
});
