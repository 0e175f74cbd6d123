import type { ValueTransformer } from 'typeorm';

/**
 * pg returns bigint as a string. Convert once, here, and refuse anything that would lose precision
 * as a JavaScript number.
 */
export function toSafeInteger(value: string | number | bigint | null): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`bigint value ${String(value)} is outside the safe integer range`);
  }
  return n;
}

export const minorUnits: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => toSafeInteger(value),
};
