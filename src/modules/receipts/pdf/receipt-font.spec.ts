import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pdfText } from '../../../../test/utils/pdf-text';
import type { Receipt } from '../receipts.types';
import { fullFont, receiptFontFor } from './receipt-font';
import { renderReceiptPdf } from './receipt-pdf';

/** Every string under `receipts` in a locale file (what a receipt's PDF may print). */
function receiptWords(locale: string): string {
  const file = path.join(__dirname, '../../../../templates/locales', `${locale}.json`);
  const { receipts } = JSON.parse(readFileSync(file, 'utf8')) as { receipts: unknown };
  return JSON.stringify(receipts);
}

const receipt = (donorName: string): Receipt => ({
  id: 'r1',
  number: 'LX-2026-000001',
  series: 'GIFT',
  year: 2026,
  seq: 1,
  kind: 'GIFT',
  issueKey: 'gift:d1',
  donationId: 'd1',
  replacesId: null,
  donorEmail: 'a@example.org',
  amountMinor: 12_345,
  currency: 'CNY',
  locale: 'zh-CN',
  verifyCode: 'ABCD2345',
  issuedAt: new Date('2026-05-02T02:00:00Z'),
  voidedAt: null,
  voidReason: null,
  voidNote: '',
  voidedBy: null,
  officialNumber: null,
  officialUrl: null,
  officialIssuedAt: null,
  content: {
    version: 1,
    foundation: {
      legalNameZh: '连心基金会',
      legalNameEn: 'Lianxin Foundation',
      creditCode: '53310000MJ1234567X',
      addressZh: '成都市成华区',
      addressEn: 'Chenghua, Chengdu',
    },
    wording: {
      titleZh: '公益事业捐赠收据',
      titleEn: 'Donation receipt',
      statementZh: '捐赠人未因此获得任何回报。',
      statementEn: 'Nothing was given in return.',
      signatory: '',
    },
    donor: { name: donorName, address: null, taxId: null },
    gift: {
      donationId: 'd1',
      receivedAt: '2026-05-01T02:00:00Z',
      originalAmountMinor: 12_345,
      refundedMinor: 0,
      matchedMinor: 0,
      fund: { id: 'f1', code: 'GEN', nameZh: '综合基金', nameEn: 'General fund' },
      campaign: { id: 'c1', slug: 'meals', titleZh: '长者助餐', titleEn: 'Elder meals' },
      method: 'OFFLINE',
      reference: 'BANK-0001',
      monthly: false,
    },
  },
});

describe('the receipt fonts', () => {
  it('prints every word of a receipt in both languages with the common font', () => {
    const common = receiptFontFor('张三');
    for (const locale of ['zh-CN', 'en']) {
      expect(receiptFontFor(receiptWords(locale))).toBe(common);
    }
    expect(common).not.toBe(fullFont());
  });

  it('takes the full font for a name the common one lacks, and prints it', async () => {
    expect(receiptFontFor('龚䶮')).toBe(fullFont());
    const text = await pdfText(
      await renderReceiptPdf({
        receipt: receipt('龚䶮'),
        verifyUrl:
          'https://lianxin.example.org/receipts/verify?number=LX-2026-000001&code=ABCD2345',
        sealPng: null,
      }),
    );
    expect(text).toContain('龚䶮');
    expect(text).toContain('壹佰贰拾叁元肆角伍分');
  });

  it('prints a common name with the common font', async () => {
    const text = await pdfText(
      await renderReceiptPdf({
        receipt: receipt('张晓梅'),
        verifyUrl:
          'https://lianxin.example.org/receipts/verify?number=LX-2026-000001&code=ABCD2345',
        sealPng: null,
      }),
    );
    expect(text).toContain('张晓梅');
    expect(text).toContain('LX-2026-000001');
  });
});
