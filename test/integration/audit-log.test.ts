import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { RequestContext } from '../../src/common/context/request-context';
import { AuditService } from '../../src/modules/audit/audit.service';
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

  describe('redaction of personal data (erasure)', () => {
    const audit = () => t.get(AuditService);
    const asDonor = <T>(email: string, fn: () => Promise<T>) =>
      RequestContext.run(
        { actor: { kind: 'donor', email, sessionId: 's' }, ip: '198.51.100.9' },
        fn,
      );
    const row = async (entityId: string) =>
      (
        await t.dataSource.query(
          `SELECT id, at, action, entity_type AS "entityType", actor_user_id AS "actorUserId",
                  actor_label AS "actorLabel", ip, before, after, redacted_at AS "redactedAt"
           FROM audit_log WHERE entity_id = $1`,
          [entityId],
        )
      )[0];

    it('replaces exactly the strings that hold a needle, and nothing else', async () => {
      const tag = randomUUID().slice(0, 8);
      const email = `person.${tag}@example.net`;
      const [mentioned, untouched, lookalike] = [randomUUID(), randomUUID(), randomUUID()];
      await asDonor(email, () =>
        t.dataSource.transaction((m) =>
          audit().record(m, {
            action: 'privacy.erasure_requested',
            entityType: 'erasure_request',
            entityId: mentioned,
            before: { note: `Mail ${email.toUpperCase()} please`, keep: 'stays', n: 5 },
            after: { email, list: [email, 'other@example.net', 7], nested: { [email]: true } },
          }),
        ),
      );
      await asDonor(`someone.${tag}@example.net`, () =>
        t.dataSource.transaction(async (m) => {
          await audit().record(m, {
            action: 'privacy.erasure_requested',
            entityType: 'erasure_request',
            entityId: untouched,
            after: { email: `someone.${tag}@example.net` },
          });
          // Shares the tag but not the address: must stay.
          await audit().record(m, {
            action: 'privacy.erasure_requested',
            entityType: 'erasure_request',
            entityId: lookalike,
            after: { note: `person.${tag}@example.org` },
          });
        }),
      );
      const before = await row(mentioned);
      const others = [await row(untouched), await row(lookalike)];

      const changed = await t.dataSource.transaction((m) =>
        audit().redactPersonalData(m, [email.toUpperCase()], '已删除的捐赠人 #9'),
      );
      expect(changed).toBe(1);
      const after = await row(mentioned);
      expect(after).toEqual({
        ...before,
        actorLabel: '已删除的捐赠人 #9',
        ip: '198.51.100.9',
        before: { note: '已删除的捐赠人 #9', keep: 'stays', n: 5 },
        after: {
          email: '已删除的捐赠人 #9',
          list: ['已删除的捐赠人 #9', 'other@example.net', 7],
          nested: { '已删除的捐赠人 #9': true },
        },
        redactedAt: expect.any(Date),
      });
      expect([await row(untouched), await row(lookalike)]).toEqual(others);
      // Nothing mentions it any more: a second run changes nothing.
      expect(
        await t.dataSource.transaction((m) => audit().redactPersonalData(m, [email], 'x')),
      ).toBe(0);
    });

    it('the database still refuses any other UPDATE or DELETE of audit rows', async () => {
      const id = randomUUID();
      await asDonor(`guard.${id.slice(0, 8)}@example.net`, () =>
        t.dataSource.transaction((m) =>
          audit().record(m, { action: 'privacy.erasure_requested', entityType: 'x', entityId: id }),
        ),
      );
      const where = `WHERE entity_id = '${id}'`;
      // Redacting without the stamp, or the stamp with who/what/when changed: refused.
      expect(await refused(`UPDATE audit_log SET actor_label = 'x' ${where}`)).toBe('LX002');
      for (const change of [
        `action = 'user.removed'`,
        `at = at - interval '1 day'`,
        `entity_id = 'other'`,
        `entity_type = 'other'`,
        `actor_user_id = gen_random_uuid()`,
        `request_id = 'other'`,
      ]) {
        expect(await refused(`UPDATE audit_log SET redacted_at = now(), ${change} ${where}`)).toBe(
          'LX002',
        );
      }
      expect(await refused(`DELETE FROM audit_log ${where}`)).toBe('LX002');
      // Once redacted, a change that does not move the stamp is refused as well.
      expect(
        await refused(`UPDATE audit_log SET actor_label = 'y', redacted_at = now() ${where}`),
      ).toBe('allowed');
      expect(
        await refused(`UPDATE audit_log SET actor_label = 'z', redacted_at = redacted_at ${where}`),
      ).toBe('LX002');
      expect(await refused(`UPDATE audit_log SET redacted_at = NULL ${where}`)).toBe('LX002');
      const [current] = await t.dataSource.query(
        `SELECT actor_label AS "actorLabel", action FROM audit_log ${where}`,
      );
      expect(current).toEqual({ actorLabel: 'y', action: 'privacy.erasure_requested' });
    });
  });
});
