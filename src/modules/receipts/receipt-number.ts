import { randomInt } from 'node:crypto';

/** Gift receipts (and their corrections) and annual statements are numbered in separate series. */
export type ReceiptSeries = 'GIFT' | 'ANNUAL';
export const RECEIPT_KINDS = ['GIFT', 'CORRECTION', 'ANNUAL'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];
export const VOID_REASONS = ['REFUNDED', 'PARTIALLY_REFUNDED', 'DISPUTE_LOST', 'STAFF'] as const;
export type VoidReason = (typeof VOID_REASONS)[number];

/** The calendar year in Beijing time (a gift at 23:59 on 31 December belongs to that year). */
export function shanghaiYear(at: Date): number {
  return new Date(at.getTime() + 8 * 3_600_000).getUTCFullYear();
}

/**
 * `LX-2026-000001` for gift receipts, `LX-2026-Y000001` for annual statements: the foundation's
 * prefix, the year, and the sequence in that year's series (six digits, more when needed).
 */
export function formatReceiptNumber(
  prefix: string,
  series: ReceiptSeries,
  year: number,
  seq: number,
): string {
  return `${prefix}-${year}-${series === 'ANNUAL' ? 'Y' : ''}${String(seq).padStart(6, '0')}`;
}

/** Letters and digits a person cannot confuse (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** The short code printed on a receipt: with its number, it proves the receipt is genuine. */
export function newVerifyCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** A typed code as stored: upper case, spaces and dashes dropped. */
export function normaliseVerifyCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}
