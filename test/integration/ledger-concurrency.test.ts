import request from 'supertest';
import { createUser } from '../factories/accounts.factory';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { AllocationsService } from '../../src/modules/allocations/allocations.service';
import {
  createFoundation,
  createFund,
  externalAccount,
  fundFromOutside,
  generalFund,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

/** Concurrency is tested, not assumed: parallel requests against the real database. */
describe('ledger under concurrency', () => {
  let t: TestApp;
  let funds: FundsService;
  let ledger: LedgerService;
  let staff: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    funds = t.get(FundsService);
    ledger = t.get(LedgerService);
    await createFoundation(t);
    staff = (await createUser(t, ['ADMIN', 'FINANCE'])).auth;
  });
  afterAll(() => t.close());

  it('50 parallel outflows against money for 10: exactly 10 succeed and the fund ends at zero', async () => {
    // The general fund (allocations leave it; restricted money moves only by a release), empty
    // until now: this is the first test of the file to use it.
    const source = await generalFund(t);
    const target = await createFund(t);
    expect(source.balanceMinor).toBe(0);
    await fundFromOutside(t, source, 10 * 1_000);

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(t.server)
          .post('/api/v1/allocations')
          .set(staff)
          .send({
            fromFundId: source.id,
            toFundId: target.id,
            amountMinor: 1_000,
            idempotencyKey: `race-${i}`,
          }),
      ),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(40);
    expect(new Set(refused.map((r) => `${r.status} ${r.body.code}`))).toEqual(
      new Set(['422 INSUFFICIENT_FUND_BALANCE']),
    );
    expect(refused.every((r) => /holds .* (cannot allocate|was asked)/.test(r.body.message))).toBe(
      true,
    );
    expect((await funds.get(source.id)).balanceMinor).toBe(0);
    expect((await funds.get(target.id)).balanceMinor).toBe(10_000);
    expect((await ledger.check()).ok).toBe(true);
  });

  it('50 parallel raw ledger outflows from one fund never overdraw it', async () => {
    const fund = await createFund(t);
    const expenses = await externalAccount(t, 'external:race-expenses');
    await fundFromOutside(t, fund, 10 * 700);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        ledger.post({
          idempotencyKey: `race-expense-${i}`,
          kind: 'EXPENSE',
          currency: 'CNY',
          postings: [
            { accountId: fund.accountId, amountMinor: -700 },
            { accountId: expenses.id, amountMinor: 700 },
          ],
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const reasons = results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as { code?: string }).code] : [],
    );
    expect(reasons).toEqual(Array(40).fill('INSUFFICIENT_FUND_BALANCE'));
    expect(await ledger.balance(fund.accountId)).toBe(0);
  });

  it('the same idempotency key posted 20 times at once makes one entry', async () => {
    const fund = await createFund(t);
    const donors = await externalAccount(t);
    const body = {
      idempotencyKey: 'same-key-20',
      kind: 'OFFLINE_CONTRIBUTION',
      description: 'Bank transfer 2026-11-26',
      postings: [
        { accountId: donors.id, amountMinor: -5_000 },
        { accountId: fund.accountId, amountMinor: 5_000 },
      ],
    };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(t.server).post('/api/v1/ledger/entries').set(staff).send(body),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(responses.map((r) => r.body.entry.id)).size).toBe(1);
    expect(responses.filter((r) => r.body.replayed === true)).toHaveLength(19);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = 'manual:same-key-20'`,
    );
    expect(n).toBe(1);
    expect((await funds.get(fund.id)).balanceMinor).toBe(5_000);
  });

  it('a fund cannot close while money arrives: it ends closed and empty, or open and funded', async () => {
    const general = await generalFund(t);
    await fundFromOutside(t, general, 1_000_000);
    for (let round = 0; round < 15; round++) {
      const fund = await createFund(t);
      const [transfer, close] = await Promise.all([
        request(t.server)
          .post('/api/v1/allocations')
          .set(staff)
          .send({ fromFundId: general.id, toFundId: fund.id, amountMinor: 100 }),
        request(t.server).post(`/api/v1/funds/${fund.id}/close`).set(staff),
      ]);
      const after = await funds.get(fund.id);
      const outcome = {
        status: after.status,
        balanceMinor: after.balanceMinor,
        transfer: transfer.status === 201 ? 'moved' : transfer.body.code,
        close: close.status === 200 ? 'closed' : close.body.code,
      };
      expect([
        { status: 'CLOSED', balanceMinor: 0, transfer: 'FUND_CLOSED', close: 'closed' },
        { status: 'ACTIVE', balanceMinor: 100, transfer: 'moved', close: 'FUND_HAS_BALANCE' },
      ]).toContainEqual(outcome);
    }
  });

  it('two yearly allocations for the same year at once move the money once', async () => {
    // A GENERAL fund and three active community funds.
    const general = await generalFund(t);
    await fundFromOutside(t, general, 10_000_000);
    const communityFunds = await Promise.all(
      [1, 2, 3].map(() => createFund(t, { kind: 'COMMUNITY' })),
    );
    const allocations = t.get(AllocationsService);
    const results = await Promise.all(
      [1, 2, 3].map(() => allocations.yearly({ year: 2031, amountMinor: 200_000 })),
    );
    const moved = results.reduce((sum, r) => sum + r.movedMinor, 0);
    const activeCount = (await funds.list({ kind: 'COMMUNITY', status: 'ACTIVE', limit: 500 }))
      .items.length;
    expect(moved).toBe(activeCount * 200_000);
    for (const f of communityFunds) expect((await funds.get(f.id)).balanceMinor).toBe(200_000);
    expect((await funds.get(general.id)).balanceMinor).toBe(
      general.balanceMinor + 10_000_000 - activeCount * 200_000,
    );
  });

  it('hundreds of concurrent inflows into one hot fund all count', async () => {
    const hot = await createFund(t);
    const donors = await externalAccount(t);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        ledger.post({
          idempotencyKey: `hot-${i}`,
          kind: 'OFFLINE_CONTRIBUTION',
          currency: 'CNY',
          postings: [
            { accountId: donors.id, amountMinor: -(i + 1) },
            { accountId: hot.accountId, amountMinor: i + 1 },
          ],
        }),
      ),
    );
    expect(await ledger.balance(hot.accountId)).toBe((300 * 301) / 2);
    const slots = await t.dataSource.query(
      `SELECT count(*)::int AS used FROM ledger_account_balances WHERE account_id = $1 AND balance_minor <> 0`,
      [hot.accountId],
    );
    expect(slots[0].used).toBeGreaterThan(1); // the load really spread over balance slots
    expect((await ledger.check()).ok).toBe(true);
  });
});
