import { draftStatement, type YearGift } from './annual-statement';

let n = 0;
function gift(overrides: Partial<YearGift> = {}): YearGift {
  n += 1;
  return {
    donationId: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    donorName: '李明',
    locale: 'zh-CN',
    receiptAddress: null,
    receiptTaxId: null,
    receivedAt: new Date(`2026-0${Math.min(n, 9)}-01T00:00:00Z`),
    keptMinor: 10_000,
    currency: 'CNY',
    fundNameZh: '长者基金',
    fundNameEn: 'Elders fund',
    campaignTitleZh: '长者助餐',
    campaignTitleEn: 'Meals for elders',
    reference: `pi_${n}`,
    receiptNumber: null,
    ...overrides,
  };
}

describe('draftStatement', () => {
  it('sums what was kept, oldest gift first, leaving out gifts refunded in full', () => {
    const a = gift({ receivedAt: new Date('2026-05-01T00:00:00Z'), keptMinor: 6_000 });
    const b = gift({
      receivedAt: new Date('2026-02-01T00:00:00Z'),
      receiptNumber: 'LX-2026-000007',
    });
    const c = gift({ receivedAt: new Date('2026-03-01T00:00:00Z'), keptMinor: 0 });
    const draft = draftStatement('li@example.org', 2026, [a, b, c])!;
    expect(draft.amountMinor).toBe(16_000);
    expect(draft.statement.gifts.map((g) => g.donationId)).toEqual([b.donationId, a.donationId]);
    expect(draft.statement.gifts[0]).toMatchObject({
      amountMinor: 10_000,
      receiptNumber: 'LX-2026-000007',
      receivedAt: '2026-02-01T00:00:00.000Z',
    });
    expect(draft.statement.year).toBe(2026);
  });

  it('names the donor as their latest gift does, with the latest tax details given', () => {
    const draft = draftStatement('li@example.org', 2026, [
      gift({ receivedAt: new Date('2026-01-01T00:00:00Z'), receiptTaxId: '110101199001011234' }),
      gift({ receivedAt: new Date('2026-09-01T00:00:00Z'), donorName: 'Li Ming', locale: 'en' }),
      gift({ receivedAt: new Date('2026-04-01T00:00:00Z'), donorName: '李小明' }),
    ])!;
    expect(draft.donor).toEqual({ name: 'Li Ming', address: null, taxId: '110101199001011234' });
    expect(draft.locale).toBe('en');
  });

  it('has nothing to state when every gift went back', () => {
    expect(draftStatement('x@example.org', 2026, [gift({ keptMinor: 0 })])).toBeNull();
    expect(draftStatement('x@example.org', 2026, [])).toBeNull();
  });
});
