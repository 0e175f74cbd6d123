import { randomUUID } from 'node:crypto';
import {
  apiBuilders,
  expectedRunningBalances,
  type Fund,
  newestFirst,
  type Statement,
  type StatementLine,
  uid,
} from '../factories/api.factory';
import { externalAccount } from '../factories/foundation.factory';
import { bodyOf, err, invalid, describeWholeFileChecks, useApiTestApp } from '../utils/api-client';

/**
 * The JSON API end to end, fund statements and the ledger: manual entries, reversals, accounts: real HTTP against the full app on this file's own database
 * (test/utils/api-client.ts refuses any 500 or malformed error body). Each describe makes the
 * foundation, communities and funds it needs through the builders in test/factories/api.factory.ts.
 */
const { t, api } = useApiTestApp();
const {
  ensureFoundation,
  newFund,
  getFund,
  balancesOf,
  manualEntry,
  inflow,
  outflow,
  allPages,
  statement,
} = apiBuilders(api, t);

describe('fund statement', () => {
  let fund: Fund;
  let other: Fund;
  let full: Statement;

  beforeAll(async () => {
    await ensureFoundation();
    // The fund's money goes out for its purpose and some comes back (a payee's refund): manual
    // entries against one outside account, the counterparty of those lines.
    fund = await newFund();
    const payee = await externalAccount(t(), 'external:statement-payee');
    other = { ...fund, id: payee.id, accountId: payee.id };
    const move = (from: string, to: string, amountMinor: number, kind: string) =>
      manualEntry(
        [
          { accountId: from, amountMinor: -amountMinor },
          { accountId: to, amountMinor },
        ],
        { kind },
      );
    await inflow(fund, 10_000);
    bodyOf(await move(fund.accountId, payee.id, 3_000, 'EXPENSE'), 201);
    bodyOf(await move(payee.id, fund.accountId, 500, 'ADJUSTMENT'), 201);
    bodyOf(await move(fund.accountId, payee.id, 1_200, 'EXPENSE'), 201);
    await inflow(fund, 250);
    full = await statement(fund.id);
  });

  it('lists the postings newest first with a consistent running balance', async () => {
    expect(full.lines.map((l) => l.amountMinor)).toEqual([250, -1_200, 500, -3_000, 10_000]);
    expect(newestFirst(full.lines)).toBe(true);
    expect(full.balanceMinor).toBe(6_550);
    expect((await getFund(fund.id)).balanceMinor).toBe(6_550);
    expect(full.lines[0]!.balanceAfterMinor).toBe(6_550);
    expect(full.lines.map((l) => l.balanceAfterMinor)).toEqual(expectedRunningBalances(full));
    expect(full.lines.map((l) => l.balanceAfterMinor)).toEqual([
      6_550, 6_300, 7_500, 7_000, 10_000,
    ]);
    expect(full.lines[1]!.counterparties.map((c) => c.accountId)).toEqual([other.accountId]);
  });

  it('pages with limit=2 and nextCursor, covering every line exactly once with the same balances', async () => {
    const { rows, pages } = await allPages<StatementLine>(
      `/api/v1/funds/${fund.id}/statement?limit=2`,
      'lines',
    );
    expect(pages).toBe(3);
    expect(rows).toEqual(full.lines);
  });

  it('filters by from (inclusive) and to (exclusive) and keeps the running balances', async () => {
    const [newest, , middle, older] = full.lines;
    const from = encodeURIComponent(older!.postedAt);
    const to = encodeURIComponent(newest!.postedAt);
    const window = await statement(fund.id, `from=${from}&to=${to}`);
    expect(window.lines).toEqual(full.lines.slice(1, 4));
    expect(window.lines[1]).toEqual(middle);

    const since = await statement(fund.id, `from=${encodeURIComponent(middle!.postedAt)}`);
    expect(since.lines).toEqual(full.lines.slice(0, 3));
    const none = await statement(fund.id, 'to=2000-01-01');
    expect(none).toMatchObject({ lines: [], nextCursor: null, balanceMinor: 6_550 });
  });

  it('matches the ledger account statement of the fund', async () => {
    const ledger = bodyOf(
      await api.get(`/api/v1/ledger/accounts/${fund.accountId}/statement?limit=500`),
      200,
    );
    expect(ledger.lines).toEqual(full.lines);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-13-45', 'to'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
  ])('refuses %s with 400', async (query, field) => {
    expect(err(await api.get(`/api/v1/funds/${fund.id}/statement?${query}`))).toMatchObject(
      invalid(field),
    );
  });

  it('refuses a garbage cursor with 400 INVALID_CURSOR', async () => {
    const wrongShape = Buffer.from(JSON.stringify({ postedMicros: 'x', postingId: 1 })).toString(
      'base64url',
    );
    for (const cursor of ['%%%', wrongShape]) {
      expect(
        err(
          await api.get(`/api/v1/funds/${fund.id}/statement?cursor=${encodeURIComponent(cursor)}`),
        ),
      ).toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    }
  });
});

