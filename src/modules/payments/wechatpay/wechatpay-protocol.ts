/**
 * WeChat Pay API v3, the parts that must be exactly right: request signing, the platform's
 * signatures on notifications and responses, the AEAD_AES_256_GCM resource, and our order and
 * refund numbers. Pure: `node:crypto` only, no Nest, no network. The fake platform uses the same
 * functions from the other side, so the known-answer vectors in the spec pin both.
 *
 * Signing is done here with `node:crypto` rather than an SDK package: the scheme is three
 * documented string formats and one cipher, the SDKs (`wechatpay-axios-plugin`,
 * `wechatpay-node-v3`) would bring axios or superagent with them, and this file can be read in full.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

/** The platform signs notifications and responses; older or newer than this is a replay. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export type KeyInput = string | KeyObject;

export function privateKeyOf(key: KeyInput): KeyObject {
  return typeof key === 'string' ? createPrivateKey(key) : key;
}

export function publicKeyOf(key: KeyInput): KeyObject {
  return typeof key === 'string' ? createPublicKey(key) : key;
}

/** SHA256-with-RSA (PKCS#1 v1.5), base64: every signature in API v3. */
export function rsaSign(privateKey: KeyInput, message: string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKeyOf(privateKey), 'base64');
}

export function rsaVerify(publicKey: KeyInput, message: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256')
      .update(message, 'utf8')
      .verify(publicKeyOf(publicKey), signature, 'base64');
  } catch {
    return false;
  }
}

