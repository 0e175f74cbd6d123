import { Logger } from '@nestjs/common';
import { createVerify, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { startFakeWechatPay, type FakeWechatPayServer } from '../utils/fake-wechatpay-server';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';

const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';
const PUBLIC_URL = 'https://give.example.org';
const OA_SECRET = 'oa-secret-0123456789';

/**
 * WeChat Pay inside WeChat with an official account (JSAPI): the gift sends the donor through
 * WeChat's silent sign-in, the code comes back and is exchanged for the donor's openid (a local
 * stand-in for api.weixin.qq.com), the JSAPI order is made at the fake platform for that openid,
 * and our payment page carries the pay sheet's parameters, signed with the merchant key.
 */
describe('WeChat Pay inside WeChat (JSAPI)', () => {
  let t: TestApp;
  let wx: FakeWechatPayServer;
  let oauthServer: Server;
  const exchanged: URLSearchParams[] = [];
  let slug: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    oauthServer = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://local').searchParams;
      exchanged.push(query);
      const body =
        query.get('code') === 'code-used'
          ? { errcode: 40163, errmsg: 'code been used' }
          : {
              access_token: 'AT',
              expires_in: 7200,
              openid: `o_${query.get('code')}`,
              scope: 'snsapi_base',
            };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => oauthServer.listen(0, '127.0.0.1', resolve));
    const oauthApiBase = `http://127.0.0.1:${(oauthServer.address() as AddressInfo).port}`;
    wx = await startFakeWechatPay({ publicUrl: PUBLIC_URL });
    await createFileDatabase();
    t = await startConfiguredApp({
      publicUrl: PUBLIC_URL,
      wechatPay: {
        mchid: wx.mchid,
        appid: wx.appid,
        merchantSerial: wx.merchant.serial,
        merchantPrivateKey: wx.merchant.privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        }) as string,
        apiV3Key: wx.apiV3Key,
        platformPublicKey: wx.platform.publicKey.export({ type: 'spki', format: 'pem' }) as string,
        platformSerial: wx.platform.serial,
        apiBase: wx.url,
        jsapi: { appid: wx.jsapiAppId, secret: OA_SECRET, oauthApiBase },
        feeRateBp: 60,
      },
    });
    await t.app.init();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    slug = (await createCampaign(t)).slug;
  });

  afterAll(async () => {
    await t?.close();
    await dropFileDatabase();
    await wx?.close();
    oauthServer?.closeAllConnections();
    await new Promise<void>((resolve) => oauthServer?.close(() => resolve()));
  });

  const give = () =>
    request(t.server)
      .post(`/api/v1/campaigns/${slug}/donations`)
      .set('user-agent', WECHAT_UA)
      .send({
        amountMinor: 8_800,
        donorName: '微信捐赠人',
        donorEmail: `jsapi-${randomUUID().slice(0, 8)}@example.org`,
        method: 'wechat_pay',
      });

  /** Follows the sign-in: our redirect to WeChat, WeChat's state, and the return with a code. */
  async function signIn(checkoutUrl: string, code: string) {
    const path = new URL(checkoutUrl).pathname;
    const toWechat = await request(t.server).get(path).set('user-agent', WECHAT_UA);
    expect(toWechat.status).toBe(303);
    const authorize = new URL(toWechat.headers.location as string);
    expect(authorize.origin + authorize.pathname).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize',
    );
    expect(authorize.searchParams.get('appid')).toBe(wx.jsapiAppId);
    expect(authorize.searchParams.get('scope')).toBe('snsapi_base');
    const back = new URL(authorize.searchParams.get('redirect_uri')!);
    expect(back.origin).toBe(PUBLIC_URL);
    return request(t.server)
      .get(
        `${back.pathname}${back.search}&code=${code}&state=${authorize.searchParams.get('state')}`,
      )
      .set('user-agent', WECHAT_UA);
  }

  it('signs the donor in silently, orders JSAPI for their openid and hands the pay sheet signed parameters', async () => {
    const created = await give();
    expect(created.status).toBe(201);
    const { id, checkoutUrl } = created.body as { id: string; checkoutUrl: string };
    expect(checkoutUrl).toBe(`${PUBLIC_URL}/campaigns/${slug}/pay/${id}/wechat-sign-in`);
    // No order yet: it needs the openid.
    expect(wx.fake.orders.size).toBe(0);

    const back = await signIn(checkoutUrl, 'code-jsapi-1');
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(`/campaigns/${slug}/pay/${id}?lang=zh-CN`);
    expect(Object.fromEntries(exchanged.at(-1)!)).toEqual({
      appid: wx.jsapiAppId,
      secret: OA_SECRET,
      code: 'code-jsapi-1',
      grant_type: 'authorization_code',
    });
    const [order] = [...wx.fake.orders.values()];
    expect(order).toMatchObject({
      tradeType: 'JSAPI',
      appid: wx.jsapiAppId,
      openid: 'o_code-jsapi-1',
      totalMinor: 8_800,
      attach: id,
    });

    const page = await request(t.server)
      .get(back.headers.location as string)
      .set('user-agent', WECHAT_UA);
    expect(page.status).toBe(200);
    const raw = /data-invoke="([^"]+)"/.exec(page.text)?.[1];
    expect(raw).toBeDefined();
    const invoke = JSON.parse(
      raw!
        .replace(/&quot;/g, '"')
        .replace(/&#x3D;/g, '=')
        .replace(/&amp;/g, '&'),
    ) as Record<string, string>;
    expect(invoke.appId).toBe(wx.jsapiAppId);
    expect(invoke.package).toMatch(/^prepay_id=/);
    expect(invoke.signType).toBe('RSA');
    // The pay sheet's signature: appId, timeStamp, nonceStr and package, with the merchant key.
    const signed = `${invoke.appId}\n${invoke.timeStamp}\n${invoke.nonceStr}\n${invoke.package}\n`;
    const verifier = createVerify('RSA-SHA256').update(signed);
    expect(verifier.verify(wx.merchant.publicKey, invoke.paySign!, 'base64')).toBe(true);

    // Coming back again (a reload) opens no second order.
    await signIn(checkoutUrl, 'code-jsapi-2');
    expect(wx.fake.orders.size).toBe(1);
  });

  it('refuses a return whose state was made for another gift, and a code WeChat says was used', async () => {
    const first = (await give()).body as { id: string; checkoutUrl: string };
    const second = (await give()).body as { id: string; checkoutUrl: string };
    const toWechat = await request(t.server).get(new URL(first.checkoutUrl).pathname);
    const state = new URL(toWechat.headers.location as string).searchParams.get('state');
    const forged = await request(t.server)
      .get(`/campaigns/${slug}/pay/${second.id}/wechat-return?code=abc&state=${state}`)
      .set('accept-language', 'zh-CN');
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('微信登录未能完成');

    const used = await signIn(first.checkoutUrl, 'code-used');
    expect(used.status).toBe(400);
    expect(used.text).toContain('code been used (40163)');
    const orders = [...wx.fake.orders.values()].filter(
      (o) => o.attach === first.id || o.attach === second.id,
    );
    expect(orders).toEqual([]);
  });
});