describe('ledger', () => {
  let fund: Fund;
  let donorsId: string;

  beforeAll(async () => {
    await ensureFoundation();
    fund = await newFund();
    donorsId = (await externalAccount(t())).id;
  });

  const gift = (amountMinor: number, overrides: object = {}) =>
    manualEntry(
      [
        { accountId: donorsId, amountMinor: -amountMinor },
        { accountId: fund.accountId, amountMinor },
      ],
      overrides,
    );
  const balance = async (accountId: string): Promise<number> =>
    bodyOf(await api.get(`/api/v1/ledger/accounts/${accountId}`), 200).balanceMinor;

  it('lists fund accounts with balances and answers 404 for an unknown account', async () => {
    await inflow(fund, 50);
    const accounts = bodyOf(await api.get('/api/v1/ledger/accounts?type=FUND&limit=500'), 200);
    expect(accounts.items.every((a: { type: string }) => a.type === 'FUND')).toBe(true);
    const mine = accounts.items.find((a: { id: string }) => a.id === fund.accountId);
    expect(mine.balanceMinor).toBe((await getFund(fund.id)).balanceMinor);
    expect(err(await api.get(`/api/v1/ledger/accounts/${randomUUID()}`))).toMatchObject({
      status: 404,
      code: 'ACCOUNT_NOT_FOUND',
    });
    expect(err(await api.get('/api/v1/ledger/accounts?type=BANK'))).toMatchObject(invalid('type'));
  });

  it('posts a manual entry (201), replays the same key (200) and moves the money once', async () => {
    const before = await balance(fund.accountId);
    const key = `gift-${uid()}`;
    const first = bodyOf(await gift(4_000, { idempotencyKey: key }), 201);
    expect(first).toMatchObject({
      replayed: false,
      entry: { kind: 'OFFLINE_CONTRIBUTION', currency: 'CNY' },
    });
    expect(bodyOf(await api.get(`/api/v1/ledger/entries/${first.entry.id}`), 200)).toMatchObject({
      id: first.entry.id,
      reversedByEntryId: null,
    });
    const replay = bodyOf(await gift(4_000, { idempotencyKey: key, description: 'retried' }), 200);
    expect(replay).toMatchObject({ replayed: true, entry: { id: first.entry.id } });
    expect(await balance(fund.accountId)).toBe(before + 4_000);
    expect(err(await gift(4_001, { idempotencyKey: key }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await balance(fund.accountId)).toBe(before + 4_000);
  });

  it('refuses an unbalanced entry with 422 UNBALANCED_ENTRY and moves nothing', async () => {
    const before = await balance(fund.accountId);
    const res = await manualEntry([
      { accountId: donorsId, amountMinor: -100 },
      { accountId: fund.accountId, amountMinor: 99 },
    ]);
    expect(err(res)).toMatchObject({ status: 422, code: 'UNBALANCED_ENTRY' });
    expect(await balance(fund.accountId)).toBe(before);
  });

  it('refuses an unknown account with 404 ACCOUNT_NOT_FOUND', async () => {
    const res = await manualEntry([
      { accountId: donorsId, amountMinor: -100 },
      { accountId: randomUUID(), amountMinor: 100 },
    ]);
    expect(err(res)).toMatchObject({ status: 404, code: 'ACCOUNT_NOT_FOUND' });
  });

  it.each([
    ['one posting', { postings: [{ accountId: randomUUID(), amountMinor: 100 }] }, 'postings'],
    ['no postings', { postings: [] }, 'postings'],
    [
      'a zero posting',
      {
        postings: [
          { accountId: randomUUID(), amountMinor: 0 },
          { accountId: randomUUID(), amountMinor: 0 },
        ],
      },
      'postings.0.amountMinor',
    ],
    [
      'a non-UUID account',
      {
        postings: [
          { accountId: 'cash', amountMinor: 1 },
          { accountId: randomUUID(), amountMinor: -1 },
        ],
      },
      'postings.0.accountId',
    ],
    ['a kind only the system posts', { kind: 'ALLOCATION' }, 'kind'],
    ['a missing idempotencyKey', { idempotencyKey: undefined }, 'idempotencyKey'],
  ])('refuses %s with 400', async (_what, overrides, field) => {
    const res = await manualEntry(
      [
        { accountId: donorsId, amountMinor: -1 },
        { accountId: fund.accountId, amountMinor: 1 },
      ],
      overrides,
    );
    expect(err(res)).toMatchObject(invalid(field));
  });

  it('refuses an expense larger than the fund holds with 422 INSUFFICIENT_FUND_BALANCE', async () => {
    const before = await balance(fund.accountId);
    const res = await manualEntry(
      [
        { accountId: fund.accountId, amountMinor: -(before + 1) },
        { accountId: donorsId, amountMinor: before + 1 },
      ],
      { kind: 'EXPENSE' },
    );
    expect(err(res)).toMatchObject({ status: 422, code: 'INSUFFICIENT_FUND_BALANCE' });
    expect(await balance(fund.accountId)).toBe(before);
  });

  it('reverses an entry once: balances restored, reversedByEntryId set, a repeat is a replay', async () => {
    const [fundBefore, donorsBefore] = [await balance(fund.accountId), await balance(donorsId)];
    const original = bodyOf(await gift(1_234), 201).entry;
    const reversal = bodyOf(
      await api.post(`/api/v1/ledger/entries/${original.id}/reversal`, { reason: 'Entered twice' }),
      201,
    );
    expect(reversal).toMatchObject({
      replayed: false,
      entry: { kind: 'REVERSAL', reversesEntryId: original.id, description: 'Entered twice' },
    });
    expect(reversal.entry.postings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: fund.accountId, amountMinor: -1_234 }),
        expect.objectContaining({ accountId: donorsId, amountMinor: 1_234 }),
      ]),
    );
    expect([await balance(fund.accountId), await balance(donorsId)]).toEqual([
      fundBefore,
      donorsBefore,
    ]);
    expect(
      bodyOf(await api.get(`/api/v1/ledger/entries/${original.id}`), 200).reversedByEntryId,
    ).toBe(reversal.entry.id);

    const again = await api.post(`/api/v1/ledger/entries/${original.id}/reversal`, {
      reason: 'Clicked twice',
    });
    expect(again.status).toBeLessThan(300);
    expect(again.body).toMatchObject({ replayed: true, entry: { id: reversal.entry.id } });
    expect(await balance(fund.accountId)).toBe(fundBefore);

    expect(
      err(await api.post(`/api/v1/ledger/entries/${reversal.entry.id}/reversal`)),
    ).toMatchObject({
      status: 409,
      code: 'ENTRY_IS_REVERSAL',
    });
  });

  it('refuses a reversal that would overdraw a fund whose money has moved on (422), changing nothing', async () => {
    const giver = await newFund();
    const original = await inflow(giver, 5_000);
    await outflow(giver, 4_000);
    const res = await api.post(`/api/v1/ledger/entries/${original.id}/reversal`, {
      reason: 'Bounced',
    });
    expect(err(res)).toMatchObject({ status: 422, code: 'INSUFFICIENT_FUND_BALANCE' });
    expect(await balancesOf(giver)).toEqual([1_000]);
    expect(
      bodyOf(await api.get(`/api/v1/ledger/entries/${original.id}`), 200).reversedByEntryId,
    ).toBeNull();
  });

  it('answers 404 ENTRY_NOT_FOUND for an unknown entry and 400 for a reason that is not text', async () => {
    expect(err(await api.get(`/api/v1/ledger/entries/${randomUUID()}`))).toMatchObject({
      status: 404,
      code: 'ENTRY_NOT_FOUND',
    });
    expect(err(await api.post(`/api/v1/ledger/entries/${randomUUID()}/reversal`))).toMatchObject({
      status: 404,
      code: 'ENTRY_NOT_FOUND',
    });
    const entry = bodyOf(await gift(1), 201).entry;
    expect(
      err(await api.post(`/api/v1/ledger/entries/${entry.id}/reversal`, { reason: 42 })),
    ).toMatchObject(invalid('reason'));
  });
});

describeWholeFileChecks(api, {
  movedMoney: true,
  codes: [
    'VALIDATION_FAILED',
    'ACCOUNT_NOT_FOUND',
    'ENTRY_IS_REVERSAL',
    'IDEMPOTENCY_KEY_REUSED',
    'INSUFFICIENT_FUND_BALANCE',
    'INVALID_CURSOR',
    'UNBALANCED_ENTRY',
  ],
});
