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
    const second = runCli(['seed-demo'], env);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('2026 allocation: 0 new, 29 already done');
    const check = runCli(['ledger:check'], env);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, entries: 35 });
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
    expect(home.text).toContain('Shifan District Community Development Foundation');

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
