import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { cleanEnv, freePort, runCli, startServer, stopServer } from '../utils/processes';

/**
 * The README's first command, as a newcomer runs it: no DATABASE_URL, no Redis; PGlite in DATA_DIR
 * behind a local socket, migrations at start, demo data, and the same code paths as production.
 * Runs the built app (`npm test` builds first) in child processes, as PGlite needs real ESM.
 */
describe('embedded mode (PGlite) with demo data', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-embedded-'));
  let port: number;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess | undefined;
  let bearer: Record<string, string> = {};

  beforeAll(async () => {
    port = await freePort();
    env = cleanEnv({ DATA_DIR: dataDir, PORT: String(port) });
  });
  afterAll(async () => {
    if (server) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds the demo foundation twice without duplicating anything', () => {
    const first = runCli(['seed-demo'], env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(
      '112 communities, 29 active and 10 preparing community funds (coverage 25.9%)',
    );
    expect(first.stdout).toContain('2026 allocation: 29 new, 0 already done');
    expect(first.stdout).toMatch(/reviewer@demo\.lianxin\.test +REVIEWER/);
    expect(first.stdout).toMatch(/planner@demo\.lianxin\.test +PLANNER/);
    expect(first.stdout).toContain(
      'the leader looks after Hemei Community Fund; the planner works for Xiajiancao Community',
    );
    expect(first.stdout).toContain(
      '2025 round "2025 community micro-renewal grants" CLOSED with 9 applications (6 outcomes), 5 awards approved, 12 tranches paid',
    );
    expect(first.stdout).toContain(
      '2026 round "2026 community micro-renewal grants" AWARDING with 8 applications (8 outcomes), 2 awards approved, 0 tranches paid',
    );
    expect(first.stdout).toContain('1 paid, 1 waiting for finance');
    // Three gifts to try, and eight months of history up to yesterday (how many depends on today).
    const recorded = Number(/Demo gifts: (\d+) recorded, 0 already there/.exec(first.stdout)?.[1]);
    expect(recorded).toBeGreaterThanOrEqual(3 + 2 + 3 + 4 + 5 + 6 + 7 + 8);
    const afterFirst = JSON.parse(runCli(['ledger:check'], env).stdout);
    // 35 foundation entries + the grants fund top-up, 7 design awards, 12 tranches, 1 expense,
    // 3 demo gifts and their 3 matches; the history's gifts, and a match for each that went to
    // the matched elder meals campaign.
    expect(afterFirst).toMatchObject({ ok: true });
    expect(afterFirst.entries).toBeGreaterThan(59 + recorded);
    expect(afterFirst.entries).toBeLessThan(59 + 2 * recorded);

    const second = runCli(['seed-demo'], env);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('2026 allocation: 0 new, 29 already done');
    expect(second.stdout).toContain('Demo accounts exist already');
    expect(second.stdout).toContain(`Demo gifts: 0 recorded, ${recorded} already there`);
    expect(second.stdout).toContain(
      '2025 round exists already (CLOSED), left as it is; 2026 round exists already (AWARDING), left as it is; the demo expenses exist already',
    );
    const check = runCli(['ledger:check'], env);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual(afterFirst);
  });

  it('creates the first administrator and an access token from the CLI', () => {
    const admin = runCli(
      ['create-admin', '--email', 'Admin@Example.org', '--password', 'a long enough password'],
      env,
    );
    expect(admin.stdout).toContain('Administrator admin@example.org is ready (roles: ADMIN)');
    const weak = runCli(['create-admin', '--email', 'x@example.org', '--password', 'short'], env);
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('The password must be 10 to 200 characters long.');
    const token = runCli(
      ['create-token', '--email', 'admin@example.org', '--name', 'embedded test'],
      env,
    );
    expect(token.status).toBe(0);
    expect(token.stdout.trim()).toMatch(/^lx_pat_[\w-]{8}_[\w-]{43}$/);
    bearer = { Authorization: `Bearer ${token.stdout.trim()}` };
  });

  it('serves pages and API on the embedded database, keeps outflows safe, and persists', async () => {
    let started = await startServer(env);
    server = started.child;
    expect(started.output()).toContain(`open http://localhost:${port}`);
    const api = request(`http://127.0.0.1:${port}`);

    const health = await api.get('/health').expect(200);
    expect(health.body.mode).toEqual({ database: 'embedded', queue: 'in-process' });
    expect(health.body.checks.database.detail).toMatch(/PGlite/);
    const home = await api.get('/?lang=en').expect(200);
    expect(home.text).toContain('29 / 112');
    expect(home.text).toContain('Chenghua District Community Development Foundation, Chengdu');
    const zh = await api.get('/?lang=zh-CN').expect(200);
    expect(zh.text).toContain('成都市成华区社区发展基金会');

    // The grants demo: real figures on the dashboard, awarded projects on the public pages.
    const dash2025 = (await api.get('/api/v1/grants/dashboard?year=2025').set(bearer).expect(200))
      .body.rounds[0];
    expect(dash2025).toMatchObject({
      nameEn: '2025 community micro-renewal grants',
      status: 'CLOSED',
      applications: 9,
      awarded: 5,
      started: 5,
      completed: 4,
      inRectification: 1,
      closed: 2,
      awardedMinor: 37_000_000,
      paidMinor: 34_000_000,
    });
    // Back-dated decisions and payments: most take 3–6 days.
    expect(dash2025.speed.decision).toMatchObject({ count: 9 });
    expect(dash2025.speed.decision.medianDays).toBeGreaterThanOrEqual(3);
    expect(dash2025.speed.decision.medianDays).toBeLessThanOrEqual(6);
    expect(dash2025.speed.payment.count).toBe(12);
    expect(dash2025.speed.payment.medianDays).toBeLessThanOrEqual(6.5);
    const applications = (await api.get('/api/v1/grants/applications').set(bearer).expect(200)).body
      .items as { status: string }[];
    expect(new Set(applications.map((a) => a.status))).toEqual(
      new Set(['DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'SHORTLISTED', 'AWARDED', 'DECLINED']),
    );
    const projects = await api.get('/projects?lang=en').expect(200);
    expect(projects.text).toContain('7 projects');
    expect(projects.text).toContain('口袋公园改造：把闲置角落变成邻里客厅');
    expect(projects.text).toContain('Rectification required');
    const rectifying = await api.get('/projects?lang=en&status=RECTIFICATION_REQUIRED').expect(200);
    expect(rectifying.text).toContain('儿童游乐角翻新');
    expect(rectifying.text).not.toContain('口袋公园改造');

    const general = (await api.get('/api/v1/funds?kind=GENERAL').expect(200)).body.items[0];
    const program = (
      await api
        .post('/api/v1/funds')
        .set(bearer)
        .send({ kind: 'PROGRAM', code: 'EMB-1', nameZh: '嵌入测试', nameEn: 'Embedded test' })
        .expect(201)
    ).body;
    const amount = Math.floor(general.balanceMinor / 3);
    // One PGlite session serialises transactions; the overdraft check must still hold.
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api
          .post('/api/v1/allocations')
          .set(bearer)
          .send({
            fromFundId: general.id,
            toFundId: program.id,
            amountMinor: amount,
            idempotencyKey: `emb-${i}`,
          }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 201, 201, 422, 422, 422, 422, 422]);

    expect(await stopServer(server)).toMatch(/^(0|SIGTERM)$/);
    started = await startServer(env);
    server = started.child;
    const again = await request(`http://127.0.0.1:${port}`)
      .get(`/api/v1/funds/${program.id}`)
      .expect(200);
    expect(again.body.balanceMinor).toBe(3 * amount);
  });
});
