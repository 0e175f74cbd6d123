import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, ROOT } from '../utils/processes';

/**
 * A production deployment never starts on the free sandbox checkout: the server (and the worker)
 * stop at once with one line naming the variable to set. Runs dist/ (npm test builds first).
 */
describe('starting without a payment provider', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-prod-config-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = (entry: string, extra: Record<string, string>) => {
    const env = cleanEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0', ...extra });
    for (const key of ['PAYMENTS_SANDBOX', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'])
      if (!(key in extra)) delete env[key];
    const result = spawnSync(process.execPath, [entry], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: result.status, stderr: result.stderr.trim(), stdout: result.stdout };
  };

  it.each([
    [
      'NODE_ENV=production',
      { NODE_ENV: 'production' },
      /^Invalid configuration: STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set when NODE_ENV=production/,
    ],
    [
      'NODE_ENV=production with PAYMENTS_SANDBOX=true',
      { NODE_ENV: 'production', PAYMENTS_SANDBOX: 'true' },
      /^Invalid configuration: PAYMENTS_SANDBOX=true is refused when NODE_ENV=production/,
    ],
    [
      'DATABASE_URL without Stripe or the opt-in',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/lianxin_never_opened' },
      /^Invalid configuration: STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set with DATABASE_URL/,
    ],
  ])('the server refuses %s with one line', (_name, extra, message) => {
    const result = start('dist/src/main.js', extra);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stdout).not.toContain('Lianxin is running');
  });

  it('the worker refuses production without Stripe the same way', () => {
    const result = start('dist/src/worker.js', {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/lianxin_never_opened',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /STRIPE_SECRET_KEY, WECHATPAY_MCHID or ALIPAY_APP_ID must be set when NODE_ENV=production/,
    );
  });
});
