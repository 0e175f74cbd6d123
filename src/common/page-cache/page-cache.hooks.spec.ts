import type { FastifyRequest } from 'fastify';
import { anonymousVisitor, pageKey } from './page-cache.hooks';

const req = (
  url: string,
  headers: Record<string, string> = {},
  host = 'give.example.org',
): FastifyRequest => {
  const query = Object.fromEntries(new URL(url, 'http://x').searchParams);
  return { url, headers, query, host, protocol: 'https' } as unknown as FastifyRequest;
};

describe('pageKey', () => {
  it.each([
    ['/campaigns/a?lang=en', {}, 'en https://give.example.org/campaigns/a?lang=en'],
    ['/campaigns/a?utm=1&lang=en', {}, 'en https://give.example.org/campaigns/a?lang=en&utm=1'],
    [
      '/campaigns/a',
      { 'accept-language': 'en-GB,en;q=0.9' },
      'en https://give.example.org/campaigns/a?',
    ],
    ['/campaigns/a', { 'accept-language': 'zh-TW' }, 'zh-CN https://give.example.org/campaigns/a?'],
    ['/campaigns/a', {}, 'default https://give.example.org/campaigns/a?'],
    ['/campaigns/a', { 'accept-language': 'fr' }, 'default https://give.example.org/campaigns/a?'],
    ['/campaigns/a?lang=fr', {}, 'default https://give.example.org/campaigns/a?lang=fr'],
    [
      '/campaigns/a?lang=en',
      { 'user-agent': 'Mozilla/5.0 (iPhone) Mobile/15E148 MicroMessenger/8.0.47' },
      'en wechat https://give.example.org/campaigns/a?lang=en',
    ],
    [
      '/campaigns/a?lang=en',
      { 'user-agent': 'Mozilla/5.0 (Linux; Android 13) AlipayClient/10.5.86' },
      'en alipay https://give.example.org/campaigns/a?lang=en',
    ],
  ])('%s %j → %s', (url, headers, key) => {
    expect(pageKey(req(url, headers))).toBe(key);
  });

  it('keeps hosts apart (a forged Host cannot poison the real one)', () => {
    expect(pageKey(req('/', {}, 'evil.example'))).not.toBe(pageKey(req('/')));
  });

  it('reads a repeated ?lang= as pageLocale does (no language)', () => {
    const request = {
      ...req('/?lang=en&lang=zh-CN'),
      query: { lang: ['en', 'zh-CN'] },
    } as unknown as FastifyRequest;
    expect(pageKey(request)).toMatch(/^default /);
  });
});

describe('anonymousVisitor', () => {
  it.each([
    [{}, true],
    [{ cookie: 'lx_csrf=abc' }, true],
    [{ cookie: 'other=1; lx_session=abc' }, false],
    [{ cookie: 'lx_flash=abc' }, false],
    [{ cookie: 'not_lx_session=abc' }, true],
    [{ authorization: 'Bearer x' }, false],
  ])('%j → %s', (headers, expected) => {
    expect(anonymousVisitor(req('/', headers as Record<string, string>))).toBe(expected);
  });
});
