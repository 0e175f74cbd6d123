import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TokensService } from '../../src/modules/accounts/tokens.service';
import { UsersService } from '../../src/modules/accounts/users.service';
import { StaffRemovalService } from '../../src/modules/privacy/staff/staff-removal.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { isConfirmationPage, pressConfirm } from '../utils/confirm-step';
import { formSession } from '../utils/form-session';
import { nowhere, scanDatabase } from '../utils/personal-data-scan';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Removing a staff account (PIPL): the contact data goes from every table, the name stays in the
 * audit log, the account can no longer be used, and every refusal says why in the reader's words.
 */
describe('removing a staff account', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let adminSession: ReturnType<typeof formSession>;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    admin = await createUser(t, ['ADMIN']);
    adminSession = formSession(t.server);
    const signedIn = await adminSession.signIn(admin.email, TEST_PASSWORD);
    if (signedIn.status !== 303) throw new Error(`sign-in failed: ${signedIn.status}`);
  });
  afterAll(() => t.close());

  const csrfOf = async () => adminSession.csrf();
  const auditRows = (sql: string, params: unknown[]) =>
    t.dataSource.query<Record<string, unknown>[]>(sql, params);

  it('asks for confirmation first and changes nothing until confirmed', async () => {
    const target = await createUser(t, ['FINANCE']);
    const first = await adminSession.post(`/admin/users/${target.id}/remove?lang=zh-CN`, {});
    expect(isConfirmationPage(first)).toBe(true);
    expect(first.text).toContain(target.email);
    expect(first.text).toContain('确认移除');
    const [row] = await t.dataSource.query(`SELECT status, email FROM users WHERE id = $1`, [
      target.id,
    ]);
    expect(row).toEqual({ status: 'ACTIVE', email: target.email });
  });

  it('removes an active account: contact data gone everywhere, name kept in the audit log, access dead', async () => {
    const tag = randomUUID().slice(0, 8);
    const email = `staff.${tag}@example.org`;
    const name = `工作人员${tag}`;
    // An ADMIN account that has used the system: signed in, holds a token, left audit rows.
    const invited = await request(t.server)
      .post('/api/v1/users/invitations')
      .set(admin.auth)
      .send({ email, name, roles: ['ADMIN'] })
      .expect(201);
    const id = invited.body.id as string;
    const users = t.get(UsersService);
    await users.createAdmin(email, TEST_PASSWORD, name);
    const staff = formSession(t.server);
    expect((await staff.signIn(email, TEST_PASSWORD)).status).toBe(303);
    expect((await staff.agent.get('/admin/users').expect(200)).text).toContain(email);
    const apiToken = await t.get(TokensService).create(id, 'laptop');
    const other = await createUser(t, ['REVIEWER']);
    await request(t.server)
      .patch(`/api/v1/users/${other.id}`)
      .set({ Authorization: `Bearer ${apiToken.token}` })
      .send({ roles: ['REVIEWER', 'GRANTS_OFFICER'] })
      .expect(200);
    // A password reset link to the address, too.
    const reset = await staff.post('/password/forgot', { email });
    expect(reset.status).toBeLessThan(500);

    const before = await scanDatabase(t.dataSource, [email]);
    expect(before[email]!.map((f) => f.table)).toEqual(
      expect.arrayContaining(['audit_log', 'users', 'outbox', 'one_time_tokens']),
    );

    const res = await adminSession.postConfirmed(`/admin/users/${id}/remove`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/users/${id}`);

    // Contact data: nowhere in any text column of any table.
    const after = await scanDatabase(t.dataSource, [email, `staff.${tag}`]);
    expect(after).toEqual(nowhere(after));

    // The account: removed under its erased number, no password, no roles, sessions or tokens.
    const [user] = await t.dataSource.query(
      `SELECT u.status, u.name, u.email, u.password_hash AS "passwordHash", u.erased_no AS "erasedNo",
              (SELECT count(*)::int FROM user_roles r WHERE r.user_id = u.id) AS roles,
              (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id) AS sessions,
              (SELECT count(*)::int FROM api_tokens a WHERE a.user_id = u.id) AS tokens,
              (SELECT count(*)::int FROM one_time_tokens o WHERE o.user_id = u.id) AS links
       FROM users u WHERE u.id = $1`,
      [id],
    );
    expect(user).toEqual({
      status: 'REMOVED',
      name,
      email: `removed-${user.erasedNo}@erased.invalid`,
      passwordHash: null,
      erasedNo: expect.any(Number),
      roles: 0,
      sessions: 0,
      tokens: 0,
      links: 0,
    });
    const [person] = await t.dataSource.query(
      `SELECT kind, reason, erased_by AS "erasedBy", removed FROM erased_people WHERE no = $1`,
      [user.erasedNo],
    );
    expect(person).toEqual({
      kind: 'STAFF',
      reason: 'STAFF_REMOVED',
      erasedBy: admin.id,
      removed: expect.objectContaining({ sessions: 1, apiTokens: 1, roles: 1 }),
    });
    expect(person.removed.auditRows).toBeGreaterThanOrEqual(2);
    expect(person.removed.emails).toBeGreaterThanOrEqual(2);

    // Who did what stays: the role change is still this person's, labelled with their name.
    const acted = await auditRows(
      `SELECT actor_user_id AS "actorUserId", actor_label AS "actorLabel", redacted_at IS NOT NULL AS redacted
       FROM audit_log WHERE action = 'user.roles_changed' AND entity_id = $1 AND actor_user_id = $2`,
      [other.id, id],
    );
    expect(acted).toEqual([{ actorUserId: id, actorLabel: name, redacted: true }]);
    const removal = await auditRows(
      `SELECT actor_user_id AS "actorUserId", after FROM audit_log WHERE action = 'user.removed' AND entity_id = $1`,
      [id],
    );
    expect(removal).toEqual([
      {
        actorUserId: admin.id,
        after: expect.objectContaining({ name, status: 'REMOVED', erasedNo: user.erasedNo }),
      },
    ]);

    // Access is dead: the session, the API token, the password.
    await staff.agent.get('/admin/users').expect(303);
    await request(t.server)
      .get('/api/v1/me')
      .set({ Authorization: `Bearer ${apiToken.token}` })
      .expect(401);
    const again = await formSession(t.server).signIn(email, TEST_PASSWORD);
    expect(again.status).not.toBe(303);

    // The back office shows the account as removed, without its address or any action.
    const list = await adminSession.agent.get('/admin/users?lang=zh-CN').expect(200);
    expect(list.text).toContain('已移除');
    const page = await adminSession.agent.get(`/admin/users/${id}?lang=en`).expect(200);
    expect(page.text).toContain('This account was removed');
    expect(page.text).not.toContain(`/admin/users/${id}/remove`);
    expect(page.text).not.toContain(`/admin/users/${id}/deactivate`);
    expect(page.text).not.toContain('erased.invalid');

    // The address can be invited again, as a new account.
    const reinvited = await request(t.server)
      .post('/api/v1/users/invitations')
      .set(admin.auth)
      .send({ email, name: 'Someone new', roles: ['REVIEWER'] })
      .expect(201);
    expect(reinvited.body.id).not.toBe(id);
  });

  it('removes an invited account and empties the invitation sent to it', async () => {
    const email = `invitee.${randomUUID().slice(0, 8)}@example.org`;
    const invited = await request(t.server)
      .post('/api/v1/users/invitations')
      .set(admin.auth)
      .send({ email, name: 'Invitee', roles: ['REVIEWER'] })
      .expect(201);
    await adminSession.postConfirmed(`/admin/users/${invited.body.id}/remove`, {});
    const [outbox] = await t.dataSource.query(
      `SELECT payload, payload_redacted_at IS NOT NULL AS redacted FROM outbox
       WHERE payload->>'template' = 'user-invite' AND payload->>'to' = '' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(outbox).toEqual({
      payload: { template: 'user-invite', locale: 'zh-CN', to: '', data: {} },
      redacted: true,
    });
    const after = await scanDatabase(t.dataSource, [email]);
    expect(after).toEqual(nowhere(after));
  });

  it('refuses, in the reader’s language: twice (409), oneself (409), and changes nothing', async () => {
    const target = await createUser(t, ['GRANTS_OFFICER']);
    await adminSession.postConfirmed(`/admin/users/${target.id}/remove`, {});
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM erased_people WHERE kind = 'STAFF'`,
    );

    const twice = await adminSession.post(`/admin/users/${target.id}/remove?lang=zh-CN`, {});
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('该账号已被移除');
    const twiceEn = await adminSession.post(`/admin/users/${target.id}/remove?lang=en`, {});
    expect(twiceEn.status).toBe(409);
    expect(twiceEn.text).toContain('This account has already been removed.');

    const self = await adminSession.post(`/admin/users/${admin.id}/remove?lang=en`, {});
    expect(self.status).toBe(409);
    expect(self.text).toContain('You cannot remove your own account; ask another administrator.');
    const selfZh = await adminSession.post(`/admin/users/${admin.id}/remove?lang=zh-CN`, {});
    expect(selfZh.text).toContain('您不能移除自己的账号');

    // Editing, deactivating or unlocking a removed account is refused too.
    await request(t.server)
      .patch(`/api/v1/users/${target.id}`)
      .set(admin.auth)
      .send({ roles: ['ADMIN'] })
      .expect(409);
    await request(t.server)
      .post(`/api/v1/users/${target.id}/deactivate`)
      .set(admin.auth)
      .expect(409);

    const [{ n: still }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM erased_people WHERE kind = 'STAFF'`,
    );
    expect(still).toBe(n);
    const [me] = await t.dataSource.query(`SELECT status FROM users WHERE id = $1`, [admin.id]);
    expect(me.status).toBe('ACTIVE');
  });

  it('is for administrators only', async () => {
    const finance = await createUser(t, ['FINANCE']);
    const target = await createUser(t, ['REVIEWER']);
    const session = formSession(t.server);
    await session.signIn(finance.email, TEST_PASSWORD);
    const res = await session.post(`/admin/users/${target.id}/remove`, {});
    expect(res.status).toBe(403);
    const [row] = await t.dataSource.query(`SELECT status FROM users WHERE id = $1`, [target.id]);
    expect(row.status).toBe('ACTIVE');
  });

  it('keeps the last active administrator (LAST_ADMIN)', async () => {
    const users = t.get(UsersService);
    const admins: { id: string }[] = await t.dataSource.query(
      `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
       WHERE r.role = 'ADMIN' AND u.status = 'ACTIVE' AND u.id <> $1`,
      [admin.id],
    );
    for (const a of admins) await users.deactivate(a.id);
    await expect(t.get(StaffRemovalService).remove(admin.id, null)).rejects.toMatchObject({
      code: 'LAST_ADMIN',
    });
    const [row] = await t.dataSource.query(`SELECT status FROM users WHERE id = $1`, [admin.id]);
    expect(row.status).toBe('ACTIVE');
  });

  it('shows the confirmation page only after a plain POST, then acts on Confirm', async () => {
    const target = await createUser(t, ['REVIEWER']);
    const first = await adminSession.agent
      .post(`/admin/users/${target.id}/remove?lang=en`)
      .type('form')
      .send({ _csrf: await csrfOf() });
    expect(isConfirmationPage(first)).toBe(true);
    expect(first.text).toContain('Remove this account?');
    const done = await pressConfirm(adminSession.agent, first);
    expect(done.status).toBe(303);
    const [row] = await t.dataSource.query(`SELECT status FROM users WHERE id = $1`, [target.id]);
    expect(row.status).toBe('REMOVED');
  });
});
