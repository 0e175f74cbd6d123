import { MAX_AMOUNT_MINOR } from '../../common/money';

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const PLACES = ['', '拾', '佰', '仟'];
/** Each group of four digits, from the right: units, 万, 亿, 万亿 (enough for MAX_AMOUNT_MINOR). */
const GROUPS = ['', '万', '亿', '万亿'];

/**
 * An amount of yuan in fen written in Chinese capital numerals (大写金额), as receipts and
 * cheques require: ¥1,234.50 → 壹仟贰佰叁拾肆元伍角整, ¥1,001.00 → 壹仟零壹元整,
 * ¥10,010.05 → 壹万零壹拾元零伍分. One 零 stands for any run of zeros between non-zero digits
 * (also across a group boundary); 整 ends an amount with no 分.
 */
export function amountInChineseCapitals(amountMinor: number): string {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0 || amountMinor > MAX_AMOUNT_MINOR) {
    throw new RangeError(`amount must be a whole number of fen from 0 to ${MAX_AMOUNT_MINOR}`);
  }
  const yuan = Math.floor(amountMinor / 100);
  const jiao = Math.floor(amountMinor / 10) % 10;
  const fen = amountMinor % 10;
  if (amountMinor === 0) return '零元整';
  let text = yuan > 0 ? `${integerCapitals(yuan)}元` : '';
  if (jiao > 0) text += `${DIGITS[jiao]}角`;
  else if (fen > 0 && yuan > 0) text += '零';
  text += fen > 0 ? `${DIGITS[fen]}分` : '整';
  return text;
}

function integerCapitals(value: number): string {
  const groups: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 10_000)) groups.push(rest % 10_000);
  let text = '';
  let zeroPending = false;
  for (let g = groups.length - 1; g >= 0; g--) {
    const group = groups[g]!;
    if (group === 0) {
      zeroPending = text.length > 0;
      continue;
    }
    for (let p = 3; p >= 0; p--) {
      const digit = Math.floor(group / 10 ** p) % 10;
      if (digit === 0) {
        zeroPending ||= text.length > 0;
        continue;
      }
      if (zeroPending) text += '零';
      zeroPending = false;
      text += DIGITS[digit]! + PLACES[p]!;
    }
    text += GROUPS[g]!;
    // Zeros at the end of a group are carried to the next non-zero digit.
  }
  return text;
}
