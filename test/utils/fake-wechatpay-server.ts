import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FakeWechatPay,
  type NotificationReceiver,
} from '../../src/modules/payments/wechatpay/sandbox/fake-wechatpay';
import type { WechatPaySettings } from '../../src/modules/payments/wechatpay/wechatpay.provider';

/**
 * The fake WeChat Pay platform on a local port (no internet): fresh merchant and platform key
 * pairs, an APIv3 key, and the adapter settings that point at it.
 */
export interface FakeWechatPayServer {
  url: string;
  fake: FakeWechatPay;
  merchant: { publicKey: KeyObject; privateKey: KeyObject; serial: string };
  platform: { publicKey: KeyObject; privateKey: KeyObject; serial: string };
  apiV3Key: string;
  mchid: string;
  appid: string;
  jsapiAppId: string;
  /** Settings for `createWechatPayAdapter`, pointed at this server. */
  settings(overrides?: Partial<WechatPaySettings>): WechatPaySettings;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where notifications go (default: nowhere, answered 200). */
  deliver?: NotificationReceiver;
  payPageBase?: string;
  publicUrl?: string;
  now?: () => Date;
}

export async function startFakeWechatPay(options: StartOptions = {}): Promise<FakeWechatPayServer> {
  const merchant = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }),
    serial: '3775B6A45ACD588826D15E583A95F5DD',
  };
  const platform = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }),
    serial: 'PUB_KEY_ID_0114232134912410000000000000',
  };
  const apiV3Key = randomBytes(16).toString('hex');
  const mchid = '1900009191';
  const appid = 'wxd678efh567hg6787';
  const jsapiAppId = 'wx8888888888888888';
  const fake = new FakeWechatPay({
    mchid,
    appids: [appid, jsapiAppId],
    merchantSerial: merchant.serial,
    merchantPublicKey: merchant.publicKey,
    platformSerial: platform.serial,
    platformPrivateKey: platform.privateKey,
    apiV3Key,
    deliver: options.deliver ?? (() => Promise.resolve(200)),
    payPageBase: options.payPageBase ?? 'http://pay.sandbox.invalid/pay/',
    now: options.now,
    deliveryDelayMs: 5,
  });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const answer = fake.handle(
        request.method ?? 'GET',
        request.url ?? '/',
        headers,
        Buffer.concat(chunks).toString('utf8'),
      );
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    fake,
    merchant,
    platform,
    apiV3Key,
    mchid,
    appid,
    jsapiAppId,
    settings: (overrides = {}) => ({
      mchid,
      appid,
      serial: merchant.serial,
      merchantPrivateKey: merchant.privateKey,
      apiV3Key,
      platformPublicKeys: { [platform.serial]: platform.publicKey },
      apiBase: url,
      publicUrl: options.publicUrl ?? 'https://give.example.org',
      feeRateBp: 60,
      ...overrides,
    }),
    close: async () => {
      await fake.idle();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
