import { formatMoney, MoneyFormatError, parseMoney, toDecimalString } from './money';
import { toSafeInteger } from './minor-units.transformer';

describe('parseMoney', () => {
  it.each([
    ['25.00', 'CNY', 2500],
    ['25', 'CNY', 2500],
    ['0.5', 'CNY', 50],
    ['0.01', 'CNY', 1],
    ['1200', 'JPY', 1200],
    [' 7.10 ', 'USD', 710],
  ])('parses %s %s as %d', (text, currency, expected) => {
    expect(parseMoney(text, currency).amountMinor).toBe(expected);
  });

  it.each([['25.555'], ['-1'], ['1e3'], ['abc'], [''], ['1.'], ['99999999999999999']])(
    'rejects %s',
    (text) => {
      expect(() => parseMoney(text, 'CNY')).toThrow(MoneyFormatError);
    },
  );

  it('rejects decimals for a zero-exponent currency', () => {
    expect(() => parseMoney('1.5', 'JPY')).toThrow(MoneyFormatError);
  });
});

describe('formatMoney', () => {
  it('formats fen as yuan with two decimals', () => {
    expect(formatMoney(123456, 'CNY', 'en')).toBe('¥1,234.56');
    expect(formatMoney(-5, 'CNY', 'zh-CN')).toBe('-¥0.05');
  });
});

describe('toSafeInteger', () => {
  it('converts bigint strings and refuses unsafe values', () => {
    expect(toSafeInteger('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(toSafeInteger(null)).toBeNull();
    expect(() => toSafeInteger('9007199254740993')).toThrow(RangeError);
  });
});

describe('toDecimalString', () => {
  it.each([
    [0, 'CNY', '0.00'],
    [5, 'CNY', '0.05'],
    [-5, 'CNY', '-0.05'],
    [123456, 'CNY', '1234.56'],
    [-20_000_000, 'CNY', '-200000.00'],
    [1_000_000_000_000_000, 'CNY', '10000000000000.00'],
    [700, 'JPY', '700'],
    [-700, 'JPY', '-700'],
  ] as const)('(%i, %s) → %s, the inverse of parseMoney', (minor, currency, text) => {
    expect(toDecimalString(minor, currency)).toBe(text);
    expect(parseMoney(text.replace('-', ''), currency).amountMinor).toBe(Math.abs(minor));
  });

  it('refuses what is not a safe integer', () => {
    expect(() => toDecimalString(1.5, 'CNY')).toThrow();
  });
});
