import { randomUUID } from 'node:crypto';
import {
  apiBuilders,
  expectedRunningBalances,
  type Fund,
  newestFirst,
  type StatementLine,
  uid,
} from '../factories/api.factory';
import { bodyOf, err, invalid, describeWholeFileChecks, useApiTestApp } from '../utils/api-client';

/**
 * The JSON API end to end, allocations between funds and the yearly allocation to community funds: real HTTP against the full app on this file's own database
 * (test/utils/api-client.ts refuses any 500 or malformed error body). Each describe makes the
 * foundation, communities and funds it needs through the builders in test/factories/api.factory.ts.
 */
const { t, api } = useApiTestApp();
const {
  ensureFoundation,
  activate,
  newFund,
  getFund,
  balancesOf,
  generalFund,
  inflow,
  transfer,
  allPages,
  statement,
} = apiBuilders(api, t);

describe('allocations between funds', () => {
  let from: Fund;
  let to: Fund;

  beforeAll(async () => {
    await ensureFoundation();
    // Allocations leave the general fund; restricted funds' money moves only by a release.
    [from, to] = [await generalFund(), await newFund()];
    await inflow(from, 10_000);
  });

  it('moves money from one fund to the other (201)', async () => {
    const before = await balancesOf(from, to);
    const result = bodyOf(
      await transfer(from, to, 2_500, { idempotencyKey: `move-${uid()}` }),
      201,
    );
    expect(result.replayed).toBe(false);
    expect(result.entry).toMatchObject({ kind: 'ALLOCATION', currency: 'CNY' });
    expect(result.entry.postings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: from.accountId, amountMinor: -2_500 }),
        expect.objectContaining({ accountId: to.accountId, amountMinor: 2_500 }),
      ]),
    );
    expect(await balancesOf(from, to)).toEqual([before[0]! - 2_500, before[1]! + 2_500]);
  });

  it('replays the same idempotencyKey with 200 and moves nothing again', async () => {
    const key = `replay-${uid()}`;
    const first = bodyOf(await transfer(from, to, 300, { idempotencyKey: key }), 201);
    const after = await balancesOf(from, to);
    const second = bodyOf(await transfer(from, to, 300, { idempotencyKey: key }), 200);
    expect(second).toMatchObject({ replayed: true, entry: { id: first.entry.id } });
    expect(await balancesOf(from, to)).toEqual(after);
  });

  it('refuses the same key for a different amount or target with 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const key = `reuse-${uid()}`;
    const third = await newFund();
    bodyOf(await transfer(from, to, 200, { idempotencyKey: key }), 201);
    const after = await balancesOf(from, to);
    expect(err(await transfer(from, to, 201, { idempotencyKey: key }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(err(await transfer(from, third, 200, { idempotencyKey: key }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await balancesOf(from, to)).toEqual(after);
    expect(await balancesOf(third)).toEqual([0]);
  });

  it('refuses more than the fund holds with 422 INSUFFICIENT_FUND_BALANCE and moves nothing', async () => {
    const before = await balancesOf(from, to);
    expect(err(await transfer(from, to, before[0]! + 1))).toMatchObject({
      status: 422,
      code: 'INSUFFICIENT_FUND_BALANCE',
    });
    expect(await balancesOf(from, to)).toEqual(before);
  });

  it('refuses a fund paying itself with 422 SAME_FUND', async () => {
    const before = await balancesOf(from);
    expect(err(await transfer(from, from, 100))).toMatchObject({ status: 422, code: 'SAME_FUND' });
    expect(await balancesOf(from)).toEqual(before);
  });

  it.each([
    ['negative', -5],
    ['zero', 0],
    ['fractional', 1.5],
    ['string', '100'],
    ['huge', 1e20],
    ['null', null],
    ['boolean', true],
    ['missing', undefined],
  ])(
    'refuses a %s amountMinor with 400 naming amountMinor, and moves nothing',
    async (_what, amount) => {
      const before = await balancesOf(from, to);
      expect(err(await transfer(from, to, amount))).toMatchObject(invalid('amountMinor'));
      expect(await balancesOf(from, to)).toEqual(before);
    },
  );

  it('refuses an unknown fund on either side with 404 FUND_NOT_FOUND', async () => {
    const ghost = { id: randomUUID() };
    expect(err(await transfer(from, ghost, 100))).toMatchObject({
      status: 404,
      code: 'FUND_NOT_FOUND',
    });
    expect(err(await transfer(ghost, to, 100))).toMatchObject({
      status: 404,
      code: 'FUND_NOT_FOUND',
    });
  });

  it('refuses non-UUID fund ids and a malformed idempotencyKey with 400', async () => {
    expect(err(await transfer({ id: 'general' }, to, 100))).toMatchObject(invalid('fromFundId'));
    expect(err(await transfer(from, to, 100, { idempotencyKey: 'has spaces' }))).toMatchObject(
      invalid('idempotencyKey'),
    );
  });

  it('refuses an unknown property with 400 (forbidNonWhitelisted) and moves nothing', async () => {
    const before = await balancesOf(from, to);
    expect(err(await transfer(from, to, 100, { approvedBy: 'me' }))).toMatchObject(
      invalid('approvedBy'),
    );
    expect(await balancesOf(from, to)).toEqual(before);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await api.raw(
      'post',
      '/api/v1/allocations',
      `{"fromFundId": "${from.id}", "amountMinor": 1`,
    );
    expect(err(res)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('yearly allocation to community funds', () => {
  const YEAR = 2026;
  const AMOUNT = 1_000;
  let general: Fund;
  let waiting: Fund;
  let firstRun: { fundId: string; entryId: string }[];

  const yearly = (body: object) => api.post('/api/v1/allocations/yearly', body);
  const activeCommunityFunds = async (): Promise<Fund[]> =>
    (
      bodyOf(await api.get('/api/v1/funds?kind=COMMUNITY&status=ACTIVE&limit=500'), 200) as {
        items: Fund[];
      }
    ).items;
  const ids = (rows: { fundId: string }[]) => rows.map((r) => r.fundId).sort();

  beforeAll(async () => {
    await ensureFoundation();
    general = await generalFund();
    for (let i = 0; i < 3; i++) await newFund('COMMUNITY');
    waiting = await newFund('COMMUNITY', { active: false });
    await inflow(general, 1_000_000);
  });

  it(`moves the amount once to every active community fund for ${YEAR}, none to preparing ones`, async () => {
    const targets = await activeCommunityFunds();
    expect(targets.length).toBeGreaterThanOrEqual(3);
    const before = await balancesOf(general, waiting, ...targets);

    const result = bodyOf(await yearly({ year: YEAR, amountMinor: AMOUNT }), 200);
    expect(result).toMatchObject({
      year: YEAR,
      amountMinor: AMOUNT,
      sourceFundId: general.id,
      alreadyAllocated: [],
      movedMinor: targets.length * AMOUNT,
    });
    expect(ids(result.allocated)).toEqual(ids(targets.map((f) => ({ fundId: f.id }))));
    firstRun = result.allocated;

    const after = await balancesOf(general, waiting, ...targets);
    expect(after).toEqual([
      before[0]! - targets.length * AMOUNT,
      0,
      ...before.slice(2).map((b) => b + AMOUNT),
    ]);
  });

  it('moves nothing when run again for the same year and lists the funds as already allocated', async () => {
    const targets = await activeCommunityFunds();
    const before = await balancesOf(general, ...targets);
    const result = bodyOf(await yearly({ year: YEAR, amountMinor: AMOUNT }), 200);
    expect(result).toMatchObject({ allocated: [], movedMinor: 0 });
    expect([...result.alreadyAllocated].sort((a, b) => a.fundId.localeCompare(b.fundId))).toEqual(
      [...firstRun].sort((a, b) => a.fundId.localeCompare(b.fundId)),
    );
    expect(await balancesOf(general, ...targets)).toEqual(before);
  });

  it('gives a fund activated since the first run its allocation on the next run', async () => {
    await activate(waiting.id);
    const [generalBefore] = await balancesOf(general);
    const result = bodyOf(await yearly({ year: YEAR, amountMinor: AMOUNT }), 200);
    expect(ids(result.allocated)).toEqual([waiting.id]);
    expect(ids(result.alreadyAllocated)).toEqual(ids(firstRun));
    expect(result.movedMinor).toBe(AMOUNT);
    expect(await balancesOf(general, waiting)).toEqual([generalBefore! - AMOUNT, AMOUNT]);
  });

  it('refuses a different amount for the same year with 409 and moves nothing', async () => {
    const targets = await activeCommunityFunds();
    const before = await balancesOf(general, ...targets);
    expect(err(await yearly({ year: YEAR, amountMinor: AMOUNT + 1 }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await balancesOf(general, ...targets)).toEqual(before);
  });

  it('refuses with 422 when the source cannot cover every fund, and moves nothing at all', async () => {
    const targets = await activeCommunityFunds();
    const before = await balancesOf(general, ...targets);
    const tooMuch = Math.floor(before[0]! / targets.length) + 1;
    expect(err(await yearly({ year: 2027, amountMinor: tooMuch }))).toMatchObject({
      status: 422,
      code: 'INSUFFICIENT_FUND_BALANCE',
    });
    expect(await balancesOf(general, ...targets)).toEqual(before);

    // A program fund's money is restricted: it is never the source of a yearly allocation.
    const restricted = await newFund('PROGRAM');
    await inflow(restricted, 1_000_000);
    expect(
      err(await yearly({ year: 2027, amountMinor: 1, sourceFundId: restricted.id })),
    ).toMatchObject({
      status: 422,
      code: 'RELEASE_REQUIRED',
    });
    expect(await balancesOf(restricted, ...targets)).toEqual([1_000_000, ...before.slice(1)]);

    // Nothing of 2027 was recorded: a run the general fund can afford allocates every fund.
    const result = bodyOf(await yearly({ year: 2027, amountMinor: 1 }), 200);
    expect(ids(result.allocated)).toEqual(ids(targets.map((f) => ({ fundId: f.id }))));
    expect(result.alreadyAllocated).toEqual([]);
  });

  it('refuses an unknown source fund with 404', async () => {
    expect(
      err(await yearly({ year: 2028, amountMinor: 1, sourceFundId: randomUUID() })),
    ).toMatchObject({
      status: 404,
      code: 'FUND_NOT_FOUND',
    });
  });

  it.each([
    ['a year before 2000', { year: 1999, amountMinor: 1 }, 'year'],
    ['a year after 2100', { year: 2101, amountMinor: 1 }, 'year'],
    ['a zero amount', { year: 2028, amountMinor: 0 }, 'amountMinor'],
    ['a fractional amount', { year: 2028, amountMinor: 0.5 }, 'amountMinor'],
    ['a non-UUID source', { year: 2028, amountMinor: 1, sourceFundId: 'GENERAL' }, 'sourceFundId'],
  ])('refuses %s with 400', async (_what, body, field) => {
    expect(err(await yearly(body))).toMatchObject(invalid(field));
  });

  it('says a missing or textual year must be a whole number, not that it is after 2100', async () => {
    expect(err(await yearly({ amountMinor: 1 }))).toMatchObject(
      invalid('year must be a whole number'),
    );
    expect(err(await yearly({ year: '2026', amountMinor: 1 }))).toMatchObject(
      invalid('year must be a whole number'),
    );
  });

  it('is not pre-empted by a transfer whose idempotencyKey looks like the yearly key', async () => {
    const target = await newFund('COMMUNITY');
    await inflow(general, 1_000_000);
    bodyOf(await transfer(general, target, 1, { idempotencyKey: `yearly:2031:${target.id}` }), 201);

    const result = bodyOf(await yearly({ year: 2031, amountMinor: 500 }), 200);
    expect(ids(result.allocated)).toContain(target.id);
    expect(await balancesOf(target)).toEqual([501]);
  });

  it('keeps the general fund’s statement consistent across postings made at the same instant', async () => {
    const full = await statement(general.id);
    expect(full.balanceMinor).toBe((await getFund(general.id)).balanceMinor);
    expect(full.lines.map((l) => l.balanceAfterMinor)).toEqual(expectedRunningBalances(full));
    expect(newestFirst(full.lines)).toBe(true);
    const { rows } = await allPages<StatementLine>(
      `/api/v1/funds/${general.id}/statement?limit=1`,
      'lines',
    );
    expect(rows).toEqual(full.lines);
  });
});

describeWholeFileChecks(api, {
  movedMoney: true,
  codes: [
    'FUND_NOT_FOUND',
    'IDEMPOTENCY_KEY_REUSED',
    'INSUFFICIENT_FUND_BALANCE',
    'SAME_FUND',
    'VALIDATION_FAILED',
  ],
});