/** A nonce of the documented kind: 32 upper-case letters and digits. */
export function newNonce(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Our requests

/** What our request signature covers: `METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nBODY\n`. */
export function requestMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

export interface RequestToSign {
  method: string;
  /** The URL's path and query as sent, e.g. `/v3/pay/transactions/out-trade-no/…?mchid=…`. */
  pathWithQuery: string;
  /** The exact JSON sent; empty for GET. */
  body: string;
  timestamp?: string;
  nonce?: string;
}

export interface MerchantKey {
  mchid: string;
  /** The merchant API certificate's serial number. */
  serial: string;
  privateKey: KeyInput;
}

/** The `Authorization` header of one request. */
export function authorizationHeader(merchant: MerchantKey, request: RequestToSign): string {
  const timestamp = request.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = request.nonce ?? newNonce();
  const signature = rsaSign(
    merchant.privateKey,
    requestMessage(request.method, request.pathWithQuery, timestamp, nonce, request.body),
  );
  return (
    `${AUTH_SCHEMA} mchid="${merchant.mchid}",nonce_str="${nonce}",` +
    `signature="${signature}",timestamp="${timestamp}",serial_no="${merchant.serial}"`
  );
}

export interface ParsedAuthorization {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

/** Reads an `Authorization` header back (the fake platform's side); null when malformed. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header?.startsWith(`${AUTH_SCHEMA} `)) return null;
  const fields: Record<string, string> = {};
  for (const part of header.slice(AUTH_SCHEMA.length + 1).split(',')) {
    const match = /^\s*(\w+)="([^"]*)"\s*$/.exec(part);
    if (!match) return null;
    fields[match[1]!] = match[2]!;
  }
  const { mchid, nonce_str, signature, timestamp, serial_no } = fields;
  if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return null;
  return { mchid, nonce_str, signature, timestamp, serial_no };
}

// ---------------------------------------------------------------------------------------------
// The platform's signatures (notifications and responses)

export const HEADER = {
  signature: 'wechatpay-signature',
  timestamp: 'wechatpay-timestamp',
  nonce: 'wechatpay-nonce',
  serial: 'wechatpay-serial',
} as const;

/** What a platform signature covers: `TIMESTAMP\nNONCE\nBODY\n`. */
export function platformMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** Why a platform signature was refused; each has its words in `errors.wechatpay.refusal`. */
export type PlatformRefusal =
  'missingHeaders' | 'unknownSerial' | 'staleTimestamp' | 'badSignature' | 'badResource';

export class PlatformSignatureRefused extends Error {
  constructor(readonly refusal: PlatformRefusal) {
    super(`WeChat Pay signature refused: ${refusal}`);
    this.name = 'PlatformSignatureRefused';
  }
}

/** The platform's signing keys by serial: a public key ID (`PUB_KEY_ID_…`) or a certificate's. */
export type PlatformKeys = ReadonlyMap<string, KeyObject>;

export function platformKeys(keys: Readonly<Record<string, KeyInput>>): PlatformKeys {
  return new Map(Object.entries(keys).map(([serial, key]) => [serial, publicKeyOf(key)]));
}

/**
 * Checks a platform signature (lower-case header names) over the exact bytes received. Throws
 * `PlatformSignatureRefused`: headers missing, a serial we do not hold, a timestamp more than
 * five minutes from `now` either way, a signature that does not verify.
 */
export function verifyPlatformSignature(
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  keys: PlatformKeys,
  now: Date,
): void {
  const signature = headers[HEADER.signature];
  const timestamp = headers[HEADER.timestamp];
  const nonce = headers[HEADER.nonce];
  const serial = headers[HEADER.serial];
  if (!signature || !timestamp || !nonce || !serial) {
    throw new PlatformSignatureRefused('missingHeaders');
  }
  const key = keys.get(serial);
  if (!key) throw new PlatformSignatureRefused('unknownSerial');
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  if (
    !Number.isFinite(seconds) ||
    Math.abs(now.getTime() / 1000 - seconds) > TIMESTAMP_TOLERANCE_SECONDS
  ) {
    throw new PlatformSignatureRefused('staleTimestamp');
  }
  if (!rsaVerify(key, platformMessage(timestamp, nonce, body), signature)) {
    throw new PlatformSignatureRefused('badSignature');
  }
}

/** The headers the platform puts on a notification or response it signs (the fake's side). */
export function platformSignatureHeaders(
  platform: { serial: string; privateKey: KeyInput },
  body: string,
  options: { timestamp?: string; nonce?: string } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? newNonce();
  return {
    [HEADER.timestamp]: timestamp,
    [HEADER.nonce]: nonce,
    [HEADER.serial]: platform.serial,
    [HEADER.signature]: rsaSign(platform.privateKey, platformMessage(timestamp, nonce, body)),
  };
}

// ---------------------------------------------------------------------------------------------
// The encrypted resource

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

const GCM_TAG_BYTES = 16;

/** The APIv3 key is 32 bytes, configured as 32 ASCII characters. */
export function assertApiV3Key(key: string): void {
  if (Buffer.byteLength(key, 'utf8') !== 32) {
    throw new Error('the WeChat Pay APIv3 key must be exactly 32 bytes');
  }
}

/**
 * Decrypts a notification's `resource` (AEAD_AES_256_GCM: key the APIv3 key, IV the nonce, AAD the
 * associated data, the tag the ciphertext's last 16 bytes). Throws `PlatformSignatureRefused`
 * ('badResource') for another algorithm, a bad tag or a wrong key.
 */
export function decryptResource(resource: unknown, apiV3Key: string): string {
  const r = resource as Partial<EncryptedResource> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.algorithm !== 'AEAD_AES_256_GCM' ||
    typeof r.ciphertext !== 'string' ||
    typeof r.nonce !== 'string' ||
    (r.associated_data !== undefined && typeof r.associated_data !== 'string')
  ) {
    throw new PlatformSignatureRefused('badResource');
  }
  const data = Buffer.from(r.ciphertext, 'base64');
  if (data.length <= GCM_TAG_BYTES || Buffer.byteLength(r.nonce) !== 12) {
    throw new PlatformSignatureRefused('badResource');
  }
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(apiV3Key, 'utf8'),
      Buffer.from(r.nonce, 'utf8'),
    );
    decipher.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES));
    decipher.setAAD(Buffer.from(r.associated_data ?? '', 'utf8'));
    return Buffer.concat([
      decipher.update(data.subarray(0, data.length - GCM_TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new PlatformSignatureRefused('badResource');
  }
}

/** The platform's side of `decryptResource` (the fake, the tests). */
export function encryptResource(
  plaintext: string,
  apiV3Key: string,
  options: { associatedData?: string; nonce?: string; originalType?: string } = {},
): EncryptedResource {
  const nonce = options.nonce ?? randomBytes(6).toString('hex');
  const associatedData = options.associatedData ?? 'transaction';
  const cipher = createCipheriv(
    'aes-256-gcm',
    Buffer.from(apiV3Key, 'utf8'),
    Buffer.from(nonce, 'utf8'),
  );
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    original_type: options.originalType ?? 'transaction',
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: Buffer.concat([encrypted, cipher.getAuthTag()]).toString('base64'),
    associated_data: associatedData,
    nonce,
  };
}

// ---------------------------------------------------------------------------------------------
// Our numbers and fields

/** `out_trade_no`: 6–32 of `[0-9A-Za-z_|*-]`, unique per merchant. */
export const OUT_TRADE_NO_PATTERN = /^[0-9A-Za-z_|*-]{6,32}$/;
/** `out_refund_no`: up to 64 of `[0-9A-Za-z_|*@-]`. */
export const OUT_REFUND_NO_PATTERN = /^[0-9A-Za-z_|*@-]{1,64}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Our order number for a gift: the donation id's 32 hex digits (lower case), the same on every
 * retry, so a retried create names the same order and never opens a second one.
 */
export function outTradeNo(donationId: string): string {
  if (!UUID.test(donationId)) throw new Error(`not a donation id: ${donationId}`);
  return donationId.replace(/-/g, '').toLowerCase();
}

/** The donation id back from an order number (null when it is not one of ours). */
export function donationIdOf(tradeNo: string): string | null {
  if (!/^[0-9a-f]{32}$/.test(tradeNo)) return null;
  const h = tradeNo;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Our refund number for an idempotency key: the key itself when it already fits the platform's
 * set and length, otherwise `r` + the SHA-256 of the key in hex (65 → trimmed to 64). Stable, so a
 * repeated refund names the same out_refund_no and the platform does not refund twice.
 */
export function outRefundNo(idempotencyKey: string): string {
  if (OUT_REFUND_NO_PATTERN.test(idempotencyKey)) return idempotencyKey;
  return `r${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex')}`.slice(0, 64);
}

/** RFC 3339 in Beijing time, to the second: `2026-12-04T22:33:05+08:00`. */
export function rfc3339Beijing(instant: Date): string {
  const shifted = new Date(Math.floor(instant.getTime() / 1000) * 1000 + 8 * 3600 * 1000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}

/** Reads an RFC 3339 time with an explicit offset (the fake's check of `time_expire`). */
export function parseRfc3339(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `description` is at most 127 bytes of UTF-8: cut on a character boundary. */
export function truncateUtf8(text: string, maxBytes = 127): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * The parameters WeChat's in-app `getBrandWCPayRequest` takes for a JSAPI order, with `paySign`
 * over `appId\ntimeStamp\nnonceStr\npackage\n` (merchant private key).
 */
export function jsapiInvoke(
  appId: string,
  prepayId: string,
  privateKey: KeyInput,
  options: { timestamp?: string; nonce?: string } = {},
): Record<string, string> {
  const timeStamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonceStr = options.nonce ?? newNonce();
  const pkg = `prepay_id=${prepayId}`;
  return {
    appId,
    timeStamp,
    nonceStr,
    package: pkg,
    signType: 'RSA',
    paySign: rsaSign(privateKey, `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`),
  };
}

/** The rail's fee by rate in basis points, rounded half up to the fen (integers only). */
export function feeByRate(amountMinor: number, rateBp: number): number {
  return Math.floor((amountMinor * rateBp + 5_000) / 10_000);
}
