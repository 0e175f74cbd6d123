import fc from 'fast-check';
import {
  ALIPAY_MAX_AMOUNT_FEN,
  AlipayAmountError,
  alipayTime,
  donationIdFromOutTradeNo,
  fenToYuan,
  outRequestNo,
  outTradeNo,
  parseAlipayTime,
  yuanToFen,
} from './alipay-amounts';

describe('fen and yuan', () => {
  it.each([
    [1, '0.01'],
    [10, '0.10'],
    [100, '1.00'],
    [5000, '50.00'],
    [123450, '1234.50'],
    [ALIPAY_MAX_AMOUNT_FEN, '100000000.00'],
    [0, '0.00'],
  ])('%i fen is "%s"', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each([1.5, -1, NaN, Infinity, ALIPAY_MAX_AMOUNT_FEN + 1, Number.MAX_SAFE_INTEGER + 1])(
    'refuses %p fen',
    (fen) => {
      expect(() => fenToYuan(fen)).toThrow(AlipayAmountError);
    },
  );

  it.each([
    '50',
    '50.0',
    '50.001',
    '-1.00',
    ' 1.00',
    '1.00 ',
    '1e3',
    '01.00',
    '+1.00',
    '1,000.00',
    '.50',
    '１.００',
    '100000000.01',
    '99999999999999999999.00',
    '',
    5000,
    null,
    undefined,
  ])('refuses %p as yuan', (yuan) => {
    expect(() => yuanToFen(yuan)).toThrow(AlipayAmountError);
  });

  it('converts every amount there and back exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ALIPAY_MAX_AMOUNT_FEN }), (fen) => {
        const yuan = fenToYuan(fen);
        expect(yuan).toMatch(/^(0|[1-9]\d*)\.\d{2}$/);
        expect(yuanToFen(yuan)).toBe(fen);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads every well-formed yuan string back to itself', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ALIPAY_MAX_AMOUNT_FEN / 100 - 1 }),
        fc.integer({ min: 0, max: 99 }),
        (whole, cents) => {
          const yuan = `${whole}.${String(cents).padStart(2, '0')}`;
          expect(yuanToFen(yuan)).toBe(whole * 100 + cents);
          expect(fenToYuan(yuanToFen(yuan))).toBe(yuan);
        },
      ),
    );
  });

  it('never accepts a string that is not two-decimal yuan', () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => !/^(0|[1-9]\d{0,8})\.\d{2}$/.test(text)),
        (text) => {
          expect(() => yuanToFen(text)).toThrow(AlipayAmountError);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('order and refund numbers', () => {
  const id = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';

  it('derives a stable 32-hex out_trade_no from the donation id and back', () => {
    expect(outTradeNo(id)).toBe('3f2504e04f8911d39a0c0305e82c3301');
    expect(outTradeNo(id)).toBe(outTradeNo(id.toLowerCase()));
    expect(donationIdFromOutTradeNo(outTradeNo(id))).toBe(id.toLowerCase());
    expect(donationIdFromOutTradeNo('not-ours')).toBeNull();
    expect(donationIdFromOutTradeNo(42)).toBeNull();
    expect(() => outTradeNo('donation-1')).toThrow(AlipayAmountError);
  });

  it('round-trips any uuid', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const no = outTradeNo(uuid);
        expect(no).toMatch(/^[0-9a-f]{32}$/);
        expect(donationIdFromOutTradeNo(no)).toBe(uuid.toLowerCase());
      }),
    );
  });

  it('keeps a plain refund key and folds any other into 49 characters, stably', () => {
    expect(outRequestNo('refund_1-a')).toBe('refund_1-a');
    const key = `refund:${id}:500`;
    expect(outRequestNo(key)).toMatch(/^r[0-9a-f]{48}$/);
    expect(outRequestNo(key)).toBe(outRequestNo(key));
    expect(outRequestNo(key)).not.toBe(outRequestNo(`refund:${id}:600`));
    expect(outRequestNo('x'.repeat(65))).toHaveLength(49);
    expect(() => outRequestNo('')).toThrow(AlipayAmountError);
  });

  it('writes time_expire in Beijing wall time', () => {
    expect(alipayTime(new Date('2026-12-04T14:30:05Z'))).toBe('2026-12-04 22:30:05');
    expect(alipayTime(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01 00:00:00');
  });

  it.each([
    ['2026-12-04 22:30:05', '2026-12-04T14:30:05.000Z'],
    ['2027-01-01 00:00:00', '2026-12-31T16:00:00.000Z'],
    ['2026-12-04T22:30:05', null],
    ['2026-13-40 99:00:00', null],
    [undefined, null],
  ])('reads the Alipay time %j as %j', (text, iso) => {
    expect(parseAlipayTime(text)?.toISOString() ?? null).toBe(iso);
  });
});
