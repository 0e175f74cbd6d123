import { parseCsv } from '../../../common/csv';
import {
  beijingInstant,
  EXPORT_COLUMNS,
  exportCsv,
  exportJson,
  exportRowCount,
  exportSections,
  type DonorDataBundle,
  type ExportGift,
} from './donor-export';

const at = new Date('2026-12-03T16:30:05Z');

function gift(overrides: Partial<ExportGift> = {}): ExportGift {
  return {
    id: 'g1',
    status: 'SUCCEEDED',
    amountMinor: 123_450,
    refundedMinor: 0,
    currency: 'CNY',
    campaign: { titleZh: '助学', titleEn: 'School' },
    fund: { nameZh: '教育基金', nameEn: 'Education fund' },
    donorName: '王小明',
    donorKind: 'PERSON',
    anonymous: false,
    message: '=1+1',
    dedication: '@mention',
    monthly: false,
    parentDonationId: null,
    providerSubscriptionId: null,
    subscriptionCancelledAt: null,
    provider: 'SANDBOX',
    locale: 'zh-CN',
    ip: '203.0.113.9',
    receiptAddress: null,
    receiptTaxId: null,
    createdAt: at,
    succeededAt: at,
    ...overrides,
  };
}

const bundle: DonorDataBundle = {
  email: 'a@example.org',
  generatedAt: at,
  gifts: [
    gift(),
    gift({
      id: 'm1',
      monthly: true,
      providerSubscriptionId: 'sub_1',
      subscriptionCancelledAt: at,
    }),
    gift({ id: 'm2', monthly: true, parentDonationId: 'm1', providerSubscriptionId: 'sub_1' }),
  ],
  receipts: [
    {
      id: 'r1',
      number: 'LX-2026-000001',
      kind: 'GIFT',
      donationId: 'g1',
      amountMinor: 123_450,
      currency: 'CNY',
      issuedAt: at,
      voidedAt: at,
      voidReason: 'REFUNDED',
      deliveries: [
        {
          purpose: 'ISSUED',
          recipient: 'a@example.org',
          status: 'SENT',
          createdAt: at,
          sentAt: at,
        },
        {
          purpose: 'RESENT',
          recipient: 'staff@example.org',
          status: 'SENT',
          createdAt: at,
          sentAt: at,
        },
      ],
    },
  ],
  receiptPreference: 'EACH_GIFT',
  emails: [
    { template: 'donation-thanks', status: 'SENT', createdAt: at, sentAt: at },
    { template: 'grant-reminder', status: 'FAILED', createdAt: at, sentAt: null },
  ],
  consents: [
    { purpose: 'DONATION', policyVersion: 1, locale: 'zh-CN', donationId: 'g1', createdAt: at },
  ],
  sessions: [{ createdAt: at, lastSeenAt: at, expiresAt: at, ip: null, userAgent: 'Mozilla/5.0' }],
  erasureRequests: [],
};

describe('donor export', () => {
  it('writes instants in Beijing time with their offset', () => {
    expect(beijingInstant(at)).toBe('2026-12-04T00:30:05+08:00');
    expect(beijingInstant(null)).toBeNull();
  });

  it('shapes each section in the reader’s language', () => {
    const en = exportSections(bundle, 'en');
    expect(en.gifts[0]).toMatchObject({
      amountMinor: 123_450,
      amount: '¥1,234.50',
      campaign: 'School',
      fund: 'Education fund',
      createdAt: '2026-12-04T00:30:05+08:00',
    });
    // A monthly gift is its first payment, running or stopped; later months are only gifts.
    expect(en.monthlyGifts).toEqual([
      expect.objectContaining({ giftId: 'm1', state: 'Stopped' }) as unknown,
    ]);
    expect(en.receiptDeliveries.map((d) => d.recipient)).toEqual(['a@example.org']);
    expect(en.emails.map((e) => e.template)).toEqual(['Thank-you for a gift', 'grant-reminder']);
    expect(exportRowCount(en)).toBe(11);
    const zh = exportSections(bundle, 'zh-CN');
    expect(zh.gifts[0]).toMatchObject({
      amount: '¥1,234.50',
      campaign: '助学',
      status: '捐赠成功',
    });
  });

  it('writes one CSV: BOM, section column, localized header, formulas neutralised', () => {
    const csv = exportCsv(exportSections(bundle, 'zh-CN'), 'zh-CN');
    expect(csv.startsWith('\ufeff')).toBe(true);
    const [header, ...rows] = parseCsv(csv);
    expect(header).toHaveLength(EXPORT_COLUMNS.length + 1);
    expect(header![0]).toBe('分类');
    const message = header!.indexOf('留言');
    const dedication = header!.indexOf('献词');
    expect(rows[0]![0]).toBe('捐赠');
    expect(rows[0]![message]).toBe("'=1+1");
    expect(rows[0]![dedication]).toBe("'@mention");
    expect(rows).toHaveLength(11);
    expect(rows.every((r) => r.length === header!.length)).toBe(true);
  });

  it('writes JSON keyed by section, with the address', () => {
    const json = JSON.parse(exportJson(bundle, exportSections(bundle, 'en'))) as Record<
      string,
      unknown
    >;
    expect(json.email).toBe('a@example.org');
    expect(json.generatedAt).toBe('2026-12-04T00:30:05+08:00');
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['gifts', 'receipts', 'consents', 'sessions', 'erasureRequests']),
    );
  });
});
