/**
 * The only place that knows about minor units. Amounts are integers (fen, cents); text is parsed
 * once at the edge and formatting happens only in views, receipts and CSV.
 */
export type CurrencyCode = string;

/** Largest single amount the platform accepts: ¥10 trillion in fen. Keeps every sum a safe integer. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000;

/** Minor-unit exponent per ISO 4217 currency; CNY, USD, EUR, HKD use 2. */
const EXPONENTS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0 };
export const SUPPORTED_CURRENCIES = [
  'CNY',
  'HKD',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'TWD',
  'MOP',
] as const;

export function currencyExponent(currency: CurrencyCode): number {
  return EXPONENTS[currency] ?? 2;
}

export interface Money {
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
}

export class MoneyFormatError extends Error {}

/** Parses "25.00" → 2500 for CNY. Rejects more decimals than the currency has, never rounds. */
export function parseMoney(text: string, currency: CurrencyCode): Money {
  const exponent = currencyExponent(currency);
  const match = /^(\d{1,16})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new MoneyFormatError(`"${text}" is not an amount like 25.00`);
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > exponent) {
    throw new MoneyFormatError(`"${text}" has more than ${exponent} decimal places`);
  }
  const amountMinor = Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || 0);
  assertSafeAmount(amountMinor);
  return { amountMinor, currency };
}

export function assertSafeAmount(amountMinor: number): void {
  if (!Number.isSafeInteger(amountMinor) || Math.abs(amountMinor) > MAX_AMOUNT_MINOR) {
    throw new MoneyFormatError(`${amountMinor} is not a whole number of minor units within range`);
  }
}

/**
 * A currency as a reader names it: 人民币 in Chinese, "Chinese Yuan (CNY)" in English (the code
 * kept for English readers, who meet several); the code itself when the runtime has no name.
 */
export function currencyName(code: string, locale: string): string {
  let name: string;
  try {
    name = new Intl.DisplayNames([locale], { type: 'currency' }).of(code) ?? code;
  } catch {
    return code;
  }
  return locale.startsWith('zh') || name === code ? name : `${name} (${code})`;
}

const formatters = new Map<string, Intl.NumberFormat>();

export function formatMoney(amountMinor: number, currency: CurrencyCode, locale = 'zh-CN'): string {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const exponent = currencyExponent(currency);
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      // ¥1,234.50 in English too (not "¥"); other currencies keep their unambiguous symbol.
      currencyDisplay: currency === 'CNY' ? 'narrowSymbol' : 'symbol',
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    formatters.set(key, formatter);
  }
  return formatter.format(amountMinor / 10 ** currencyExponent(currency));
}

/** The plain decimal an amount is typed as, 2500 → "25.00" for CNY: the inverse of parseMoney. */
export function toDecimalString(amountMinor: number, currency: CurrencyCode): string {
  assertSafeAmount(amountMinor);
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
