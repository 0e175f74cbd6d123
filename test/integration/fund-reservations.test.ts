import type { EntityManager } from 'typeorm';
import { TransactionService } from '../../src/database/transaction.service';
import { FundOutflowService } from '../../src/modules/funds/fund-outflow.service';
import type { FundView } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import {
  createFoundation,
  createFund,
  externalAccount,
  fundFromOutside,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Reservations (money a grant round sets aside) against real PostgreSQL: a round draws only from
 * its own reservation, and never with money another round holds back, even when money has left
 * the fund since (a refund) and the fund is short of what its rounds reserved.
 */
describe('fund reservations', () => {
  let t: TestApp;
  let seq = 0;
  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  const run = (fn: (m: EntityManager) => Promise<void>) => t.get(TransactionService).run(fn);
  const outflow = () => t.get(FundOutflowService);

  /** Money leaving the fund outside any reservation's control (a refund of one of its gifts). */
  async function refund(fund: FundView, amountMinor: number) {
    const donors = await externalAccount(t);
    await t.get(LedgerService).post({
      idempotencyKey: `test:refund:${++seq}`,
      kind: 'REFUND',
      currency: fund.currency,
      postings: [
        { accountId: fund.accountId, amountMinor: -amountMinor },
        { accountId: donors.id, amountMinor },
      ],
    });
  }

  it("draws a round's tranche from its own reservation, never from another round's", async () => {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fund, 1_000_00);
    await run(async (m) => {
      const state = await outflow().lockOutflow(m, fund.id);
      await outflow().reserve(m, state, 'round:a', 600_00, 'round A');
      const after = await outflow().lockOutflow(m, fund.id);
      await outflow().reserve(m, after, 'round:b', 400_00, 'round B');
    });
    expect(await outflow().available(fund.id)).toMatchObject({
      balanceMinor: 1_000_00,
      reservedMinor: 1_000_00,
      availableMinor: 0,
    });

    // A refund takes ¥300 out: round B still holds ¥400 back, so round A may use only ¥300 now.
    await refund(fund, 300_00);
    await expect(
      run(async (m) => {
        const state = await outflow().lockOutflow(m, fund.id);
        await outflow().draw(m, state, 'round:a', 300_01);
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUND_BALANCE' });
    expect((await outflow().findReservation('round:a'))!.drawnMinor).toBe(0);

    await run(async (m) => {
      const state = await outflow().lockOutflow(m, fund.id);
      await outflow().draw(m, state, 'round:a', 300_00);
    });
    expect((await outflow().findReservation('round:a'))!.drawnMinor).toBe(300_00);

    // Beyond its own reservation, or from a reservation of another fund: refused.
    const other = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, other, 1_000_00);
    await expect(
      run(async (m) => {
        const state = await outflow().lockOutflow(m, other.id);
        await outflow().draw(m, state, 'round:b', 1_00);
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUND_BALANCE' });
    await expect(
      run(async (m) => {
        const state = await outflow().lockOutflow(m, fund.id);
        await outflow().draw(m, state, 'round:missing', 1_00);
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUND_BALANCE' });
  });
});
