import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { cleanEnv, freePort, runCli, startServer, stopServer } from '../utils/processes';

const SLUG = 'elder-meals-2026';

/**
 * Only one process opens DATA_DIR/pgdata (two PGlite instances on one folder overwrite each
 * other's files): CLI commands run while the embedded server runs go through it, a second server
 * is refused, and a lock left by a killed server does not block the next start. Runs the built
 * app (`npm test` builds first) in child processes.
 */
describe('embedded data folder: one process at a time', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-lock-'));
  let env: NodeJS.ProcessEnv;
  let port: number;
  let server: ChildProcess | undefined;
  const api = () => request(`http://127.0.0.1:${port}`);
  const totals = async () =>
    (await api().get(`/api/v1/campaigns/${SLUG}/totals`).expect(200)).body as {
      raisedMinor: number;
      gifts: number;
    };

  beforeAll(async () => {
    port = await freePort();
    env = cleanEnv({ DATA_DIR: dataDir, PORT: String(port) });
  });
  afterAll(async () => {
    if (server) await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs CLI commands through the running server, which sees what they wrote', async () => {
    server = (await startServer(env)).child;

    const seed = runCli(['seed-demo'], env);
    expect(seed.status).toBe(0);
    expect(seed.stdout).toContain('2026 allocation: 29 new, 0 already done');
    const before = await totals(); // the server sees the demo campaign the CLI created

    const csv = path.join(dataDir, 'gifts.csv');
    writeFileSync(
      csv,
      'campaign_slug,amount,donor_name,donor_email,method,reference\n' +
        `${SLUG},123.45,王芳,wang.fang@example.org,BANK,LOCK-1\n`,
    );
    const imported = runCli(['import-offline', '--file', csv], env);
    expect(imported.stdout).toContain('1 recorded, 0 already recorded, 0 with errors');
    expect(imported.status).toBe(0);

    // The server sees the CLI's gift at once, and the ledger agrees with itself.
    const after = await totals();
    expect(after.raisedMinor - before.raisedMinor).toBe(12_345);
    expect(after.gifts - before.gifts).toBe(1);
    const check = runCli(['ledger:check'], env);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true });
    expect((await api().get('/health').expect(200)).body.status).toBe('ok');
    expect(check.stderr).toMatch(/^The server \(pid \d+\) has the embedded database open/);
  }, 180_000);

  it('refuses a second server on the same DATA_DIR with a message saying what to do', async () => {
    const second = startServer({ ...env, PORT: String(await freePort()) }).then(async (started) => {
      await stopServer(started.child);
      throw new Error('a second server started on the same DATA_DIR');
    });
    await expect(second).rejects.toThrow(
      /server exited with 1:\n.*is already open in a running Lianxin server \(pid \d+, since [\dT:.-]+Z\)\. Only one process may open it at a time\. Stop that server first, or set DATA_DIR to another folder\./,
    );
    await expect(second).rejects.not.toThrow(/\n\s+at /); // a message, not a stack trace
    await api().get('/health').expect(200);
  }, 120_000);

  it('starts again after the server was killed (SIGKILL), and the data is intact', async () => {
    const before = await totals();
    const killed = server!;
    await new Promise<void>((resolve) => {
      killed.once('exit', () => resolve());
      killed.kill('SIGKILL');
    });
    server = (await startServer(env)).child;
    expect(await totals()).toEqual(before);
    expect(runCli(['ledger:check'], env).status).toBe(0);

    expect(await stopServer(server)).toMatch(/^(0|SIGTERM)$/);
    server = undefined;
    // With no server, the CLI opens the folder itself again.
    const alone = runCli(['ledger:check'], env);
    expect(alone.stderr).toBe('');
    expect(JSON.parse(alone.stdout)).toMatchObject({ ok: true });
  }, 180_000);
});
