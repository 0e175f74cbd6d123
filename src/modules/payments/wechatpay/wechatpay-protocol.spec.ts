import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  authorizationHeader,
  decryptResource,
  donationIdOf,
  encryptResource,
  feeByRate,
  jsapiInvoke,
  outRefundNo,
  outTradeNo,
  parseAuthorization,
  parseRfc3339,
  platformKeys,
  platformMessage,
  platformSignatureHeaders,
  PlatformSignatureRefused,
  requestMessage,
  rfc3339Beijing,
  rsaVerify,
  truncateUtf8,
  verifyPlatformSignature,
} from './wechatpay-protocol';

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchantPem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const platformPem = platform.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The same signature computed by OpenSSL's command line, independently of node's API. */
function opensslSign(privatePem: string, message: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxsig-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, privatePem, { mode: 0o600 });
    return execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile], {
      input: Buffer.from(message, 'utf8'),
    }).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof PlatformSignatureRefused) return error.refusal;
    throw error;
  }
  return undefined;
}

describe('request signing', () => {
  it('signs METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n as documented', () => {
    expect(requestMessage('get', '/v3/certificates?a=1', '1554208460', 'N0NCE', '')).toBe(
      'GET\n/v3/certificates?a=1\n1554208460\nN0NCE\n\n',
    );
    const body = '{"mchid":"1900000001","description":"社区基金"}';
    const header = authorizationHeader(
      { mchid: '1900000001', serial: '5157F09EFDC096DE15EBE81A47057A72', privateKey: merchantPem },
      {
        method: 'POST',
        pathWithQuery: '/v3/pay/transactions/native',
        body,
        timestamp: '1554208460',
        nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
      },
    );
    const expected = opensslSign(
      merchantPem,
      `POST\n/v3/pay/transactions/native\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n${body}\n`,
    );
    expect(header).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",` +
        `signature="${expected}",timestamp="1554208460",serial_no="5157F09EFDC096DE15EBE81A47057A72"`,
    );
    expect(parseAuthorization(header)).toEqual({
      mchid: '1900000001',
      nonce_str: '593BEC0C930BF1AFEB40B4A08C8FB242',
      signature: expected,
      timestamp: '1554208460',
      serial_no: '5157F09EFDC096DE15EBE81A47057A72',
    });
  });

  it.each([undefined, '', 'Bearer x', 'WECHATPAY2-SHA256-RSA2048 mchid="1"'])(
    'reads %p as no authorization',
    (header) => {
      expect(parseAuthorization(header)).toBeNull();
    },
  );
});

describe('platform signatures', () => {
  const keys = platformKeys({ PUB_KEY_ID_0114: platform.publicKey });
  const now = new Date('2026-12-04T06:00:00Z');
  const ts = String(now.getTime() / 1000);
  const body = '{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"}';
  const signed = () =>
    platformSignatureHeaders({ serial: 'PUB_KEY_ID_0114', privateKey: platformPem }, body, {
      timestamp: ts,
      nonce: 'fdasflkja484w',
    });

  it('signs TIMESTAMP\\nNONCE\\nBODY\\n (known answer from OpenSSL)', () => {
    expect(signed()['wechatpay-signature']).toBe(
      opensslSign(platformPem, `${ts}\nfdasflkja484w\n${body}\n`),
    );
    expect(platformMessage('1', 'n', 'b')).toBe('1\nn\nb\n');
    expect(refusal(() => verifyPlatformSignature(signed(), body, keys, now))).toBeUndefined();
  });

  it('refuses a tampered body, a wrong serial, a wrong key and missing headers', () => {
    expect(
      refusal(() => verifyPlatformSignature(signed(), body.replace('SUCCESS', 'X'), keys, now)),
    ).toBe('badSignature');
    expect(
      refusal(() =>
        verifyPlatformSignature(
          { ...signed(), 'wechatpay-serial': 'PUB_KEY_ID_0999' },
          body,
          keys,
          now,
        ),
      ),
    ).toBe('unknownSerial');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(
      refusal(() =>
        verifyPlatformSignature(
          signed(),
          body,
          platformKeys({ PUB_KEY_ID_0114: other.publicKey }),
          now,
        ),
      ),
    ).toBe('badSignature');
    for (const name of [
      'wechatpay-signature',
      'wechatpay-timestamp',
      'wechatpay-nonce',
      'wechatpay-serial',
    ]) {
      expect(
        refusal(() => verifyPlatformSignature({ ...signed(), [name]: undefined }, body, keys, now)),
      ).toBe('missingHeaders');
    }
    expect(
      refusal(() =>
        verifyPlatformSignature(
          { ...signed(), 'wechatpay-signature': 'not base64!' },
          body,
          keys,
          now,
        ),
      ),
    ).toBe('badSignature');
  });

  it.each([
    [-301, 'staleTimestamp'],
    [-300, undefined],
    [300, undefined],
    [301, 'staleTimestamp'],
  ])('a timestamp %i s away from now: %p', (offset, expected) => {
    const at = new Date(now.getTime() - offset * 1000);
    expect(refusal(() => verifyPlatformSignature(signed(), body, keys, at))).toBe(expected);
  });

  it('refuses a timestamp that is not a number of seconds', () => {
    const headers = platformSignatureHeaders(
      { serial: 'PUB_KEY_ID_0114', privateKey: platformPem },
      body,
      { timestamp: '2026-12-04' },
    );
    expect(refusal(() => verifyPlatformSignature(headers, body, keys, now))).toBe('staleTimestamp');
  });
});

