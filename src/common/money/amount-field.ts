/**
 * An amount typed into a form ("200000.00", yuan) as minor units, or the locale key of what is
 * wrong with it. Pure: no Nest, no TypeORM. Parsing itself is parseMoney's (src/common/money),
 * which refuses extra decimals rather than rounding.
 */
import { currencyExponent, MoneyFormatError, parseMoney } from './money';

export function parseAmountField(
  text: string,
  currency: string,
): { amountMinor: number; error: null } | { amountMinor: null; error: string } {
  const trimmed = text.trim();
  const decimals = /\.(\d*)$/.exec(trimmed)?.[1]?.length ?? 0;
  if (/^\d+\.\d+$/.test(trimmed) && decimals > currencyExponent(currency)) {
    return { amountMinor: null, error: 'admin.errors.amountDecimals' };
  }
  try {
    const { amountMinor } = parseMoney(trimmed, currency);
    return amountMinor > 0
      ? { amountMinor, error: null }
      : { amountMinor: null, error: 'admin.errors.amountPositive' };
  } catch (error) {
    if (error instanceof MoneyFormatError)
      return { amountMinor: null, error: 'admin.errors.amount' };
    throw error;
  }
}
