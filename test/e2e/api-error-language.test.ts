import request from 'supertest';
import { createUser } from '../factories/accounts.factory';
import { apiBuilders } from '../factories/api.factory';
import { useApiTestApp } from '../utils/api-client';

/**
 * The JSON API answers errors in the reader's language (Accept-Language; English when it names
 * neither Chinese nor English) with the same stable `code` and status in every language, in the
 * { statusCode, error, code, message } shape; amounts are money (¥), never minor units.
 */
const { t, api } = useApiTestApp();
const { ensureFoundation, newFund, inflow } = apiBuilders(api, t);

describe('API errors in the reader’s language', () => {
  let auth: { Authorization: string };
  beforeAll(async () => {
    await ensureFoundation();
    auth = (await createUser(t(), ['ADMIN', 'FINANCE'])).auth;
  });

  const send = (
    method: 'get' | 'post',
    path: string,
    language: string | undefined,
    body?: object,
  ) => {
    let req = request(t().server)[method](path).set(auth);
    if (language) req = req.set('accept-language', language);
    return body ? req.send(body) : req;
  };

  it('says a domain error (closing a fund that holds money) in Chinese and English, same code, money as money', async () => {
    const fund = await newFund();
    await inflow(fund, 20_000_000);
    const path = `/api/v1/funds/${fund.id}/close`;

    const zh = await send('post', path, 'zh-CN,zh;q=0.9,en;q=0.5');
    const en = await send('post', path, 'en-US,en;q=0.9');
    const none = await send('post', path, undefined);
    for (const res of [zh, en, none]) {
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        code: 'FUND_HAS_BALANCE',
      });
      expect(res.body.message).toContain('¥200,000.00');
      expect(res.body.message).not.toMatch(/minor units|20000000/);
    }
    expect(zh.headers['content-language']).toBe('zh-CN');
    expect(zh.body.message).toBe(
      `基金 ${fund.code} 还有余额 ¥200,000.00，请先拨付到其他基金，再关闭。`,
    );
    expect(en.headers['content-language']).toBe('en');
    expect(en.body.message).toBe(
      `Fund ${fund.code} still holds ¥200,000.00; allocate it to another fund before closing it.`,
    );
    // No Accept-Language: the API's documented language, English.
    expect(none.body.message).toBe(en.body.message);
  });

  it('says validation problems in Chinese with field labels, and keeps the API’s English for English clients', async () => {
    const body = { kind: 'NOT_A_KIND', nameZh: '', nameEn: 'x' };
    const zh = await send('post', '/api/v1/funds', 'zh-CN', body);
    const en = await send('post', '/api/v1/funds', 'en', body);
    for (const res of [zh, en]) {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(Array.isArray(res.body.message)).toBe(true);
    }
    const zhText = (zh.body.message as string[]).join('\n');
    expect(zhText).toContain('请从列表中选择类型');
    expect(zhText).toContain('中文名称');
    expect(zhText).not.toMatch(/must|kind|nameZh/);
    expect((en.body.message as string[]).join('\n')).toMatch(/kind must be one of/);
  });

  it('says Nest’s own errors (an unknown address) in the reader’s language', async () => {
    const zh = await send('get', '/api/v1/no-such-thing', 'zh-CN');
    const en = await send('get', '/api/v1/no-such-thing', 'en');
    for (const res of [zh, en]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    expect(zh.body.message).toBe('这个地址没有页面。请检查链接，或从首页开始。');
    expect(en.body.message).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('says a not-found domain error and a bad id in Chinese too', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const zh = await send('get', `/api/v1/funds/${missing}`, 'zh-CN');
    const en = await send('get', `/api/v1/funds/${missing}`, 'en');
    expect(zh.status).toBe(404);
    expect(zh.body.code).toBe('FUND_NOT_FOUND');
    expect(en.body.code).toBe('FUND_NOT_FOUND');
    expect(zh.body.message).toBe(`找不到编号为 ${missing} 的基金。`);
    expect(en.body.message).toBe(`No fund with id ${missing}.`);

    const badId = await send('get', '/api/v1/funds/not-a-uuid', 'zh-CN');
    expect(badId.status).toBe(400);
    expect(badId.body.code).toBe('VALIDATION_FAILED');
    expect(badId.body.message).toBe('id不是有效的编号。');
  });
});
