import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets (session ids, access tokens, one-time links) are random, shown once, and stored only as
 * SHA-256 hashes: a leaked table grants nothing.
 */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Personal access tokens look like `lx_pat_<8-char prefix>_<secret>`; the prefix identifies them in lists. */
export function newAccessToken(): { token: string; prefix: string } {
  const prefix = randomBytes(6).toString('base64url').slice(0, 8);
  return { token: `lx_pat_${prefix}_${newSecret()}`, prefix };
}