describe('AEAD_AES_256_GCM resource', () => {
  const key = '0123456789abcdefABCDEF0123456789';
  const plaintext =
    '{"out_trade_no":"0f8e2c1a9b7d4e6f8a0b1c2d3e4f5a6b","trade_state":"SUCCESS","amount":{"total":5000,"currency":"CNY"}}';
  // Computed with Python's `cryptography` (AESGCM(key).encrypt(nonce, plaintext, aad)).
  const vector = {
    original_type: 'transaction',
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext:
      'ALJpWgfjwGXln2bIJUQ8zZkGuAAq0/+mvQXiNCtKaS0KJf3L5Loy/aOcO5VMwftkk5ThdRwIU1yNs9ix+y1+Gy2KIeSoExPVNXdZ4cTvFak2BAWDotx1x7uEyMOarHCv2QXuegzdws+49fU44qaQ9hlSHDZIw3foXLFLCIhBIXX5vtLH',
    associated_data: 'transaction',
    nonce: 'a1b2c3d4e5f6',
  };

  it('decrypts the known answer and encrypts to it', () => {
    expect(decryptResource(vector, key)).toBe(plaintext);
    expect(
      encryptResource(plaintext, key, { nonce: 'a1b2c3d4e5f6', associatedData: 'transaction' }),
    ).toEqual(vector);
  });

  it('refuses a bad tag, a changed AAD, a wrong key, another algorithm and junk', () => {
    const bytes = Buffer.from(vector.ciphertext, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    const cases: unknown[] = [
      { ...vector, ciphertext: bytes.toString('base64') },
      { ...vector, associated_data: 'refund' },
      { ...vector, algorithm: 'AES_256_CBC' },
      { ...vector, nonce: 'short' },
      { ...vector, ciphertext: 'AAAA' },
      null,
      'resource',
    ];
    for (const resource of cases) {
      expect(refusal(() => decryptResource(resource, key))).toBe('badResource');
    }
    expect(refusal(() => decryptResource(vector, key.replace('0', '1')))).toBe('badResource');
  });
});

describe('our numbers and fields', () => {
  it('derives a stable 32-character out_trade_no from the donation id, and back', () => {
    const id = '0F8E2C1A-9B7D-4E6F-8A0B-1C2D3E4F5A6B';
    expect(outTradeNo(id)).toBe('0f8e2c1a9b7d4e6f8a0b1c2d3e4f5a6b');
    expect(outTradeNo(id.toLowerCase())).toBe(outTradeNo(id));
    expect(donationIdOf(outTradeNo(id))).toBe(id.toLowerCase());
    expect(donationIdOf('short')).toBeNull();
    expect(() => outTradeNo('42')).toThrow();
  });

  it('keeps a fitting refund key and hashes any other to 64 characters', () => {
    expect(outRefundNo('refund_8d3c-1')).toBe('refund_8d3c-1');
    // sha256('refund:8d3c/第二次') from Python's hashlib.
    expect(outRefundNo('refund:8d3c/第二次')).toBe(
      'r9b31a6e53956759346452e9bacb306a0f488f7021e149efcd91439aabad6960',
    );
    expect(outRefundNo('x'.repeat(65))).toHaveLength(64);
    expect(outRefundNo('x'.repeat(65))).toMatch(/^r[0-9a-f]{63}$/);
  });

  it('writes time_expire in RFC 3339, Beijing time', () => {
    expect(rfc3339Beijing(new Date('2026-12-04T14:33:05.987Z'))).toBe('2026-12-04T22:33:05+08:00');
    expect(rfc3339Beijing(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01T00:00:00+08:00');
    expect(parseRfc3339('2027-01-01T00:00:00+08:00')?.toISOString()).toBe(
      '2026-12-31T16:00:00.000Z',
    );
    expect(parseRfc3339('2027-01-01 00:00:00')).toBeNull();
  });

  it('cuts descriptions to 127 bytes on a character boundary', () => {
    expect(truncateUtf8('社'.repeat(50))).toBe('社'.repeat(42)); // 3 bytes each: 126
    expect(truncateUtf8('a'.repeat(200))).toHaveLength(127);
    expect(truncateUtf8('a😀', 4)).toBe('a');
    expect(truncateUtf8('短')).toBe('短');
  });

  it('signs the JSAPI invoke over appId, timeStamp, nonceStr and package', () => {
    const invoke = jsapiInvoke(
      'wx8888888888888888',
      'wx201410272009395522657a690389285100',
      merchantPem,
      {
        timestamp: '1414561699',
        nonce: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      },
    );
    expect(invoke).toEqual({
      appId: 'wx8888888888888888',
      timeStamp: '1414561699',
      nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'RSA',
      paySign: opensslSign(
        merchantPem,
        'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n',
      ),
    });
    expect(rsaVerify(merchant.publicKey, 'other', invoke.paySign!)).toBe(false);
  });

  it.each([
    [10_000, 60, 60],
    [83, 60, 0], // 0.498 fen
    [84, 60, 1], // 0.504
    [250, 60, 2], // 1.5 → 2 (half up)
    [123_456, 60, 741], // 740.736
    [5_000, 0, 0],
  ])('fee of %i fen at %i bp is %i', (amount, rate, fee) => {
    expect(feeByRate(amount, rate)).toBe(fee);
  });
});
