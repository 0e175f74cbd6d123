import type { AppConfig } from '../../config/app-config';
import { MetricsEndpoint } from './metrics-endpoint';
import { Metrics } from './metrics.service';

function endpoint(nodeEnv: AppConfig['nodeEnv'], metrics: Partial<AppConfig['metrics']>) {
  const config = { nodeEnv, metrics: { host: '127.0.0.1', ...metrics } } as AppConfig;
  return new MetricsEndpoint(new Metrics(), config);
}

describe('who may read /metrics on the main port', () => {
  it.each([
    ['development', {}, true],
    ['test', {}, true],
    ['production', {}, false],
    ['production', { token: 't'.repeat(16) }, true],
    ['production', { port: 9464 }, false],
    ['development', { port: 9464 }, false],
    ['production', { port: 9464, token: 't'.repeat(16) }, false],
  ] as const)('%s with %j: %s', (env, metrics, served) => {
    expect(endpoint(env, metrics).servedOnMainPort).toBe(served);
  });

  it('is a 404 where it is not served', async () => {
    await expect(endpoint('production', {}).onMainPort(undefined)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('asks for the token, and answers with it', async () => {
    const e = endpoint('production', { token: 'secret-token-0123456789' });
    expect(await e.answer(undefined)).toMatchObject({ status: 401 });
    expect(await e.answer('Bearer secret-token-0123456789x')).toMatchObject({ status: 401 });
    const ok = await e.answer('Bearer secret-token-0123456789');
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('# TYPE lianxin_gifts_confirmed_total counter');
  });
});
