import argon2 from 'argon2';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

/** argon2id with the library's defaults (m=64 MiB, t=3). Passwords are never logged. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) {
    // Spend the same time as a real check, so response time does not reveal unknown accounts.
    await argon2.verify(DUMMY_HASH, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

const DUMMY_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$Qj36TovBGmeWIGA6Ry/LRg$vVilif6vTZ8n1vhTISqWowPtXGIV33o0qkgEbj9YcZk';
