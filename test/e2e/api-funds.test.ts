import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { apiBuilders, type Fund, uid } from '../factories/api.factory';
import { bodyOf, err, invalid, describeWholeFileChecks, useApiTestApp } from '../utils/api-client';

/**
 * The JSON API end to end, funds: kinds, lifecycle, pages and filters: real HTTP against the full app on this file's own database
 * (test/utils/api-client.ts refuses any 500 or malformed error body). Each describe makes the
 * foundation, communities and funds it needs through the builders in test/factories/api.factory.ts.
 */
const { t, api } = useApiTestApp();
const {
  ensureFoundation,
  newCommunity,
  activate,
  newFund,
  getFund,
  balancesOf,
  generalFund,
  inflow,
  outflow,
  transfer,
  allPages,
} = apiBuilders(api, t);

describe('funds', () => {
  beforeAll(ensureFoundation);

  it('creates a fund of each kind in PREPARING with a zero balance', async () => {
    const general = bodyOf(
      await api.post('/api/v1/funds', {
        kind: 'GENERAL',
        nameZh: '非限定性基金',
        nameEn: 'General Fund',
      }),
      201,
    );
    expect(general).toMatchObject({
      kind: 'GENERAL',
      code: 'GENERAL',
      status: 'PREPARING',
      balanceMinor: 0,
      currency: 'CNY',
    });

    const community = await newCommunity();
    const cf = bodyOf(
      await api.post('/api/v1/funds', {
        kind: 'COMMUNITY',
        communityId: community.id,
        nameZh: '社区基金',
        nameEn: 'Community Fund',
      }),
      201,
    );
    expect(cf).toMatchObject({
      kind: 'COMMUNITY',
      code: `C-${community.code}`,
      communityId: community.id,
      community: { id: community.id, code: community.code },
      status: 'PREPARING',
      balanceMinor: 0,
    });

    for (const kind of ['MATCHING', 'PROGRAM'] as const) {
      const fund = await newFund(kind, { active: false });
      expect(fund).toMatchObject({
        kind,
        status: 'PREPARING',
        balanceMinor: 0,
        communityId: null,
        activatedAt: null,
      });
      expect(await getFund(fund.id)).toMatchObject({ id: fund.id, kind, status: 'PREPARING' });
    }
    expect(await getFund(general.id)).toMatchObject({ id: general.id, kind: 'GENERAL' });
  });

  it('refuses a second GENERAL fund with 409 GENERAL_FUND_EXISTS', async () => {
    await generalFund();
    const res = await api.post('/api/v1/funds', {
      kind: 'GENERAL',
      code: `G-${uid()}`,
      nameZh: '第二',
      nameEn: 'Second',
    });
    expect(err(res)).toMatchObject({ status: 409, code: 'GENERAL_FUND_EXISTS' });
    const list = bodyOf(await api.get('/api/v1/funds?kind=GENERAL'), 200);
    expect(list.items).toHaveLength(1);
  });

  it('refuses a COMMUNITY fund without communityId with 400', async () => {
    const res = await api.post('/api/v1/funds', {
      kind: 'COMMUNITY',
      nameZh: '无社区',
      nameEn: 'No community',
    });
    expect(err(res)).toMatchObject(invalid('communityId'));
  });

  it('refuses communityId on a PROGRAM fund with 422 INVALID_FUND', async () => {
    const community = await newCommunity();
    const res = await api.post('/api/v1/funds', {
      kind: 'PROGRAM',
      communityId: community.id,
      nameZh: '专项',
      nameEn: 'Program',
    });
    expect(err(res)).toMatchObject({ status: 422, code: 'INVALID_FUND' });
  });

  it('refuses a COMMUNITY fund for an unknown community with 404', async () => {
    const res = await api.post('/api/v1/funds', {
      kind: 'COMMUNITY',
      communityId: randomUUID(),
      nameZh: '无',
      nameEn: 'None',
    });
    expect(err(res)).toMatchObject({ status: 404, code: 'COMMUNITY_NOT_FOUND' });
  });

  it('refuses an unknown kind, a duplicate code and a blank name with the right errors', async () => {
    const base = { kind: 'PROGRAM', nameZh: '专项', nameEn: 'Program' };
    expect(err(await api.post('/api/v1/funds', { ...base, kind: 'SAVINGS' }))).toMatchObject(
      invalid('kind'),
    );
    const fund = await newFund('PROGRAM', { active: false });
    expect(err(await api.post('/api/v1/funds', { ...base, code: fund.code }))).toMatchObject({
      status: 409,
      code: 'DUPLICATE_CODE',
    });
    expect(err(await api.post('/api/v1/funds', { ...base, nameZh: '  ' }))).toMatchObject(
      invalid('nameZh'),
    );
  });

  it('allows one open fund per community (409 COMMUNITY_FUND_EXISTS), and a new one once it is closed', async () => {
    const community = await newCommunity();
    const first = await newFund('COMMUNITY', { communityId: community.id, active: false });
    const again = () =>
      api.post('/api/v1/funds', {
        kind: 'COMMUNITY',
        code: `F-${uid()}`,
        communityId: community.id,
        nameZh: '二',
        nameEn: 'Two',
      });
    expect(err(await again())).toMatchObject({ status: 409, code: 'COMMUNITY_FUND_EXISTS' });
    await activate(first.id);
    expect(err(await again())).toMatchObject({ status: 409, code: 'COMMUNITY_FUND_EXISTS' });
    bodyOf(await api.post(`/api/v1/funds/${first.id}/close`), 200);
    expect(bodyOf(await again(), 201)).toMatchObject({
      communityId: community.id,
      status: 'PREPARING',
    });
  });

  it('opens exactly one fund when several requests race for the same community (409s, never 500)', async () => {
    const community = await newCommunity();
    // allSettled: let every request finish before judging, so none is still running in the next test.
    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        api.post('/api/v1/funds', {
          kind: 'COMMUNITY',
          code: `RACE-${i}-${uid()}`,
          communityId: community.id,
          nameZh: '并发',
          nameEn: 'Race',
        }),
      ),
    );
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    const responses = settled.map((s) => (s as PromiseFulfilledResult<Response>).value);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(
      Array(5).fill('COMMUNITY_FUND_EXISTS'),
    );
    const list = bodyOf(await api.get(`/api/v1/funds?communityId=${community.id}`), 200);
    expect(list.items).toHaveLength(1);
  });

  it('goes PREPARING → ACTIVE → CLOSED and refuses every other transition with 409', async () => {
    const fund = await newFund('PROGRAM', { active: false });
    const active = await activate(fund.id);
    expect(active).toMatchObject({
      status: 'ACTIVE',
      activatedAt: expect.any(String),
      closedAt: null,
    });

    expect(err(await api.post(`/api/v1/funds/${fund.id}/activate`))).toMatchObject({
      status: 409,
      code: 'INVALID_FUND_TRANSITION',
    });
    const closed = bodyOf(await api.post(`/api/v1/funds/${fund.id}/close`), 200);
    expect(closed).toMatchObject({ status: 'CLOSED', closedAt: expect.any(String) });
    for (const action of ['activate', 'close']) {
      expect(err(await api.post(`/api/v1/funds/${fund.id}/${action}`))).toMatchObject({
        status: 409,
        code: 'INVALID_FUND_TRANSITION',
      });
    }
    expect((await getFund(fund.id)).status).toBe('CLOSED');
    const account = bodyOf(await api.get(`/api/v1/ledger/accounts/${fund.accountId}`), 200);
    expect(account.closedAt).toEqual(expect.any(String));
  });

  it('never closes the GENERAL fund', async () => {
    const general = await generalFund();
    expect(err(await api.post(`/api/v1/funds/${general.id}/close`))).toMatchObject({
      status: 409,
      code: 'INVALID_FUND_TRANSITION',
    });
    expect((await getFund(general.id)).status).not.toBe('CLOSED');
  });

  it('refuses to close a fund that holds money (409 FUND_HAS_BALANCE), then closes it once emptied', async () => {
    const fund = await newFund();
    await inflow(fund, 700);
    expect(err(await api.post(`/api/v1/funds/${fund.id}/close`))).toMatchObject({
      status: 409,
      code: 'FUND_HAS_BALANCE',
    });
    expect(await getFund(fund.id)).toMatchObject({ status: 'ACTIVE', balanceMinor: 700 });

    await outflow(fund, 700);
    expect(bodyOf(await api.post(`/api/v1/funds/${fund.id}/close`), 200)).toMatchObject({
      status: 'CLOSED',
      balanceMinor: 0,
    });
  });

  it('refuses money into or out of a closed fund with 422 FUND_CLOSED', async () => {
    const [closed, open] = [await newFund(), await newFund()];
    await inflow(open, 1_000);
    bodyOf(await api.post(`/api/v1/funds/${closed.id}/close`), 200);

    expect(err(await transfer(open, closed, 100))).toMatchObject({
      status: 422,
      code: 'FUND_CLOSED',
    });
    expect(err(await transfer(closed, open, 100))).toMatchObject({
      status: 422,
      code: 'FUND_CLOSED',
    });
    expect(await balancesOf(open, closed)).toEqual([1_000, 0]);
  });

  it('counts a community in the coverage once its fund is activated', async () => {
    const before = bodyOf(await api.get('/api/v1/funds/coverage'), 200);
    const fund = await newFund('COMMUNITY', { active: false });
    const preparing = bodyOf(await api.get('/api/v1/funds/coverage'), 200);
    expect(preparing).toMatchObject({
      communitiesTotal: before.communitiesTotal + 1,
      communitiesWithActiveFund: before.communitiesWithActiveFund,
      communitiesWithPreparingFund: before.communitiesWithPreparingFund + 1,
    });

    await activate(fund.id);
    const after = bodyOf(await api.get('/api/v1/funds/coverage'), 200);
    expect(after).toMatchObject({
      communitiesTotal: before.communitiesTotal + 1,
      communitiesWithActiveFund: before.communitiesWithActiveFund + 1,
      communitiesWithPreparingFund: before.communitiesWithPreparingFund,
    });
    expect(after.coverage).toBeCloseTo(after.communitiesWithActiveFund / after.communitiesTotal, 4);
  });

  it('pages through every fund with limit=1 and nextCursor, each once, in code order', async () => {
    const whole = bodyOf(await api.get('/api/v1/funds?limit=500'), 200) as {
      items: Fund[];
      nextCursor: null;
    };
    expect(whole.items.length).toBeGreaterThan(5);
    expect(whole.nextCursor).toBeNull();
    const { rows, pages } = await allPages<Fund>('/api/v1/funds?limit=1', 'items');
    expect(pages).toBe(whole.items.length);
    expect(rows.map((f) => f.code)).toEqual(whole.items.map((f) => f.code));
    expect(rows.map((f) => f.code)).toEqual([...rows.map((f) => f.code)].sort());
  });

  it('filters by kind and status', async () => {
    await newFund('MATCHING');
    const matching = bodyOf(
      await api.get('/api/v1/funds?kind=MATCHING&status=ACTIVE&limit=500'),
      200,
    ) as { items: Fund[] };
    expect(matching.items.length).toBeGreaterThan(0);
    expect(matching.items.every((f) => f.kind === 'MATCHING' && f.status === 'ACTIVE')).toBe(true);
    expect(err(await api.get('/api/v1/funds?status=OPEN'))).toMatchObject(invalid('status'));
  });

  it.each([['501'], ['0'], ['-1']])('refuses limit=%s with 400', async (limit) => {
    expect(err(await api.get(`/api/v1/funds?limit=${limit}`))).toMatchObject(invalid('limit'));
  });

  it('says a non-numeric limit must be a whole number, not that it is too large', async () => {
    expect(err(await api.get('/api/v1/funds?limit=abc'))).toMatchObject(
      invalid('limit must be a whole number'),
    );
  });

  it('answers 404 FUND_NOT_FOUND for an unknown id on every fund route', async () => {
    const id = randomUUID();
    for (const res of [
      await api.get(`/api/v1/funds/${id}`),
      await api.patch(`/api/v1/funds/${id}`, { nameEn: 'x' }),
      await api.post(`/api/v1/funds/${id}/activate`),
      await api.post(`/api/v1/funds/${id}/close`),
      await api.get(`/api/v1/funds/${id}/statement`),
    ]) {
      expect(err(res)).toMatchObject({ status: 404, code: 'FUND_NOT_FOUND' });
    }
  });

  it('refuses a non-UUID id with 400', async () => {
    expect(err(await api.get('/api/v1/funds/12345'))).toMatchObject(invalid('UUID'));
    expect(err(await api.post('/api/v1/funds/general/activate'))).toMatchObject(invalid('UUID'));
  });

  it('refuses a cursor it did not issue with 400 INVALID_CURSOR', async () => {
    const wrongShape = Buffer.from(JSON.stringify({ id: 1 })).toString('base64url');
    for (const cursor of ['garbage', wrongShape]) {
      expect(err(await api.get(`/api/v1/funds?cursor=${cursor}`))).toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    }
  });

  it('renames a fund with PATCH and refuses fields it may not change', async () => {
    const fund = await newFund('PROGRAM', { active: false });
    expect(
      bodyOf(await api.patch(`/api/v1/funds/${fund.id}`, { nameEn: 'Renamed Fund' }), 200),
    ).toMatchObject({
      nameEn: 'Renamed Fund',
      nameZh: fund.nameZh,
    });
    expect((await getFund(fund.id)).nameEn).toBe('Renamed Fund');
    expect(err(await api.patch(`/api/v1/funds/${fund.id}`, { kind: 'GENERAL' }))).toMatchObject(
      invalid('kind'),
    );
    expect((await getFund(fund.id)).kind).toBe('PROGRAM');
  });

  it('refuses null for a name on PATCH with 400 and keeps the fund as it was', async () => {
    const fund = await newFund('PROGRAM', { active: false });
    expect(err(await api.patch(`/api/v1/funds/${fund.id}`, { nameZh: null }))).toMatchObject(
      invalid('nameZh'),
    );
    expect((await getFund(fund.id)).nameZh).toBe(fund.nameZh);
  });
});

describeWholeFileChecks(api, {
  movedMoney: true,
  codes: [
    'VALIDATION_FAILED',
    'COMMUNITY_FUND_EXISTS',
    'DUPLICATE_CODE',
    'FUND_CLOSED',
    'FUND_HAS_BALANCE',
    'FUND_NOT_FOUND',
    'GENERAL_FUND_EXISTS',
    'INVALID_CURSOR',
    'INVALID_FUND',
    'INVALID_FUND_TRANSITION',
  ],
});
