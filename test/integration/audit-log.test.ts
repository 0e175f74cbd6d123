import request from 'supertest';
import { createUser } from '../factories/accounts.factory';
import {
  createFoundation,
  createFund,
  fundFromOutside,
  generalFund,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

describe('audit log', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  const refused = async (sql: string) => {
    try {
      await t.dataSource.query(sql);
      return 'allowed';
    } catch (error) {
      return (error as { code?: string }).code;
    }
  };

  it('records who moved money, from where, in the same transaction as the movement', async () => {
    const finance = await createUser(t, ['FINANCE']);
    const from = await generalFund(t);
    const to = await createFund(t);
    await fundFromOutside(t, from, 5_000);
    const res = await request(t.server)
      .post('/api/v1/allocations')
      .set(finance.auth)
      .set('X-Forwarded-For', '203.0.113.7')
      .send({
        fromFundId: from.id,
        toFundId: to.id,
        amountMinor: 1_200,
        idempotencyKey: 'audited-1',
      })
      .expect(201);
    const rows = await t.dataSource.query(
      `SELECT actor_user_id AS "actorUserId", actor_label AS "actorLabel", ip, action, entity_id AS "entityId", after
       FROM audit_log WHERE action = 'allocation.created' AND entity_id = $1`,
      [res.body.entry.id],
    );
    expect(rows).toEqual([
      {
        actorUserId: finance.id,
        actorLabel: finance.email,
        ip: '203.0.113.7',
        action: 'allocation.created',
        entityId: res.body.entry.id,
        after: { fromFundId: from.id, toFundId: to.id, amountMinor: 1_200, currency: 'CNY' },
      },
    ]);
    // A replay moves nothing and records nothing more.
    await request(t.server)
      .post('/api/v1/allocations')
      .set(finance.auth)
      .send({
        fromFundId: from.id,
        toFundId: to.id,
        amountMinor: 1_200,
        idempotencyKey: 'audited-1',
      })
      .expect(200);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'allocation.created' AND entity_id = $1`,
      [res.body.entry.id],
    );
    expect(n).toBe(1);
  });

  it('writes nothing when the change fails', async () => {
    const finance = await createUser(t, ['FINANCE']);
    const poor = await createFund(t);
    const other = await createFund(t);
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`);
    await request(t.server)
      .post('/api/v1/allocations')
      .set(finance.auth)
      .send({ fromFundId: poor.id, toFundId: other.id, amountMinor: 1 })
      .expect(422);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log`)).toEqual(before);
  });

  it('records role changes and settings changes with before and after', async () => {
    const admin = await createUser(t, ['ADMIN']);
    const reviewer = await createUser(t, ['REVIEWER']);
    await request(t.server)
      .patch(`/api/v1/users/${reviewer.id}`)
      .set(admin.auth)
      .send({ roles: ['REVIEWER', 'GRANTS_OFFICER'] })
      .expect(200);
    const [change] = await t.dataSource.query(
      `SELECT actor_user_id AS "actorUserId", before->'roles' AS before, after->'roles' AS after
       FROM audit_log WHERE action = 'user.roles_changed' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
      [reviewer.id],
    );
    expect(change).toEqual({
      actorUserId: admin.id,
      before: ['REVIEWER'],
      after: ['GRANTS_OFFICER', 'REVIEWER'],
    });

    const profile = await request(t.server).get('/api/v1/foundation').expect(200);
    await request(t.server)
      .put('/api/v1/foundation')
      .set(admin.auth)
      .send({
        ...profile.body,
        receiptPrefix: 'NEW',
        id: undefined,
        createdAt: undefined,
        updatedAt: undefined,
      })
      .expect(200);
    const [setting] = await t.dataSource.query(
      `SELECT before->>'receiptPrefix' AS before, after->>'receiptPrefix' AS after FROM audit_log
       WHERE action = 'foundation.settings_changed' ORDER BY id DESC LIMIT 1`,
    );
    expect(setting).toEqual({ before: 'T', after: 'NEW' });
  });

  it('cannot be changed: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    expect(await refused(`UPDATE audit_log SET action = 'x.y'`)).toBe('LX002');
    expect(await refused(`DELETE FROM audit_log`)).toBe('LX002');
    expect(await refused(`TRUNCATE audit_log`)).toBe('LX002');
  });

  it('is listed with filters and exported as CSV for admins only', async () => {
    const admin = await createUser(t, ['ADMIN']);
    const finance = await createUser(t, ['FINANCE']);
    const list = await request(t.server)
      .get('/api/v1/audit?action=user&limit=5')
      .set(admin.auth)
      .expect(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((i: { action: string }) => i.action.startsWith('user.'))).toBe(
      true,
    );
    const csv = await request(t.server)
      .get('/api/v1/audit/export.csv?action=allocation')
      .set(admin.auth)
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actorLabel,actorUserId,ip,requestId,action,entityType,entityId,before,after',
    );
    expect(lines.slice(1).every((l) => l.includes('allocation.'))).toBe(true);
    await request(t.server).get('/api/v1/audit').set(finance.auth).expect(403);
  });
});
