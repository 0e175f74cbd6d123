import { buildReceiptView, receiptPageModel } from './receipt-view';
import type { Receipt, ReceiptContent, ReceiptGift } from './receipts.types';

const gift: ReceiptGift = {
  donationId: 'd1',
  receivedAt: '2026-12-31T16:30:00Z', // 1 January 2027, 00:30 in Beijing
  originalAmountMinor: 123_450,
  refundedMinor: 0,
  matchedMinor: 0,
  fund: { id: 'f1', code: 'GEN', nameZh: '综合基金', nameEn: 'General fund' },
  campaign: { id: 'c1', slug: 'meals', titleZh: '长者助餐', titleEn: 'Elder meals' },
  method: 'OFFLINE',
  reference: 'BANK-0001',
  monthly: false,
};

const content = (over: Partial<ReceiptContent> = {}): ReceiptContent => ({
  version: 1,
  foundation: {
    legalNameZh: '连心基金会',
    legalNameEn: 'Lianxin Foundation',
    creditCode: '53310000MJ1234567X',
    addressZh: '上海',
    addressEn: 'Shanghai',
  },
  wording: {
    titleZh: '捐赠收据',
    titleEn: 'Donation receipt',
    statementZh: '未获回报。',
    statementEn: 'Nothing in return.',
    signatory: '王会计',
  },
  donor: { name: '张三', address: null, taxId: null },
  gift,
  ...over,
});

const receipt = (over: Partial<Receipt> = {}): Receipt => ({
  id: 'r1',
  number: 'LX-2027-000001',
  series: 'GIFT',
  year: 2027,
  seq: 1,
  kind: 'GIFT',
  issueKey: 'gift:d1',
  donationId: 'd1',
  replacesId: null,
  donorEmail: 'a@example.org',
  amountMinor: 123_450,
  currency: 'CNY',
  locale: 'zh-CN',
  verifyCode: 'ABCD2345',
  content: content(),
  issuedAt: new Date('2027-01-02T02:00:00Z'),
  voidedAt: null,
  voidReason: null,
  voidNote: '',
  voidedBy: null,
  officialNumber: null,
  officialUrl: null,
  officialIssuedAt: null,
  ...over,
});

const build = (r: Receipt) => buildReceiptView(r, { verifyUrl: 'https://x.test/receipts/verify' });
const keys = (r: Receipt) => build(r).fields.map((f) => f.key);
const noteKeys = (r: Receipt) => build(r).notes.map((n) => n.key);

