import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderBusyError } from '../payments.errors';
import { WechatOAuth, WechatSignInRefusedError } from './wechat-oauth';

/** A local stand-in for api.weixin.qq.com's code exchange, as WeChat documents it. */
let server: Server;
let apiBase: string;
const asked: URL[] = [];
let answer: (url: URL) => { status: number; body: unknown } = () => ({ status: 200, body: {} });

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    asked.push(url);
    const { status, body } = answer(url);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => (asked.length = 0));

const oauth = () => new WechatOAuth({ appid: 'wx8888888888888888', secret: 'oa-secret', apiBase });
const gift = '0b5d3c1e-2f44-4c1a-9d7e-1a2b3c4d5e6f';

describe('WeChat sign-in for JSAPI', () => {
  it('sends the donor to the silent authorize page with a state bound to the gift', () => {
    const url = new URL(oauth().authorizeUrl('https://give.example.cn/return?x=1', gift));
    expect(url.origin + url.pathname).toBe('https://open.weixin.qq.com/connect/oauth2/authorize');
    expect(url.hash).toBe('#wechat_redirect');
    expect(url.searchParams.get('appid')).toBe('wx8888888888888888');
    expect(url.searchParams.get('redirect_uri')).toBe('https://give.example.cn/return?x=1');
    expect(url.searchParams.get('scope')).toBe('snsapi_base');
    const state = url.searchParams.get('state')!;
    expect(state).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(oauth().stateMatches(state, gift)).toBe(true);
    expect(oauth().stateMatches(state, '1b5d3c1e-2f44-4c1a-9d7e-1a2b3c4d5e6f')).toBe(false);
    expect(oauth().stateMatches(undefined, gift)).toBe(false);
    // Another official account's secret makes another state.
    const other = new WechatOAuth({ appid: 'wx8888888888888888', secret: 'other', apiBase });
    expect(other.stateMatches(state, gift)).toBe(false);
  });

  it('exchanges the code for the openid with the app id and secret', async () => {
    answer = () => ({
      status: 200,
      body: {
        access_token: 'AT',
        expires_in: 7200,
        openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
        scope: 'snsapi_base',
      },
    });
    await expect(oauth().openid('061abcDEF')).resolves.toBe('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.pathname).toBe('/sns/oauth2/access_token');
    expect(Object.fromEntries(asked[0]!.searchParams)).toEqual({
      appid: 'wx8888888888888888',
      secret: 'oa-secret',
      code: '061abcDEF',
      grant_type: 'authorization_code',
    });
  });

  it('refuses a used code in words, and never asks with a malformed one', async () => {
    answer = () => ({ status: 200, body: { errcode: 40163, errmsg: 'code been used' } });
    const refused = await oauth()
      .openid('061abc')
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WechatSignInRefusedError);
    expect((refused as WechatSignInRefusedError).message).toContain('code been used (40163)');
    await expect(oauth().openid('a&b=c')).rejects.toBeInstanceOf(WechatSignInRefusedError);
    expect(asked).toHaveLength(1);
  });

  it('says busy when WeChat does not answer properly', async () => {
    answer = () => ({ status: 503, body: {} });
    await expect(oauth().openid('061abc')).rejects.toBeInstanceOf(ProviderBusyError);
  });
});
