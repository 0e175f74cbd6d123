import request from 'supertest';
import { hashSecret } from '../../src/common/secrets';
import { AuthService } from '../../src/modules/accounts/auth.service';
import { TokensService } from '../../src/modules/accounts/tokens.service';
import { UsersService } from '../../src/modules/accounts/users.service';
import { RetentionService } from '../../src/modules/privacy/retention/retention.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation } from '../factories/foundation.factory';
import { cookieFrom, formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

describe('sign-in, sessions, CSRF, lockout and tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  const sessionRow = async (token: string | undefined) =>
    token
      ? ((
          await t.dataSource.query(`SELECT user_id AS "userId" FROM sessions WHERE id = $1`, [
            hashSecret(token),
          ])
        )[0] as { userId: string } | undefined)
      : undefined;

  it('signs in with a new session id, never the one the browser brought (no fixation)', async () => {
    const user = await createUser(t, ['FINANCE']);
    const browser = formSession(t.server);
    const first = await browser.signIn(user.email, TEST_PASSWORD);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/admin');
    const firstSession = cookieFrom(first, 'lx_session');
    expect(await sessionRow(firstSession)).toEqual({ userId: user.id });
    const cookieLine = (first.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('lx_session='),
    );
    expect(cookieLine).toMatch(/HttpOnly/i);
    expect(cookieLine).toMatch(/SameSite=Lax/i);

    // An attacker plants a session id, the victim signs in: the planted id must not become valid.
    const second = await browser.signIn(user.email, TEST_PASSWORD);
    const secondSession = cookieFrom(second, 'lx_session');
    expect(secondSession).toBeDefined();
    expect(secondSession).not.toBe(firstSession);
    expect(await sessionRow(firstSession)).toBeUndefined();
    expect(await sessionRow(secondSession)).toEqual({ userId: user.id });
  });

  it('logs out: the session row is gone and the cookie cleared', async () => {
    const user = await createUser(t, ['REVIEWER']);
    const browser = formSession(t.server);
    const session = cookieFrom(await browser.signIn(user.email, TEST_PASSWORD), 'lx_session');
    const out = await browser.post('/logout', {});
    expect(out.status).toBe(303);
    expect(cookieFrom(out, 'lx_session')).toBe('');
    expect(await sessionRow(session)).toBeUndefined();
  });

  it('refuses a form post without the CSRF token, or with a wrong one, and signs nobody in', async () => {
    const user = await createUser(t, ['FINANCE']);
    const browser = formSession(t.server);
    await browser.csrf();
    const missing = await browser.post(
      '/login',
      { email: user.email, password: TEST_PASSWORD },
      { withCsrf: false },
    );
    expect(missing.status).toBe(403);
    // The page is Chinese by default: so is the refusal.
    expect(missing.text).toContain('表单已过期，或并非来自本站。');
    expect(cookieFrom(missing, 'lx_session')).toBeUndefined();
    const wrong = await browser.agent
      .post('/login')
      .type('form')
      .send({ email: user.email, password: TEST_PASSWORD, _csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    // Another site cannot send the cookie at all: no cookie, no sign-in.
    const foreign = await request(t.server)
      .post('/login')
      .type('form')
      .send({ email: user.email, password: TEST_PASSWORD, _csrf: 'x'.repeat(43) });
    expect(foreign.status).toBe(403);
  });

  it('answers a wrong password and an unknown account the same way', async () => {
    const user = await createUser(t, ['FINANCE']);
    const wrong = await formSession(t.server).signIn(user.email, 'not the password');
    const unknown = await formSession(t.server).signIn(
      'nobody-here@example.org',
      'not the password',
    );
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (text: string) => /role="alert">([^<]*)</.exec(text)?.[1];
    // The sign-in page is Chinese by default, and so is what it says when sign-in fails.
    expect(message(wrong.text)).toBe('邮箱或密码不正确。');
    expect(message(unknown.text)).toBe(message(wrong.text));
  });

  it('locks an account after repeated failures, even for the right password, until an admin unlocks it', async () => {
    const user = await createUser(t, ['FINANCE']);
    const browser = formSession(t.server);
    for (let i = 0; i < 5; i++)
      expect((await browser.signIn(user.email, `wrong ${i}`)).status).toBe(401);
    const locked = await browser.signIn(user.email, TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('登录失败次数过多');
    expect(locked.text).not.toContain('Too many failed sign-ins');
    expect(cookieFrom(locked, 'lx_session')).toBeUndefined();
    const [audit] = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE entity_id = $1 AND action = 'user.locked'`,
      [user.id],
    );
    expect(audit).toEqual({ action: 'user.locked' });

    await t.get(UsersService).unlock(user.id);
    expect((await browser.signIn(user.email, TEST_PASSWORD)).status).toBe(303);
  });

  it('locks unknown emails the same way, so lockout reveals nothing', async () => {
    const browser = formSession(t.server);
    const email = 'ghost@example.org';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await browser.signIn(email, `wrong ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('retention deletes sessions and one-time links past their period, and nothing live', async () => {
    const user = await createUser(t, ['FINANCE']);
    const live = cookieFrom(
      await formSession(t.server).signIn(user.email, TEST_PASSWORD),
      'lx_session',
    );
    // Default periods: sessions 30 days after they end, links 7 days after they expire.
    await t.dataSource.query(
      `INSERT INTO sessions (id, user_id, expires_at) VALUES
         ($1, $3, now() - interval '31 days'), ($2, $3, now() - interval '1 minute')`,
      [hashSecret('long-ended-session'), hashSecret('just-ended-session'), user.id],
    );
    await t.dataSource.query(
      `INSERT INTO one_time_tokens (purpose, token_hash, email, expires_at) VALUES
         ('DONOR_LOGIN', $1, 'old@example.org', now() - interval '8 days'),
         ('DONOR_LOGIN', $2, 'recent@example.org', now() - interval '1 hour')`,
      [hashSecret('old-link'), hashSecret('recent-link')],
    );
    await t.get(RetentionService).run('MANUAL', null);
    expect(await sessionRow('long-ended-session')).toBeUndefined();
    expect(await sessionRow('just-ended-session')).toEqual({ userId: user.id });
    expect(await sessionRow(live)).toEqual({ userId: user.id });
    const links: { email: string }[] = await t.dataSource.query(
      `SELECT email FROM one_time_tokens WHERE token_hash = ANY($1)`,
      [[hashSecret('old-link'), hashSecret('recent-link')]],
    );
    expect(links.map((l) => l.email)).toEqual(['recent@example.org']);
  });

  describe('personal access tokens', () => {
    it('work as Bearer tokens, are stored hashed, and stop working when revoked', async () => {
      const user = await createUser(t, ['FINANCE']);
      const me = await request(t.server).get('/api/v1/me').set(user.auth).expect(200);
      expect(me.body).toMatchObject({ email: user.email, roles: ['FINANCE'] });
      const stored = await t.dataSource.query(
        `SELECT token_hash AS h FROM api_tokens WHERE user_id = $1`,
        [user.id],
      );
      expect(stored).toEqual([{ h: hashSecret(user.token) }]);

      // A token cannot mint tokens: they are made in the back office or the CLI.
      const minted = await request(t.server)
        .post('/api/v1/me/tokens')
        .set(user.auth)
        .send({ name: 'x' });
      expect(minted.status).toBe(404);
      const created = await t.get(TokensService).create(user.id, 'script', 7);
      expect(created.token).toMatch(/^lx_pat_/);
      const listed = await request(t.server).get('/api/v1/me/tokens').set(user.auth).expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(created.token);

      await request(t.server)
        .delete(`/api/v1/me/tokens/${created.record.id}`)
        .set(user.auth)
        .expect(200);
      const revoked = await request(t.server)
        .get('/api/v1/me')
        .set({ Authorization: `Bearer ${created.token}` });
      expect({ status: revoked.status, code: revoked.body.code }).toEqual({
        status: 401,
        code: 'INVALID_TOKEN',
      });
    });

    it('stop working when expired, when malformed, and when the account is deactivated', async () => {
      const user = await createUser(t, ['FINANCE']);
      await request(t.server).get('/api/v1/me').set(user.auth).expect(200);
      await t.dataSource.query(
        `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [user.id],
      );
      expect((await request(t.server).get('/api/v1/me').set(user.auth)).status).toBe(401);
      expect(
        (await request(t.server).get('/api/v1/me').set({ Authorization: 'Bearer nonsense' }))
          .status,
      ).toBe(401);
      expect(
        (await request(t.server).get('/api/v1/me').set({ Authorization: 'Basic abc' })).status,
      ).toBe(401);

      const other = await createUser(t, ['REVIEWER']);
      await t.get(UsersService).deactivate(other.id);
      expect((await request(t.server).get('/api/v1/me').set(other.auth)).status).toBe(401);
    });

    it('refuses an expiry beyond a year', async () => {
      const user = await createUser(t, ['FINANCE']);
      await expect(t.get(TokensService).create(user.id, 'x', 400)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });

    it('end when the password is reset', async () => {
      const user = await createUser(t, ['FINANCE']);
      await request(t.server).get('/api/v1/me').set(user.auth).expect(200);
      const auth = t.get(AuthService);
      await auth.requestPasswordReset(user.email);
      const [{ url }] = await t.dataSource.query(
        `SELECT payload->'data'->>'url' AS url FROM outbox WHERE payload->>'to' = $1 ORDER BY created_at DESC LIMIT 1`,
        [user.email],
      );
      await auth.resetPassword(
        new URL(url).searchParams.get('token')!,
        'a completely new password',
      );
      expect((await request(t.server).get('/api/v1/me').set(user.auth)).status).toBe(401);
    });
  });

  it('keeps the last administrator', async () => {
    const [{ id }] = await t.dataSource.query(
      `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'ADMIN' AND u.status = 'ACTIVE'`,
    );
    const admins = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'ADMIN' AND u.status = 'ACTIVE'`,
    );
    // Demote every admin but one, then the last one cannot go.
    const all: { id: string }[] = await t.dataSource.query(
      `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'ADMIN' AND u.status = 'ACTIVE' AND u.id <> $1`,
      [id],
    );
    for (const other of all) await t.get(UsersService).deactivate(other.id);
    expect(admins[0].n).toBeGreaterThanOrEqual(1);
    await expect(t.get(UsersService).deactivate(id)).rejects.toMatchObject({ code: 'LAST_ADMIN' });
    await expect(t.get(UsersService).update(id, { roles: ['FINANCE'] })).rejects.toMatchObject({
      code: 'LAST_ADMIN',
    });
  });
});