describe('buildReceiptView', () => {
  it('states a gift in both languages: dates in Beijing time, money as ¥1,234.50, capitals for CNY', () => {
    const view = build(receipt());
    const value = (key: string) => view.fields.find((f) => f.key === key)?.value;
    expect(value('giftDate')).toEqual({ zh: '2027年1月1日', en: '1 January 2027' });
    expect(value('method')).toEqual({ zh: '银行转账或现金', en: 'Bank transfer or cash' });
    expect(value('fund')).toEqual({ zh: '综合基金（GEN）', en: 'General fund (GEN)' });
    expect(value('currency')?.zh).toBe('人民币');
    expect(value('currency')?.en).toBe('Chinese Yuan (CNY)');
    expect(view.amount).toMatchObject({ figures: '¥1,234.50', capitals: '壹仟贰佰叁拾肆元伍角整' });
    expect(view.verify).toMatchObject({ code: 'ABCD2345', url: 'https://x.test/receipts/verify' });
    expect(view.void).toBeNull();
    expect(view.annual).toBeNull();
  });

  it.each([
    [
      'nothing optional',
      {},
      [
        'number',
        'issuedOn',
        'giftDate',
        'donor',
        'fund',
        'campaign',
        'method',
        'reference',
        'currency',
      ],
    ],
    [
      'the tax fields when the donor gave them',
      { donor: { name: '张三', address: '北京', taxId: '110101199003071234' } },
      [
        'number',
        'issuedOn',
        'giftDate',
        'donor',
        'donorAddress',
        'donorTaxId',
        'fund',
        'campaign',
        'method',
        'reference',
        'currency',
      ],
    ],
  ])('lists %s', (_, over, expected) => {
    expect(keys(receipt({ content: content(over as Partial<ReceiptContent>) }))).toEqual(expected);
  });

  it('adds the official e-receipt number once there is one', () => {
    expect(keys(receipt({ officialNumber: 'CZ-1' }))).toContain('official');
  });

  it.each([
    ['a plain gift', {}, []],
    ['a monthly gift', { monthly: true }, ['monthly']],
    ['a matched gift (the match is not the donor’s)', { matchedMinor: 5_000 }, ['matched']],
    ['a partly refunded gift', { refundedMinor: 100 }, ['refunded']],
  ])('notes %s', (_, over, expected) => {
    expect(noteKeys(receipt({ content: content({ gift: { ...gift, ...over } }) }))).toEqual(
      expected,
    );
  });

  it('says the match is not part of the donor’s gift, in both languages', () => {
    const [note] = build(
      receipt({ content: content({ gift: { ...gift, matchedMinor: 5_000 } }) }),
    ).notes;
    expect(note!.text.zh).toContain('¥50.00');
    expect(note!.text.zh).toContain('不属于捐赠人的捐赠');
    expect(note!.text.en).toContain("not part of the donor's gift");
  });

  it('names the receipt a correction replaces', () => {
    const view = build(
      receipt({
        kind: 'CORRECTION',
        content: content({
          replaces: { number: 'LX-2027-000000', issuedAt: '2027-01-01T01:00:00Z' },
        }),
      }),
    );
    expect(view.kindText).toEqual({ zh: '更正票据', en: 'Corrected receipt' });
    const replaces = view.notes.find((n) => n.key === 'replaces')!;
    expect(replaces.text.zh).toBe('本票据更正并取代票据 LX-2027-000000（开具于 2027年1月1日）。');
    expect(replaces.text.en).toBe(
      'This receipt corrects and replaces receipt LX-2027-000000 (issued 1 January 2027).',
    );
  });

  it('marks a void receipt with the reason, the date and the note', () => {
    const view = build(
      receipt({
        voidedAt: new Date('2027-02-01T20:00:00Z'),
        voidReason: 'REFUNDED',
        voidNote: '退款',
      }),
    );
    expect(view.void).toMatchObject({
      mark: { zh: '作废', en: 'VOID' },
      reason: { zh: '捐赠已全额退款', en: 'the gift was refunded in full' },
      on: { zh: '2027年2月2日', en: '2 February 2027' },
      note: '退款',
    });
  });

  it('names an erased donor by number in each language and says so, number and amount as issued', () => {
    const erased = receipt({
      donorErasedNo: 7,
      content: content({ donor: { ...content().donor, name: '已删除的捐赠人 #7' } }),
    });
    const view = build(erased);
    expect(view.fields.find((f) => f.key === 'donor')?.value).toEqual({
      zh: '已删除的捐赠人 #7',
      en: 'Erased donor #7',
    });
    expect(noteKeys(erased)).toContain('erasedDonor');
    const note = view.notes.find((n) => n.key === 'erasedDonor')!.text;
    expect(note.zh).toMatch(/个人信息已/);
    expect(note.en).toMatch(/erased/);
    expect(view.number).toBe(build(receipt()).number);
    expect(view.amount.figures).toBe(build(receipt()).amount.figures);
    expect(noteKeys(receipt())).not.toContain('erasedDonor');
  });

  it('prints no capitals for another currency', () => {
    const view = build(receipt({ currency: 'USD', amountMinor: 1_000 }));
    expect(view.amount.capitals).toBeNull();
    expect(view.amount.figures).toBe('US$10.00');
  });

  it('lays out an annual statement: a row per gift, the total in figures and capitals', () => {
    const view = build(
      receipt({
        kind: 'ANNUAL',
        series: 'ANNUAL',
        number: 'LX-2026-Y000001',
        amountMinor: 30_001,
        content: content({
          gift: undefined,
          statement: {
            year: 2026,
            gifts: [
              {
                donationId: 'a',
                receivedAt: '2026-12-31T15:59:59Z',
                amountMinor: 10_000,
                fundNameZh: '综合基金',
                fundNameEn: 'General fund',
                campaignTitleZh: '助餐',
                campaignTitleEn: 'Meals',
                reference: 'pi_1',
                receiptNumber: 'LX-2026-000007',
              },
              {
                donationId: 'b',
                receivedAt: '2026-03-01T00:00:00Z',
                amountMinor: 20_001,
                fundNameZh: '综合基金',
                fundNameEn: 'General fund',
                campaignTitleZh: '助餐',
                campaignTitleEn: 'Meals',
                reference: 'BANK-2',
                receiptNumber: null,
              },
            ],
          },
        }),
      }),
    );
    expect(view.fields.map((f) => f.key)).toEqual([
      'number',
      'issuedOn',
      'year',
      'donor',
      'currency',
    ]);
    expect(view.annual!.rows).toEqual([
      {
        date: '2026-12-31',
        fund: { zh: '综合基金 · 助餐', en: 'General fund · Meals' },
        reference: 'pi_1',
        receiptNumber: 'LX-2026-000007',
        amount: '¥100.00',
      },
      {
        date: '2026-03-01',
        fund: { zh: '综合基金 · 助餐', en: 'General fund · Meals' },
        reference: 'BANK-2',
        receiptNumber: '—',
        amount: '¥200.01',
      },
    ]);
    expect(view.annual!.total).toMatchObject({ figures: '¥300.01', capitals: '叁佰元零壹分' });
    expect(view.annual!.count).toEqual({ zh: '共 2 笔捐赠', en: '2 gifts' });
    expect(view.amount.label).toEqual({ zh: '合计', en: 'Total' });
  });
});

describe('receiptPageModel', () => {
  it('reads the same view in the reader’s language, the title in both', () => {
    const view = build(receipt());
    const en = receiptPageModel(view, 'en');
    expect(en.title).toBe('Donation receipt');
    expect(en.titleOther).toBe('捐赠收据');
    expect(en.fields.find((f) => f.key === 'giftDate')).toEqual({
      key: 'giftDate',
      label: 'Date of gift',
      value: '1 January 2027',
    });
    const zh = receiptPageModel(view, 'zh-CN');
    expect(zh.fields.find((f) => f.key === 'giftDate')?.label).toBe('捐赠日期');
    expect(zh.amount.capitals).toBe('壹仟贰佰叁拾肆元伍角整');
  });
});
