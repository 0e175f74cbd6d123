import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Role } from '../../src/common/auth/roles';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Exports of donor data (PIPL minimisation): only FINANCE and ADMIN take them, and each one is
 * audited (privacy.donor_data_exported) with the exact number of rows the file held.
 */
describe('donor data exports', () => {
  let t: TestApp;
  let fund: Awaited<ReturnType<typeof createFund>>;
  const tag = randomUUID().slice(0, 8);
  const donorEmail = `giver.${tag}@example.net`;
  const donorName = `捐赠人${tag}`;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    fund = await createFund(t, { kind: 'PROGRAM' });
    const offline = t.get(OfflineGiftsService);
    for (const [i, amountMinor] of [10_000, 25_000, 5_000].entries()) {
      await offline.record({
        fundCode: fund.code,
        amountMinor,
        donorName,
        donorEmail,
        method: 'BANK',
        reference: `EXP-${tag}-${i}`,
      } as never);
    }
    await offline.record({
      fundCode: fund.code,
      amountMinor: 7_700,
      donorName: `别人${tag}`,
      donorEmail: `other.${tag}@example.net`,
      method: 'BANK',
      reference: `EXP-${tag}-other`,
    } as never);
  });
  afterAll(() => t.close());

  async function signedIn(roles: Role[], scope: { fundIds?: string[] } = {}) {
    const user = await createUser(t, roles, scope);
    const session = formSession(t.server);
    const res = await session.signIn(user.email, TEST_PASSWORD);
    if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
    return { user, session };
  }

  const exportRows = (userId: string) =>
    t.dataSource.query<{ entityId: string; after: Record<string, unknown> }[]>(
      `SELECT entity_id AS "entityId", after FROM audit_log
       WHERE action = 'privacy.donor_data_exported' AND entity_type = 'donor_data' AND actor_user_id = $1
       ORDER BY id`,
      [userId],
    );

  /** Data lines of a CSV made of one line per row (no cell here holds a line break). */
  const dataLines = (text: string) => text.split('\r\n').filter((l) => l !== '').length - 1;

  it('gifts CSV: FINANCE exports it, audited with the exact row count and the filters', async () => {
    const { user, session } = await signedIn(['FINANCE']);
    const res = await session.agent
      .get(`/admin/donations/export.csv?email=${encodeURIComponent(donorEmail)}`)
      .expect(200);
    expect(dataLines(res.text)).toBe(3);
    expect(res.text).toContain(donorName);
    const all = await session.agent.get('/admin/donations/export.csv').expect(200);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM donations`);
    expect(dataLines(all.text)).toBe(n);
    expect(await exportRows(user.id)).toEqual([
      {
        entityId: 'donations.csv',
        after: { export: 'donations.csv', rows: 3, filters: { email: donorEmail }, complete: true },
      },
      {
        entityId: 'donations.csv',
        after: { export: 'donations.csv', rows: n, filters: {}, complete: true },
      },
    ]);
  });

  it('gifts CSV: refused (403) to a grants officer, a reviewer and a community leader, unaudited', async () => {
    for (const roles of [['GRANTS_OFFICER'], ['REVIEWER'], ['COMMUNITY_LEADER']] as Role[][]) {
      const { user, session } = await signedIn(
        roles,
        roles[0] === 'COMMUNITY_LEADER' ? { fundIds: [fund.id] } : {},
      );
      const res = await session.agent.get('/admin/donations/export.csv');
      expect(res.status).toBe(403);
      expect(res.text).not.toContain(donorName);
      expect(await exportRows(user.id)).toEqual([]);
    }
  });

  it('fund statement CSV: FINANCE reads every donor, audited; a leader of the fund reads no private name, unaudited', async () => {
    const { user, session } = await signedIn(['FINANCE']);
    const res = await session.agent
      .get(`/admin/funds/${fund.id}/statement.csv?from=2020-01-01`)
      .expect(200);
    expect(res.text).toContain(donorName);
    expect(dataLines(res.text)).toBe(4);
    expect(await exportRows(user.id)).toEqual([
      {
        entityId: 'fund-statement.csv',
        after: {
          export: 'fund-statement.csv',
          rows: 4,
          filters: { fundId: fund.id, from: expect.stringMatching(/^2019-12-31T16:00/) },
          complete: true,
        },
      },
    ]);

    const leader = await signedIn(['COMMUNITY_LEADER'], { fundIds: [fund.id] });
    const theirs = await leader.session.agent
      .get(`/admin/funds/${fund.id}/statement.csv`)
      .expect(200);
    expect(dataLines(theirs.text)).toBe(4);
    expect(theirs.text).not.toContain(donorName);
    expect(theirs.text).not.toContain(tag);
    expect(await exportRows(leader.user.id)).toEqual([]);

    for (const roles of [['GRANTS_OFFICER'], ['REVIEWER']] as Role[][]) {
      const other = await signedIn(roles);
      const text = (
        await other.session.agent.get(`/admin/funds/${fund.id}/statement.csv`).expect(200)
      ).text;
      expect(text).not.toContain(tag);
      expect(await exportRows(other.user.id)).toEqual([]);
    }
  });

  it('audit log CSV (page and API): ADMIN only, audited with its row count', async () => {
    const { user, session } = await signedIn(['ADMIN']);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'donation.%'`,
    );
    expect(n).toBeGreaterThan(0);
    const page = await session.agent.get('/admin/audit.csv?action=donation').expect(200);
    expect(dataLines(page.text)).toBe(n);
    const admin = await createUser(t, ['ADMIN']);
    await request(t.server)
      .get('/api/v1/audit/export.csv?action=donation')
      .set(admin.auth)
      .expect(200);
    expect(await exportRows(user.id)).toEqual([
      {
        entityId: 'audit-log.csv',
        after: {
          export: 'audit-log.csv',
          rows: n,
          filters: { action: 'donation' },
          complete: true,
        },
      },
    ]);
    expect(await exportRows(admin.id)).toEqual([
      {
        entityId: 'api-audit-log.csv',
        after: {
          export: 'api-audit-log.csv',
          rows: n,
          filters: { action: 'donation' },
          complete: true,
        },
      },
    ]);

    for (const roles of [['FINANCE'], ['GRANTS_OFFICER'], ['REVIEWER']] as Role[][]) {
      const other = await signedIn(roles);
      expect((await other.session.agent.get('/admin/audit.csv')).status).toBe(403);
      const api = await createUser(t, roles);
      await request(t.server).get('/api/v1/audit/export.csv').set(api.auth).expect(403);
    }
  });

  it('the public ledger CSV holds no personal data', async () => {
    const res = await request(t.server).get(`/funds/${fund.code}/ledger.csv`).expect(200);
    expect(res.text).not.toContain(tag);
    expect(res.text).not.toContain('@');
  });
});
