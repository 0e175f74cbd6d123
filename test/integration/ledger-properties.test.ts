import fc from 'fast-check';
import { DomainError } from '../../src/common/errors';
import { AllocationsService } from '../../src/modules/allocations/allocations.service';
import type { FundView } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import {
  createFoundation,
  createFund,
  externalAccount,
  generalFund,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

type Op =
  | { op: 'inflow'; to: number; amount: number }
  | { op: 'allocate'; from: number; to: number; amount: number }
  | { op: 'outflow'; from: number; amount: number }
  | { op: 'reverse'; pick: number };

const FUNDS = 4;
const fundIndex = fc.integer({ min: 0, max: FUNDS - 1 });
const amount = fc.integer({ min: 1, max: 50_000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('inflow' as const), to: fundIndex, amount }),
  fc.record({ op: fc.constant('allocate' as const), from: fundIndex, to: fundIndex, amount }),
  fc.record({ op: fc.constant('outflow' as const), from: fundIndex, amount }),
  fc.record({ op: fc.constant('reverse' as const), pick: fc.nat() }),
);

/**
 * A long random sequence of inflows, allocations, outflows and reversals, many of which must fail
 * (overdrafts, reversing twice, reversing a reversal, a fund to itself). Afterwards every entry
 * balances, every balance equals the sum of its postings, no fund is negative, and each fund holds
 * exactly what a plain in-memory model of the successful operations says.
 */
describe('ledger properties', () => {
  let t: TestApp;
  let ledger: LedgerService;
  let allocations: AllocationsService;

  beforeAll(async () => {
    t = await createTestApp();
    ledger = t.get(LedgerService);
    allocations = t.get(AllocationsService);
    await createFoundation(t);
  });
  afterAll(() => t.close());

  it('keeps every invariant through random sequences with failures', async () => {
    const outside = await externalAccount(t, 'external:property-donors');
    const expenses = await externalAccount(t, 'external:property-expenses');
    let run = 0;
    const failures: Record<string, number> = {};

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 40, maxLength: 80 }), async (ops) => {
        run += 1;
        // Fund 0 is the general fund (allocations leave only it: the others hold restricted
        // money), carried over from run to run; the others are new program funds.
        const funds: FundView[] = [await generalFund(t)];
        for (let i = 1; i < FUNDS; i++) funds.push(await createFund(t, { code: `P${run}-${i}` }));
        const start = await ledger.balances(funds.map((f) => f.accountId));
        const model = funds.map((f) => start.get(f.accountId) ?? 0);
        const posted: { id: string; deltas: Map<number, number>; reversible: boolean }[] = [];

        for (const [step, o] of ops.entries()) {
          try {
            switch (o.op) {
              case 'inflow': {
                const { entry } = await ledger.post({
                  idempotencyKey: `prop:${run}:${step}`,
                  kind: 'OFFLINE_CONTRIBUTION',
                  currency: 'CNY',
                  postings: [
                    { accountId: outside.id, amountMinor: -o.amount },
                    { accountId: funds[o.to]!.accountId, amountMinor: o.amount },
                  ],
                });
                model[o.to]! += o.amount;
                posted.push({
                  id: entry.id,
                  deltas: new Map([[o.to, o.amount]]),
                  reversible: true,
                });
                break;
              }
              case 'allocate': {
                const { entry } = await allocations.transfer({
                  fromFundId: funds[o.from]!.id,
                  toFundId: funds[o.to]!.id,
                  amountMinor: o.amount,
                  idempotencyKey: `prop-${run}-${step}`,
                });
                model[o.from]! -= o.amount;
                model[o.to]! += o.amount;
                posted.push({
                  id: entry.id,
                  deltas: new Map([
                    [o.from, -o.amount],
                    [o.to, o.amount],
                  ]),
                  reversible: true,
                });
                break;
              }
              case 'outflow': {
                const { entry } = await ledger.post({
                  idempotencyKey: `prop:${run}:${step}`,
                  kind: 'EXPENSE',
                  currency: 'CNY',
                  postings: [
                    { accountId: funds[o.from]!.accountId, amountMinor: -o.amount },
                    { accountId: expenses.id, amountMinor: o.amount },
                  ],
                });
                model[o.from]! -= o.amount;
                posted.push({
                  id: entry.id,
                  deltas: new Map([[o.from, -o.amount]]),
                  reversible: true,
                });
                break;
              }
              case 'reverse': {
                if (posted.length === 0) break;
                const target = posted[o.pick % posted.length]!;
                const { entry, replayed } = await ledger.reverse(target.id, 'property test');
                if (replayed) break; // reversing twice is a no-op replay
                for (const [i, d] of target.deltas) model[i]! -= d;
                posted.push({
                  id: entry.id,
                  deltas: new Map([...target.deltas].map(([i, d]) => [i, -d])),
                  reversible: false,
                });
                break;
              }
            }
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            failures[error.code] = (failures[error.code] ?? 0) + 1;
          }
        }

        const balances = await ledger.balances(funds.map((f) => f.accountId));
        funds.forEach((f, i) => {
          expect(balances.get(f.accountId)).toBe(model[i]);
          expect(model[i]).toBeGreaterThanOrEqual(0);
        });
        const report = await ledger.check();
        expect(report).toMatchObject({
          ok: true,
          unbalancedEntries: [],
          balanceMismatches: [],
          negativeAccounts: [],
        });
      }),
      { numRuns: 15, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31), verbose: true },
    );

    // The sequences really did exercise the failure paths.
    expect(failures.INSUFFICIENT_FUND_BALANCE ?? 0).toBeGreaterThan(0);
    expect((failures.SAME_FUND ?? 0) + (failures.ENTRY_IS_REVERSAL ?? 0)).toBeGreaterThan(0);
    expect(failures.RELEASE_REQUIRED ?? 0).toBeGreaterThan(0);
  });
});
