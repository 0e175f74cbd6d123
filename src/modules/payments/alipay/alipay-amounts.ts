import { createHash } from 'node:crypto';
import { beijingTimestamp } from '../../../common/dates/beijing-time';
import { toDecimalString } from '../../../common/money';

/**
 * Alipay's amounts, order numbers and times. Pure: no Nest, no SDK.
 *
 * Alipay writes money as yuan with exactly two decimals ("50.00"), we keep integer fen; the two
 * are converted digit by digit, never through a float, and anything else is refused rather than
 * rounded.
 */

/** The most one Alipay trade may be: ¥100,000,000.00 (`total_amount`'s documented range). */
export const ALIPAY_MAX_AMOUNT_FEN = 10_000_000_000;

/** `"50.00"`: digits, no leading zero (but `0.xx`), a point, two decimals. */
const YUAN = /^(0|[1-9]\d*)\.(\d{2})$/;

export class AlipayAmountError extends Error {}

/** 5000 → "50.00". Refuses anything but a whole number of fen from 0 to ALIPAY_MAX_AMOUNT_FEN. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0 || fen > ALIPAY_MAX_AMOUNT_FEN) {
    throw new AlipayAmountError(`${fen} is not a whole number of fen Alipay accepts`);
  }
  return toDecimalString(fen, 'CNY');
}

/** "50.00" → 5000. Refuses "50", "50.0", "50.001", "-1.00", " 1.00", "1e3", "01.00", too much. */
export function yuanToFen(yuan: unknown): number {
  const match = typeof yuan === 'string' ? YUAN.exec(yuan) : null;
  if (!match) throw new AlipayAmountError(`${String(yuan)} is not an amount like "50.00"`);
  const [, whole = '', cents = ''] = match;
  // Long digit strings would lose precision in Number(): bound the length before converting.
  if (whole.length > String(ALIPAY_MAX_AMOUNT_FEN / 100).length) {
    throw new AlipayAmountError(`${match[0]} is more than Alipay takes in one trade`);
  }
  const fen = Number(whole) * 100 + Number(cents);
  if (fen > ALIPAY_MAX_AMOUNT_FEN) {
    throw new AlipayAmountError(`${match[0]} is more than Alipay takes in one trade`);
  }
  return fen;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Our `out_trade_no` for a gift: its UUID's 32 hex digits, lower case (the same reference as on
 * WeChat Pay, whose limit is 32). Stable, so building the order again names the same trade.
 */
export function outTradeNo(donationId: string): string {
  if (!UUID.test(donationId)) throw new AlipayAmountError(`${donationId} is not a donation id`);
  return donationId.replaceAll('-', '').toLowerCase();
}

/** The donation id back from an `out_trade_no`, or null when it is not one of ours. */
export function donationIdFromOutTradeNo(value: unknown): string | null {
  if (typeof value !== 'string' || !/^[0-9a-f]{32}$/.test(value)) return null;
  return [
    value.slice(0, 8),
    value.slice(8, 12),
    value.slice(12, 16),
    value.slice(16, 20),
    value.slice(20),
  ].join('-');
}

/**
 * `out_request_no` for a refund, from our idempotency key: the key itself when it is up to 64
 * letters, digits, `_` and `-`; otherwise (our keys hold colons) `r` and the first 48 hex digits of
 * its SHA-256. Stable: a retry names the same refund, which Alipay answers again instead of
 * refunding twice.
 */
export function outRequestNo(idempotencyKey: string): string {
  if (/^[0-9A-Za-z_-]{1,64}$/.test(idempotencyKey)) return idempotencyKey;
  if (idempotencyKey.length === 0) throw new AlipayAmountError('an empty refund key');
  return `r${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 48)}`;
}

/** `time_expire`: "2026-12-04 22:30:00", Beijing wall time (Alipay reads it in UTC+8). */
export function alipayTime(at: Date): string {
  return beijingTimestamp(at);
}

/** Reads an Alipay time ("2026-12-04 22:30:00", Beijing wall time); null when it is not one. */
export function parseAlipayTime(text: string | undefined): Date | null {
  const match = text?.match(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/);
  if (!match) return null;
  const at = new Date(`${match[1]}T${match[2]}+08:00`);
  return Number.isNaN(at.getTime()) ? null : at;
}
