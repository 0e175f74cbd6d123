import request from 'supertest';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { createUser } from '../factories/accounts.factory';
import {
  createFoundation,
  createFund,
  fundFromOutside,
  generalFund,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;

/**
 * Restricted money (community and program funds) does not flow back by allocation; it moves only
 * by a release that one person asks for and a second person of the other role approves.
 */
describe('restricted funds: movement rules and releases', () => {
  let t: TestApp;
  let finance: User;
  let finance2: User;
  let admin: User;
  let admin2: User;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    finance = await createUser(t, ['FINANCE']);
    finance2 = await createUser(t, ['FINANCE']);
    admin = await createUser(t, ['ADMIN']);
    admin2 = await createUser(t, ['ADMIN']);
  });
  afterAll(() => t.close());

  const balance = async (fund: { id: string }) =>
    (await t.get(FundsService).get(fund.id)).balanceMinor;
  const balances = (...funds: { id: string }[]) => Promise.all(funds.map(balance));
  const allocate = (who: User, from: { id: string }, to: { id: string }, amountMinor: number) =>
    request(t.server)
      .post('/api/v1/allocations')
      .set(who.auth)
      .send({ fromFundId: from.id, toFundId: to.id, amountMinor });
  const ask = (who: User, body: Record<string, unknown>) =>
    request(t.server).post('/api/v1/releases').set(who.auth).send(body);
  const approve = (who: User, id: string) =>
    request(t.server).post(`/api/v1/releases/${id}/approve`).set(who.auth);
  const entriesFor = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = $1`,
        [`release:${id}`],
      )
    )[0].n as number;
  /** A community fund holding `amountMinor`, given to it from outside (restricted money). */
  const communityFundWith = async (amountMinor: number) => {
    const fund = await createFund(t, { kind: 'COMMUNITY' });
    await fundFromOutside(t, fund, amountMinor);
    return fund;
  };

  it('refuses community → general as an allocation, with the rule in words, and moves nothing', async () => {
    const general = await generalFund(t);
    const community = await communityFundWith(10_000);
    const before = await balances(community, general);
    const res = await allocate(finance, community, general, 1_000).expect(422);
    expect(res.body).toMatchObject({ statusCode: 422, code: 'RELEASE_REQUIRED' });
    expect(res.body.message).toMatch(
      new RegExp(
        `Fund ${community.code} is a community fund and fund GENERAL is the general fund: ` +
          'money given to a restricted fund leaves it only for its purpose or through a release',
      ),
    );
    expect(res.body.message).toMatch(/Request a release/);
    expect(await balances(community, general)).toEqual(before);
  });

  it.each([
    ['community → another community', 'COMMUNITY', 'COMMUNITY', 'RELEASE_REQUIRED'],
    ['program → community', 'PROGRAM', 'COMMUNITY', 'RELEASE_REQUIRED'],
    ['program → program', 'PROGRAM', 'PROGRAM', 'RELEASE_REQUIRED'],
    ['matching pool → program', 'MATCHING', 'PROGRAM', 'MOVEMENT_NOT_ALLOWED'],
    ['community → matching pool', 'COMMUNITY', 'MATCHING', 'MOVEMENT_NOT_ALLOWED'],
  ] as const)('refuses %s as an allocation (%s)', async (_what, fromKind, toKind, code) => {
    const from = await createFund(t, { kind: fromKind });
    await fundFromOutside(t, from, 5_000);
    const to = await createFund(t, { kind: toKind });
    const res = await allocate(finance, from, to, 1_000).expect(422);
    expect(res.body.code).toBe(code);
    expect(await balances(from, to)).toEqual([5_000, 0]);
  });

  it('refuses a manual ledger entry that moves money between two funds (no back door around the rules)', async () => {
    const general = await generalFund(t);
    const community = await communityFundWith(2_000);
    const before = await balances(community, general);
    const res = await request(t.server)
      .post('/api/v1/ledger/entries')
      .set(finance.auth)
      .send({
        idempotencyKey: 'back-door-1',
        kind: 'ADJUSTMENT',
        description: 'Back to general',
        postings: [
          { accountId: community.accountId, amountMinor: -2_000 },
          { accountId: general.accountId, amountMinor: 2_000 },
        ],
      })
      .expect(422);
    expect(res.body.code).toBe('MOVEMENT_NOT_ALLOWED');
    expect(res.body.message).toMatch(/does not move money between funds/);
    expect(await balances(community, general)).toEqual(before);
  });

  it('still allocates from the general fund to community, program and matching funds', async () => {
    const general = await generalFund(t);
    await fundFromOutside(t, general, 30_000);
    for (const kind of ['COMMUNITY', 'PROGRAM', 'MATCHING'] as const) {
      const to = await createFund(t, { kind });
      await allocate(finance, general, to, 1_000).expect(201);
      expect(await balance(to)).toBe(1_000);
    }
  });

  it('refuses a yearly allocation from a restricted fund', async () => {
    const source = await communityFundWith(1_000_000);
    await createFund(t, { kind: 'COMMUNITY' });
    const res = await request(t.server)
      .post('/api/v1/allocations/yearly')
      .set(admin.auth)
      .send({ year: 2040, amountMinor: 100, sourceFundId: source.id })
      .expect(422);
    expect(res.body.code).toBe('RELEASE_REQUIRED');
    expect(await balance(source)).toBe(1_000_000);
  });

  it('releases by two people: asked with a reason, refused to the requester and their own role, posted once by the other role, audited', async () => {
    const general = await generalFund(t);
    const community = await communityFundWith(10_000);
    const before = await balances(community, general);

    const asked = await ask(finance, {
      fromFundId: community.id,
      toFundId: general.id,
      amountMinor: 4_000,
      reason: '项目已结束，结余经理事会决议转入非限定性基金',
    }).expect(201);
    const id = asked.body.release.id as string;
    expect(asked.body).toMatchObject({
      replayed: false,
      release: {
        status: 'PENDING',
        amountMinor: 4_000,
        requestedBy: finance.id,
        requesterRoles: ['FINANCE'],
        fromFund: { code: community.code, kind: 'COMMUNITY' },
        toFund: { code: 'GENERAL', kind: 'GENERAL' },
      },
    });

    const self = await approve(finance, id).expect(403);
    expect(self.body.code).toBe('SELF_APPROVAL');
    const sameRole = await approve(finance2, id).expect(403);
    expect(sameRole.body).toMatchObject({ code: 'SAME_ROLE_APPROVAL' });
    expect(sameRole.body.message).toMatch(/an ADMIN user must approve it/);
    expect(await balances(community, general)).toEqual(before);
    expect(await entriesFor(id)).toBe(0);

    const approved = await approve(admin, id).expect(200);
    expect(approved.body.release).toMatchObject({
      status: 'POSTED',
      decidedBy: admin.id,
      entryId: approved.body.entry.id,
    });
    expect(approved.body.entry).toMatchObject({ kind: 'RELEASE', idempotencyKey: `release:${id}` });
    expect(await balances(community, general)).toEqual([before[0]! - 4_000, before[1]! + 4_000]);

    const again = await approve(admin2, id).expect(409);
    expect(again.body.code).toBe('RELEASE_NOT_PENDING');
    expect(await entriesFor(id)).toBe(1);
    expect(await balances(community, general)).toEqual([before[0]! - 4_000, before[1]! + 4_000]);

    const audit = await t.dataSource.query(
      `SELECT action, actor_user_id AS "actorUserId" FROM audit_log
       WHERE entity_type = 'fund_release' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit).toEqual([
      { action: 'release.requested', actorUserId: finance.id },
      { action: 'release.approved', actorUserId: admin.id },
    ]);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('posts once when several people approve at the same moment', async () => {
    const to = await createFund(t, { kind: 'COMMUNITY' });
    const community = await communityFundWith(9_000);
    const asked = await ask(admin, {
      fromFundId: community.id,
      toFundId: to.id,
      amountMinor: 2_500,
      reason: 'Merged into the neighbouring community',
    }).expect(201);
    const id = asked.body.release.id as string;
    const answers = await Promise.all(
      [finance, finance2, finance, finance2, finance].map((who) => approve(who, id)),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    expect(
      answers.filter((a) => a.status === 409).every((a) => a.body.code === 'RELEASE_NOT_PENDING'),
    ).toBe(true);
    expect(await entriesFor(id)).toBe(1);
    expect(await balances(community, to)).toEqual([6_500, 2_500]);
  });

  it('moves nothing for a rejected release, and cannot approve it afterwards', async () => {
    const general = await generalFund(t);
    const community = await communityFundWith(3_000);
    const before = await balances(community, general);
    const asked = await ask(finance, {
      fromFundId: community.id,
      toFundId: general.id,
      amountMinor: 3_000,
      reason: 'Wrong fund',
    }).expect(201);
    const id = asked.body.release.id as string;
    const rejected = await request(t.server)
      .post(`/api/v1/releases/${id}/reject`)
      .set(admin.auth)
      .send({ note: 'Not agreed by the board' })
      .expect(200);
    expect(rejected.body).toMatchObject({
      status: 'REJECTED',
      decidedBy: admin.id,
      decisionNote: 'Not agreed by the board',
      entryId: null,
    });
    expect((await approve(admin2, id).expect(409)).body.code).toBe('RELEASE_NOT_PENDING');
    expect(await entriesFor(id)).toBe(0);
    expect(await balances(community, general)).toEqual(before);
    // Its requester may withdraw a request too.
    const other = await ask(finance, {
      fromFundId: community.id,
      toFundId: general.id,
      amountMinor: 100,
      reason: 'Test',
    }).expect(201);
    await request(t.server)
      .post(`/api/v1/releases/${other.body.release.id}/reject`)
      .set(finance.auth)
      .expect(200);
    const audit = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE entity_type = 'fund_release' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'release.requested',
      'release.rejected',
    ]);
  });

  it('fails cleanly when the fund no longer holds the money at approval: the release stays pending', async () => {
    const general = await generalFund(t);
    const community = await communityFundWith(5_000);
    const first = await ask(finance, {
      fromFundId: community.id,
      toFundId: general.id,
      amountMinor: 4_000,
      reason: 'First',
    }).expect(201);
    const second = await ask(finance, {
      fromFundId: community.id,
      toFundId: general.id,
      amountMinor: 2_000,
      reason: 'Second',
    }).expect(201);
    await approve(admin, first.body.release.id as string).expect(200);
    const before = await balances(community, general);
    const refused = await approve(admin, second.body.release.id as string).expect(422);
    expect(refused.body.code).toBe('INSUFFICIENT_FUND_BALANCE');
    expect(refused.body.message).toMatch(/holds ¥10\.00 and ¥20\.00 was asked/);
    expect(await balances(community, general)).toEqual(before);
    const still = await request(t.server)
      .get(`/api/v1/releases/${second.body.release.id}`)
      .set(admin.auth)
      .expect(200);
    expect(still.body).toMatchObject({ status: 'PENDING', decidedBy: null });
  });

  it('checks a request: rule, reason, balance, roles, and replays the same key', async () => {
    const general = await generalFund(t);
    const community = await communityFundWith(1_000);
    const base = { fromFundId: community.id, toFundId: general.id, amountMinor: 500 };
    expect((await ask(finance, { ...base, reason: '  ' }).expect(400)).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await ask(finance, { ...base }).expect(400)).body.message).toEqual(
      expect.arrayContaining([expect.stringMatching(/reason/)]),
    );
    expect(
      (
        await ask(finance, {
          fromFundId: general.id,
          toFundId: community.id,
          amountMinor: 1,
          reason: 'x',
        }).expect(422)
      ).body.code,
    ).toBe('RELEASE_NOT_NEEDED');
    expect(
      (await ask(finance, { ...base, amountMinor: 1_001, reason: 'x' }).expect(422)).body.code,
    ).toBe('INSUFFICIENT_FUND_BALANCE');
    const grants = await createUser(t, ['GRANTS_OFFICER']);
    await ask(grants, { ...base, reason: 'x' }).expect(403);

    const first = await ask(finance, { ...base, reason: 'Once', idempotencyKey: 'rel-1' }).expect(
      201,
    );
    const replay = await ask(finance, { ...base, reason: 'Once', idempotencyKey: 'rel-1' }).expect(
      200,
    );
    expect(replay.body).toMatchObject({ replayed: true, release: { id: first.body.release.id } });
    expect(
      (
        await ask(finance, {
          ...base,
          amountMinor: 501,
          reason: 'x',
          idempotencyKey: 'rel-1',
        }).expect(409)
      ).body.code,
    ).toBe('IDEMPOTENCY_KEY_REUSED');

    const pending = await request(t.server)
      .get('/api/v1/releases?status=PENDING')
      .set(admin.auth)
      .expect(200);
    expect(pending.body.items.map((r: { id: string }) => r.id)).toContain(first.body.release.id);
    await request(t.server).get('/api/v1/releases?status=SOON').set(admin.auth).expect(400);
  });
});
