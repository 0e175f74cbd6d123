import { MAX_AMOUNT_MINOR } from '../../common/money';
import { amountInChineseCapitals } from './chinese-capitals';

describe('amountInChineseCapitals', () => {
  it.each([
    [1, '壹分'],
    [10, '壹角整'],
    [11, '壹角壹分'],
    [100, '壹元整'],
    [105, '壹元零伍分'],
    [1_000, '壹拾元整'],
    [1_050, '壹拾元伍角整'],
    [10_000, '壹佰元整'],
    [100_100, '壹仟零壹元整'],
    [123_450, '壹仟贰佰叁拾肆元伍角整'],
    [1_001_005, '壹万零壹拾元零伍分'],
    [10_010_000, '壹拾万零壹佰元整'],
    [100_000_500, '壹佰万零伍元整'],
    [101_000_000, '壹佰零壹万元整'],
    [10_000_000_000, '壹亿元整'],
    [10_001_000_000, '壹亿零壹万元整'],
    [10_000_000_100, '壹亿零壹元整'],
    [1_000_000_000_000, '壹佰亿元整'],
    [20_000_000, '贰拾万元整'],
    [0, '零元整'],
  ])('%i fen → %s', (minor, expected) => {
    expect(amountInChineseCapitals(minor)).toBe(expected);
  });

  it('writes the largest amount a gift may have', () => {
    expect(amountInChineseCapitals(MAX_AMOUNT_MINOR)).toBe('壹拾万亿元整');
    expect(amountInChineseCapitals(MAX_AMOUNT_MINOR - 1)).toBe(
      '玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分',
    );
  });

  it('refuses what is not a whole number of fen in range', () => {
    for (const bad of [-1, 0.5, Number.NaN, MAX_AMOUNT_MINOR + 1]) {
      expect(() => amountInChineseCapitals(bad)).toThrow(RangeError);
    }
  });
});
