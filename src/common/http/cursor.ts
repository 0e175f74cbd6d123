import { InvalidCursorError } from '../errors';

/** Opaque keyset-pagination cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T extends object>(cursor: string, isValid: (value: T) => boolean): T {
  try {
    const text = Buffer.from(cursor, 'base64url').toString('utf8');
    const value = JSON.parse(text) as T;
    if (value && typeof value === 'object' && !text.includes('\\u0000') && isValid(value))
      return value;
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}
