import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { type WechatPaySettings } from '../wechatpay.provider';
import { readOrCreateSandboxFile } from '../../sandbox/sandbox-file';
import { FakeWechatPay, httpReceiver } from './fake-wechatpay';

/**
 * WeChat Pay in the sandbox: the real adapter, pointed at the fake platform this server mounts at
 * `/sandbox/wechatpay/v3/*`, with keys of its own kept in `DATA_DIR/sandbox-wechatpay-keys.json`.
 * The fake's notifications go through this server's real `/webhooks/wechatpay`, so the production
 * path (signature, decryption, inbox, settlement) runs on every sandbox gift.
 */
export const SANDBOX_WECHATPAY_KEYS_FILE = 'sandbox-wechatpay-keys.json';
export const SANDBOX_WECHATPAY_PATH = '/sandbox/wechatpay';

/** The merchant's and the platform's keys, as the file keeps them (PEM). */
export interface SandboxWechatPayKeys {
  mchid: string;
  appid: string;
  jsapiAppId: string;
  merchantSerial: string;
  merchantPrivateKey: string;
  merchantPublicKey: string;
  platformSerial: string;
  platformPrivateKey: string;
  platformPublicKey: string;
  apiV3Key: string;
}

function newKeys(): SandboxWechatPayKeys {
  const pem = () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  };
  const merchant = pem();
  const platform = pem();
  return {
    mchid: '1900000109',
    appid: 'wx0000000000sandbox',
    jsapiAppId: 'wx0000000000sandoa',
    merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
    merchantPrivateKey: merchant.privateKey,
    merchantPublicKey: merchant.publicKey,
    platformSerial: `PUB_KEY_ID_01${randomBytes(12).toString('hex').toUpperCase()}`,
    platformPrivateKey: platform.privateKey,
    platformPublicKey: platform.publicKey,
    apiV3Key: randomBytes(16).toString('hex'),
  };
}

/**
 * The sandbox's keys, made on first use and kept in DATA_DIR (see readOrCreateSandboxFile).
 */
export function readOrCreateSandboxKeys(dataDir: string): SandboxWechatPayKeys {
  const file = path.join(dataDir, SANDBOX_WECHATPAY_KEYS_FILE);
  return readOrCreateSandboxFile(
    file,
    () => `${JSON.stringify(newKeys(), null, 2)}\n`,
    (text) => {
      const keys = JSON.parse(text) as Partial<SandboxWechatPayKeys>;
      const complete = Object.keys(newKeysShape).every(
        (k) => typeof keys[k as keyof SandboxWechatPayKeys] === 'string',
      );
      if (!complete) {
        throw new Error(
          `${file} is not a sandbox WeChat Pay key file; delete it and a new one is made`,
        );
      }
      return keys as SandboxWechatPayKeys;
    },
  );
}

const newKeysShape: Record<keyof SandboxWechatPayKeys, true> = {
  mchid: true,
  appid: true,
  jsapiAppId: true,
  merchantSerial: true,
  merchantPrivateKey: true,
  merchantPublicKey: true,
  platformSerial: true,
  platformPrivateKey: true,
  platformPublicKey: true,
  apiV3Key: true,
};

export interface SandboxWechatPayOptions {
  dataDir: string;
  /** Where donors reach this site: the pay page links (code_url, h5_url) and notify_url. */
  publicUrl: string;
  /** This server's own address (`http://127.0.0.1:port`), read at each call: known once listening. */
  serverOrigin: () => string;
  feeRateBp?: number;
}

export interface SandboxWechatPay {
  /** For `createWechatPayAdapter`: the real adapter, its API base this server's fake. */
  settings: WechatPaySettings;
  /** The fake platform, mounted by the sandbox controller (in the server process only). */
  fake: FakeWechatPay;
  keys: SandboxWechatPayKeys;
}

/** The adapter's settings and the fake platform they point at, sharing one set of keys. */
export function createSandboxWechatPay(options: SandboxWechatPayOptions): SandboxWechatPay {
  const keys = readOrCreateSandboxKeys(options.dataDir);
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const settings: WechatPaySettings = {
    mchid: keys.mchid,
    appid: keys.appid,
    serial: keys.merchantSerial,
    merchantPrivateKey: keys.merchantPrivateKey,
    apiV3Key: keys.apiV3Key,
    platformPublicKeys: { [keys.platformSerial]: keys.platformPublicKey },
    apiBase: () => `${options.serverOrigin()}${SANDBOX_WECHATPAY_PATH}`,
    publicUrl,
    feeRateBp: options.feeRateBp ?? 60,
  };
  const fake = new FakeWechatPay({
    mchid: keys.mchid,
    appids: [keys.appid, keys.jsapiAppId],
    merchantSerial: keys.merchantSerial,
    merchantPublicKey: keys.merchantPublicKey,
    platformSerial: keys.platformSerial,
    platformPrivateKey: keys.platformPrivateKey,
    apiV3Key: keys.apiV3Key,
    basePath: SANDBOX_WECHATPAY_PATH,
    payPageBase: `${publicUrl}${SANDBOX_WECHATPAY_PATH}/pay/`,
    deliver: httpReceiver(() => `${options.serverOrigin()}/webhooks/wechatpay`),
  });
  return { settings, fake, keys };
}
