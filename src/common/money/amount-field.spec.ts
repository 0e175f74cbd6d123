import { parseAmountField } from './amount-field';

describe('parseAmountField', () => {
  it.each([
    ['200000.00', 'CNY', 20_000_000, null],
    ['200000', 'CNY', 20_000_000, null],
    [' 25.5 ', 'CNY', 2550, null],
    ['0.01', 'CNY', 1, null],
    ['700', 'JPY', 700, null],
    ['25.555', 'CNY', null, 'admin.errors.amountDecimals'],
    ['7.5', 'JPY', null, 'admin.errors.amountDecimals'],
    ['0', 'CNY', null, 'admin.errors.amountPositive'],
    ['0.00', 'CNY', null, 'admin.errors.amountPositive'],
    ['-5', 'CNY', null, 'admin.errors.amount'],
    ['1,000.00', 'CNY', null, 'admin.errors.amount'],
    ['¥100', 'CNY', null, 'admin.errors.amount'],
    ['1e5', 'CNY', null, 'admin.errors.amount'],
    ['', 'CNY', null, 'admin.errors.amount'],
    ['99999999999999999', 'CNY', null, 'admin.errors.amount'],
  ])('%j %s → %j %j', (text, currency, amountMinor, error) => {
    expect(parseAmountField(text, currency)).toEqual({ amountMinor, error });
  });
});
