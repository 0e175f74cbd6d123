import PDFDocument from 'pdfkit';
import { formatMoney } from '../../../common/money';
import { amountInChineseCapitals } from '../chinese-capitals';
import type { Receipt } from '../receipts.types';
import { receiptFont } from './receipt-font';

export interface ReceiptPdfInput {
  receipt: Receipt;
  /** The verification page's address for this receipt (number and code filled in). */
  verifyUrl: string;
  /** The seal or signature image (PNG), or null for an empty box. */
  sealPng: Buffer | null;
}

/** A receipt as a PDF (A4): the same facts as its HTML view. Minimal first layout. */
export function renderReceiptPdf(input: ReceiptPdfInput): Promise<Buffer> {
  const { receipt } = input;
  const c = receipt.content;
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: receipt.number } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('cjk', receiptFont() as unknown as Buffer);
    doc.font('cjk').fontSize(18).text(`${c.wording.titleZh} ${c.wording.titleEn}`);
    doc.fontSize(11);
    doc.text(`票据号码 No. ${receipt.number}`);
    doc.text(`捐赠人 Donor: ${c.donor.name}`);
    doc.text(`金额 Amount: ${formatMoney(receipt.amountMinor, receipt.currency, 'zh-CN')}`);
    if (receipt.currency.trim() === 'CNY') {
      doc.text(`大写 In words: ${amountInChineseCapitals(receipt.amountMinor)}`);
    }
    doc.text(c.wording.statementZh);
    doc.text(c.wording.statementEn);
    doc.text(`${c.foundation.legalNameZh} ${c.foundation.legalNameEn}`);
    doc.text(`验证 Verify: ${input.verifyUrl}`);
    doc.end();
  });
}
