import { Logger } from '@nestjs/common';
import request from 'supertest';
import { PROXY_HINT_SAMPLE } from '../../src/app.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

/** With TRUST_PROXY unset and only loopback clients (a proxy's view), the app warns once. */
describe('app: the TRUST_PROXY hint', () => {
  let t: TestApp;
  const warn = jest.spyOn(Logger.prototype, 'warn');
  const saved = process.env.TRUST_PROXY;
  beforeAll(async () => {
    delete process.env.TRUST_PROXY;
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    process.env.TRUST_PROXY = saved;
    warn.mockRestore();
    await t.close();
  });

  const hints = () =>
    warn.mock.calls.filter(([message]) => String(message).includes('TRUST_PROXY is unset'));

  it('warns once after the first requests all came from loopback, naming the variable', async () => {
    for (let i = 0; i < PROXY_HINT_SAMPLE - 1; i++) {
      await request(t.server).get('/static/admin.css').expect(200);
    }
    expect(hints()).toHaveLength(0);
    await request(t.server).get('/static/admin.css').expect(200);
    expect(hints()).toHaveLength(1);
    expect(String(hints()[0]![0])).toMatch(/127\.0\.0\.1|::1/);
    for (let i = 0; i < 5; i++) await request(t.server).get('/static/admin.css').expect(200);
    expect(hints()).toHaveLength(1);
  });
});
