import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import type { AlipaySettings } from '../alipay.provider';
import { readOrCreateSandboxFile } from '../../sandbox/sandbox-file';
import { FakeAlipay } from './fake-alipay';

/**
 * The sandbox's Alipay: the real `AlipayAdapter`, pointed at the fake gateway this app mounts at
 * `/sandbox/alipay/gateway.do`. Pure wiring (no Nest): `SandboxAlipay` (the Nest provider) and
 * tests call `createSandboxAlipay`.
 */

export const SANDBOX_ALIPAY_KEYS_FILE = 'sandbox-alipay-keys.json';
export const SANDBOX_ALIPAY_GATEWAY_PATH = '/sandbox/alipay/gateway.do';
export const SANDBOX_ALIPAY_CASHIER_PATH = '/sandbox/alipay/cashier';
/** Alipay's sandbox-looking ids: an app (2021…) and a seller account (2088…). */
export const SANDBOX_ALIPAY_APP_ID = '2021000000000000';
export const SANDBOX_ALIPAY_SELLER_ID = '2088000000000000';

export interface SandboxAlipayKeys {
  /** The app's key pair: we sign with the private key, Alipay checks with the public one. */
  appPrivateKey: string;
  appPublicKey: string;
  /** Alipay's key pair: Alipay (here the fake) signs, the adapter checks. */
  alipayPrivateKey: string;
  alipayPublicKey: string;
}

/** Two fresh RSA 2048 key pairs, PEM: PKCS#8 private keys, SPKI public keys. */
export function newAlipayKeys(): SandboxAlipayKeys {
  const pair = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  const app = pair();
  const alipay = pair();
  return {
    appPrivateKey: app.privateKey,
    appPublicKey: app.publicKey,
    alipayPrivateKey: alipay.privateKey,
    alipayPublicKey: alipay.publicKey,
  };
}

/**
 * Both key pairs (the app's and "Alipay's"), made once and kept in `DATA_DIR` (see
 * readOrCreateSandboxFile), so the server and the CLI (reconciliation queries the server's fake
 * gateway) sign and check with the same keys across restarts.
 */
export function readOrCreateSandboxAlipayKeys(dataDir: string): SandboxAlipayKeys {
  const file = path.join(dataDir, SANDBOX_ALIPAY_KEYS_FILE);
  return readOrCreateSandboxFile(
    file,
    () => `${JSON.stringify(newAlipayKeys(), null, 2)}\n`,
    (text) => {
      const stored = JSON.parse(text) as Partial<SandboxAlipayKeys>;
      for (const key of [
        'appPrivateKey',
        'appPublicKey',
        'alipayPrivateKey',
        'alipayPublicKey',
      ] as const) {
        if (typeof stored[key] !== 'string' || !stored[key].includes('-----BEGIN')) {
          throw new Error(`${file} has no ${key}; delete it and new keys are made`);
        }
      }
      return stored as SandboxAlipayKeys;
    },
  );
}

export interface SandboxAlipayOptions {
  dataDir: string;
  /** The site's public address (notify_url and return_url are on it). */
  publicUrl: string;
  /** This app's own address as seen from itself (`http://127.0.0.1:3000`), asked at each call. */
  serverOrigin: () => string;
  feeRateBp: number;
}

export interface SandboxAlipay {
  /** For `createAlipayAdapter`: the real adapter, on the fake gateway. */
  settings: AlipaySettings;
  fake: FakeAlipay;
}

export function createSandboxAlipay(options: SandboxAlipayOptions): SandboxAlipay {
  const keys = readOrCreateSandboxAlipayKeys(options.dataDir);
  return {
    settings: {
      appId: SANDBOX_ALIPAY_APP_ID,
      appPrivateKey: keys.appPrivateKey,
      alipayPublicKey: keys.alipayPublicKey,
      gateway: () => `${options.serverOrigin()}${SANDBOX_ALIPAY_GATEWAY_PATH}`,
      sellerId: SANDBOX_ALIPAY_SELLER_ID,
      publicUrl: options.publicUrl,
      feeRateBp: options.feeRateBp,
      // The donor's browser reaches the cashier on whatever host it uses for this site.
      cashierAsPath: true,
    },
    fake: new FakeAlipay({
      appId: SANDBOX_ALIPAY_APP_ID,
      sellerId: SANDBOX_ALIPAY_SELLER_ID,
      appPublicKey: keys.appPublicKey,
      alipayPrivateKey: keys.alipayPrivateKey,
      cashierUrl: (outTradeNo) => `${SANDBOX_ALIPAY_CASHIER_PATH}/${outTradeNo}`,
      // notify_url names PUBLIC_URL, which this process may not reach: post to itself instead.
      notifyTarget: (notifyUrl) => {
        const url = new URL(notifyUrl);
        return `${options.serverOrigin()}${url.pathname}${url.search}`;
      },
    }),
  };
}
