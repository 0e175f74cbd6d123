import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/test-app';

/** The language switch is remembered: a later address without ?lang= opens in that language. */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('remembered language', () => {
  it('sets lx_lang from ?lang= and uses it before Accept-Language', async () => {
    const chosen = await request(t.server).get('/funds?lang=en').set('accept-language', 'zh-CN');
    expect(chosen.status).toBe(200);
    const cookie = [chosen.headers['set-cookie'] ?? []]
      .flat()
      .find((c) => c.startsWith('lx_lang='));
    expect(cookie).toMatch(/^lx_lang=en;.*Max-Age=31536000/);

    const later = await request(t.server)
      .get('/funds')
      .set('accept-language', 'zh-CN')
      .set('cookie', 'lx_lang=en');
    expect(later.text).toMatch(/<html lang="en"/);
    expect([later.headers['set-cookie'] ?? []].flat().join()).not.toContain('lx_lang');

    const without = await request(t.server).get('/funds').set('accept-language', 'zh-CN');
    expect(without.text).toMatch(/<html lang="zh-CN"/);
  });

  it('answers the API in the Accept-Language, keeping the stable code', async () => {
    const zh = await request(t.server)
      .get('/api/v1/no-such-thing')
      .set('accept-language', 'zh-CN,zh;q=0.9');
    expect(zh.status).toBe(404);
    expect(zh.body.code).toBe('NOT_FOUND');
    expect(zh.body.message).toBe('这个地址没有页面。请检查链接，或从首页开始。');
    const en = await request(t.server).get('/api/v1/no-such-thing');
    expect(en.body.code).toBe('NOT_FOUND');
    expect(en.body.message).toMatch(/Cannot GET/);
  });

  it('shows a missing page in the visitor’s language, not "Cannot GET"', async () => {
    const zh = await request(t.server).get('/no-such-page').set('accept-language', 'zh-CN');
    expect(zh.status).toBe(404);
    expect(zh.text).toContain('这个地址没有页面');
    expect(zh.text).not.toContain('Cannot GET');
    const en = await request(t.server).get('/no-such-page').set('cookie', 'lx_lang=en');
    expect(en.text).toContain('There is no page at this address');
  });
});
