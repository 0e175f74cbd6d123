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
    expect(formatMoney(123456, 'CNY', 'en')).toBe('CN¥1,234.56');
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
    [2500, 'CNY', '25.00'],
    [5, 'CNY', '0.05'],
    [0, 'CNY', '0.00'],
    [500, 'JPY', '500'],
    [123456789012, 'CNY', '1234567890.12'],
  ] as const)('%d %s → %s, and back', (minor, currency, text) => {
    expect(toDecimalString(minor, currency)).toBe(text);
    expect(parseMoney(text, currency).amountMinor).toBe(minor);
  });

  it('writes negative amounts with a sign', () => {
    expect(toDecimalString(-1234, 'CNY')).toBe('-12.34');
  });
});
