import PDFDocument from 'pdfkit';
import { buildReceiptView, type Bilingual, type ReceiptView } from '../receipt-view';
import type { Receipt } from '../receipts.types';
import { receiptFontFor } from './receipt-font';
import { qrPng } from './receipt-qr';

export interface ReceiptPdfInput {
  receipt: Receipt;
  /** The verification page's address for this receipt (number and code filled in). */
  verifyUrl: string;
  /** The seal or signature image (PNG), or null for an empty box. */
  sealPng: Buffer | null;
}

/** A4 in points, the margin, and the width between the margins. */
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const WIDTH = PAGE.width - 2 * MARGIN;
/** Where content stops: the last line of every page is its page number. */
const BOTTOM = PAGE.height - MARGIN - 18;

const INK = '#111111';
const MUTED = '#555555';
const RULE = '#b8b8b8';
const SHADE = '#f3f3f3';
const VOID_RED = '#c62828';

const LABEL_WIDTH = 130;
const VALUE_X = MARGIN + LABEL_WIDTH + 8;
const VALUE_WIDTH = WIDTH - LABEL_WIDTH - 8;

/**
 * A receipt as a PDF (A4), laid out from the same view model as its web page
 * (`receipt-view.ts`). One font (the CJK font, parsed once per process), sizes for hierarchy;
 * every label and value in Chinese with its English beside or beneath it; the number large at
 * the top right and the facts two by two, so a receipt fits one page. A void receipt carries a
 * 作废 / VOID mark on every page and the reason at the top; an annual statement lists its gifts in
 * a table that runs over as many pages as it needs, its header repeated on each. Text is real
 * text (pdf.js extracts it).
 */
export async function renderReceiptPdf(input: ReceiptPdfInput): Promise<Buffer> {
  const view = buildReceiptView(input.receipt, { verifyUrl: input.verifyUrl });
  const qr = await qrPng(input.verifyUrl);
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      // No Helvetica: the receipt's one font is registered below (loading a standard font's
      // metrics costs time on every document).
      font: '',
      bufferPages: true,
      info: {
        Title: `${view.title.zh} ${view.title.en} ${view.number}`,
        Author: view.foundation.name.zh,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      // The common font when it has every character of this receipt, else the full one.
      doc.registerFont('cjk', receiptFontFor(JSON.stringify(view)) as unknown as Buffer);
      doc.font('cjk');
      new Layout(doc, view, qr, input.sealPng).draw();
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

class Layout {
  private y = MARGIN;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly view: ReceiptView,
    private readonly qr: Buffer,
    private readonly seal: Buffer | null,
  ) {}

  draw(): void {
    this.header();
    this.title();
    if (this.view.void) this.voidBanner();
    this.fieldGrid();
    this.amount();
    if (this.view.annual) this.statementTable();
    for (const note of this.view.notes) this.note(note.text);
    this.statement();
    this.signOff();
    this.finishPages();
  }

  /** Writes text at (x, y) without letting pdfkit break the page on its own. */
  private write(
    text: string,
    x: number,
    y: number,
    size: number,
    opts: PDFKit.Mixins.TextOptions & { color?: string } = {},
  ): number {
    const { color, ...options } = opts;
    this.doc
      .fontSize(size)
      .fillColor(color ?? INK)
      .text(text, x, y, { lineBreak: true, ...options });
    return this.doc.y;
  }

  private height(text: string, size: number, width: number): number {
    return this.doc.fontSize(size).heightOfString(text, { width });
  }

  /** Starts a new page when `needed` points do not fit on this one. */
  private room(needed: number): void {
    if (this.y + needed <= BOTTOM) return;
    this.doc.addPage();
    this.y = MARGIN;
  }

  private rule(y: number, color = RULE): void {
    this.doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + WIDTH, y)
      .lineWidth(0.5)
      .strokeColor(color)
      .stroke();
  }

  private header(): void {
    const f = this.view.foundation;
    const numberWidth = 170;
    // The receipt's number, top right, where a reader looks for it first.
    const top = this.y;
    const label = this.view.numberLabel;
    this.write(`${label.zh} ${label.en}`, MARGIN + WIDTH - numberWidth, top + 1, 7.5, {
      width: numberWidth,
      align: 'right',
      color: MUTED,
    });
    this.write(this.view.number, MARGIN + WIDTH - numberWidth, this.doc.y, 12, {
      width: numberWidth,
      align: 'right',
    });
    const nameWidth = WIDTH - numberWidth - 10;
    this.y = this.write(f.name.zh, MARGIN, top, 13, { width: nameWidth });
    this.y = this.write(f.name.en, MARGIN, this.y, 9, { width: nameWidth, color: MUTED });
    const code = `${f.creditCodeLabel.zh} ${f.creditCodeLabel.en}: ${f.creditCode}`;
    this.y = this.write(code, MARGIN, this.y + 2, 8, { width: WIDTH, color: MUTED });
    if (f.address.zh)
      this.y = this.write(f.address.zh, MARGIN, this.y, 8, { width: WIDTH, color: MUTED });
    if (f.address.en)
      this.y = this.write(f.address.en, MARGIN, this.y, 8, { width: WIDTH, color: MUTED });
    this.y += 5;
    this.rule(this.y, INK);
    this.y += 9;
  }

  private title(): void {
    const v = this.view;
    this.y = this.write(v.title.zh, MARGIN, this.y, 19, { width: WIDTH, align: 'center' });
    this.y = this.write(v.title.en, MARGIN, this.y, 11, {
      width: WIDTH,
      align: 'center',
      color: MUTED,
    });
    if (v.kind !== 'GIFT') {
      const kind = `${v.kindText.zh} · ${v.kindText.en}`;
      this.y = this.write(kind, MARGIN, this.y + 2, 10, { width: WIDTH, align: 'center' });
    }
    this.y += 8;
  }

  private voidBanner(): void {
    const v = this.view.void!;
    const lines: [string, number][] = [
      [`${v.mark.zh} ${v.mark.en} · ${v.banner.zh} / ${v.banner.en}`, 13],
      [`${v.reasonLabel.zh} ${v.reasonLabel.en}: ${v.reason.zh} / ${v.reason.en}`, 9],
      [`${v.onLabel.zh} ${v.onLabel.en}: ${v.on.zh} / ${v.on.en}`, 9],
    ];
    if (v.note) lines.push([`${v.noteLabel.zh} ${v.noteLabel.en}: ${v.note}`, 9]);
    const inner = WIDTH - 16;
    const height = lines.reduce((h, [text, size]) => h + this.height(text, size, inner), 0) + 14;
    this.room(height);
    this.doc.rect(MARGIN, this.y, WIDTH, height).lineWidth(1.5).strokeColor(VOID_RED).stroke();
    let y = this.y + 7;
    for (const [text, size] of lines)
      y = this.write(text, MARGIN + 8, y, size, { width: inner, color: VOID_RED });
    this.y += height + 10;
  }

  /**
   * The facts two to a row: each cell the label (Chinese, then English, on one line) over the
   * value (Chinese, then English beneath when it differs).
   */
  private fieldGrid(): void {
    const gap = 14;
    const cell = (WIDTH - gap) / 2;
    // The number is printed at the top, large.
    const fields = this.view.fields.filter((f) => f.key !== 'number');
    for (let i = 0; i < fields.length; i += 2) {
      const pair = fields.slice(i, i + 2);
      const heights = pair.map((f) => {
        const en = f.value.en !== f.value.zh ? this.height(f.value.en, 8, cell) : 0;
        return (
          this.height(`${f.label.zh} ${f.label.en}`, 8, cell) +
          this.height(f.value.zh, 10, cell) +
          en
        );
      });
      const height = Math.max(...heights) + 9;
      this.room(height);
      pair.forEach((f, j) => {
        const x = MARGIN + j * (cell + gap);
        const top = this.y + 4;
        this.doc
          .fontSize(8)
          .fillColor(INK)
          .text(`${f.label.zh} `, x, top, { width: cell, continued: true });
        this.doc.fontSize(7).fillColor(MUTED).text(f.label.en);
        const next = this.write(f.value.zh, x, this.doc.y + 1, 10, { width: cell });
        if (f.value.en !== f.value.zh)
          this.write(f.value.en, x, next, 8, { width: cell, color: MUTED });
      });
      this.y += height;
      this.rule(this.y);
    }
  }

  private amount(): void {
    const a = this.view.amount;
    const capitalsHeight = a.capitals ? this.height(a.capitals, 12, VALUE_WIDTH) + 4 : 0;
    const height = 28 + capitalsHeight + (a.capitals ? 4 : 0);
    this.room(height);
    this.doc
      .rect(MARGIN, this.y + 2, WIDTH, height - 4)
      .fillColor(SHADE)
      .fill();
    let top = this.y + 7;
    const after = this.write(a.label.zh, MARGIN + 6, top, 9, { width: LABEL_WIDTH - 6 });
    this.write(a.label.en, MARGIN + 6, after, 7.5, { width: LABEL_WIDTH - 6, color: MUTED });
    this.write(a.figures, VALUE_X, top - 2, 16, { width: VALUE_WIDTH });
    if (a.capitals) {
      top += 23;
      const capAfter = this.write(a.capitalsLabel.zh, MARGIN + 6, top, 9, {
        width: LABEL_WIDTH - 6,
      });
      this.write(a.capitalsLabel.en, MARGIN + 6, capAfter, 7.5, {
        width: LABEL_WIDTH - 6,
        color: MUTED,
      });
      this.write(a.capitals, VALUE_X, top, 12, { width: VALUE_WIDTH });
    }
    this.y += height + 4;
  }

  private statementTable(): void {
    const annual = this.view.annual!;
    const cols = [
      { key: 'date', width: 58, align: 'left' as const },
      { key: 'fund', width: WIDTH - 58 - 96 - 86 - 72, align: 'left' as const },
      { key: 'reference', width: 96, align: 'left' as const },
      { key: 'receipt', width: 86, align: 'left' as const },
      { key: 'amount', width: 72, align: 'right' as const },
    ];
    const xs: number[] = [];
    cols.reduce((x, c) => (xs.push(x), x + c.width), MARGIN);
    const pad = 3;

    this.room(40);
    this.y =
      this.write(annual.count.zh + ' · ' + annual.count.en, MARGIN, this.y + 4, 9, {
        width: WIDTH,
        color: MUTED,
      }) + 4;

    const headerRow = () => {
      const titles = [
        annual.columns.date,
        annual.columns.fund,
        annual.columns.reference,
        annual.columns.receipt,
        annual.columns.amount,
      ];
      const height =
        Math.max(
          ...titles.map(
            (t, i) =>
              this.height(t.zh, 8, cols[i]!.width - 2 * pad) +
              this.height(t.en, 7, cols[i]!.width - 2 * pad),
          ),
        ) + 6;
      this.doc.rect(MARGIN, this.y, WIDTH, height).fillColor(SHADE).fill();
      titles.forEach((t, i) => {
        const col = cols[i]!;
        const after = this.write(t.zh, xs[i]! + pad, this.y + 3, 8, {
          width: col.width - 2 * pad,
          align: col.align,
        });
        this.write(t.en, xs[i]! + pad, after, 7, {
          width: col.width - 2 * pad,
          align: col.align,
          color: MUTED,
        });
      });
      this.y += height;
    };

    headerRow();
    for (const row of annual.rows) {
      const cells: [string, string | null][] = [
        [row.date, null],
        [row.fund.zh, row.fund.en !== row.fund.zh ? row.fund.en : null],
        [row.reference, null],
        [row.receiptNumber, null],
        [row.amount, null],
      ];
      const height =
        Math.max(
          ...cells.map(([main, sub], i) => {
            const w = cols[i]!.width - 2 * pad;
            return this.height(main, 8.5, w) + (sub ? this.height(sub, 7, w) : 0);
          }),
        ) + 6;
      if (this.y + height > BOTTOM) {
        this.doc.addPage();
        this.y = MARGIN;
        headerRow();
      }
      cells.forEach(([main, sub], i) => {
        const col = cols[i]!;
        const w = col.width - 2 * pad;
        const after = this.write(main, xs[i]! + pad, this.y + 3, 8.5, {
          width: w,
          align: col.align,
        });
        if (sub)
          this.write(sub, xs[i]! + pad, after, 7, { width: w, align: col.align, color: MUTED });
      });
      this.y += height;
      this.rule(this.y);
    }
    const total = annual.total;
    this.room(20);
    const top = this.y + 4;
    this.write(`${total.label.zh} ${total.label.en}`, MARGIN + pad, top, 9.5, { width: WIDTH / 2 });
    this.write(total.figures, MARGIN, top, 11, { width: WIDTH - pad, align: 'right' });
    this.y = top + 20;
    this.rule(this.y, INK);
    this.y += 8;
  }

  private note(text: Bilingual): void {
    const height = this.height(text.zh, 9, WIDTH) + this.height(text.en, 7.5, WIDTH) + 3;
    this.room(height);
    const after = this.write(text.zh, MARGIN, this.y, 9, { width: WIDTH });
    this.y = this.write(text.en, MARGIN, after, 7.5, { width: WIDTH, color: MUTED }) + 3;
  }

  private statement(): void {
    const s = this.view.statement;
    const inner = WIDTH - 16;
    const height = this.height(s.zh, 9.5, inner) + this.height(s.en, 8.5, inner) + 13;
    this.room(height + 6);
    this.y += 3;
    this.doc.rect(MARGIN, this.y, WIDTH, height).lineWidth(0.5).strokeColor(RULE).stroke();
    const after = this.write(s.zh, MARGIN + 8, this.y + 6, 9.5, { width: inner });
    this.write(s.en, MARGIN + 8, after + 1, 8.5, { width: inner, color: MUTED });
    this.y += height + 10;
  }

  /** The signatory, the verification link with its QR code and code, and the seal box. */
  private signOff(): void {
    const v = this.view;
    const sealSize = 100;
    const qrSize = 80;
    const textX = MARGIN + qrSize + 12;
    const textWidth = WIDTH - sealSize - 16 - qrSize - 12;
    const hint = `${v.verify.hint.zh}\n${v.verify.hint.en}`;
    const verifyHeight =
      14 + this.height(hint, 7.5, textWidth) + this.height(v.verify.url, 7.5, textWidth) + 18;
    const height = 20 + Math.max(sealSize - 20, qrSize, verifyHeight);
    this.room(height);

    const signatory = `${v.signatory.label.zh} ${v.signatory.label.en}: ${v.signatory.name || '＿＿＿＿＿＿'}`;
    this.write(signatory, MARGIN, this.y, 10, { width: WIDTH - sealSize - 16 });
    const top = this.y + 20;

    this.doc.image(this.qr, MARGIN, top, { width: qrSize, height: qrSize });
    let y = this.write(`${v.verify.label.zh} ${v.verify.label.en}`, textX, top, 10, {
      width: textWidth,
    });
    y = this.write(hint, textX, y + 1, 7.5, { width: textWidth, color: MUTED });
    y = this.write(v.verify.url, textX, y + 2, 7.5, { width: textWidth, color: MUTED });
    this.write(
      `${v.verify.codeLabel.zh} ${v.verify.codeLabel.en}: ${v.verify.code}`,
      textX,
      y + 3,
      11,
      {
        width: textWidth,
      },
    );

    const sealX = MARGIN + WIDTH - sealSize;
    const sealY = this.y;
    if (!this.drawSeal(sealX, sealY, sealSize)) {
      this.doc
        .rect(sealX, sealY, sealSize, sealSize)
        .lineWidth(0.75)
        .dash(3, { space: 3 })
        .strokeColor(RULE)
        .stroke()
        .undash();
      this.write(`${v.seal.label.zh} / ${v.seal.label.en}`, sealX, sealY + sealSize / 2 - 6, 10, {
        width: sealSize,
        align: 'center',
        color: MUTED,
      });
    }
    this.y += height;
  }

  /** The foundation's seal, when it has one and it reads as an image; false prints the empty box. */
  private drawSeal(x: number, y: number, size: number): boolean {
    if (!this.seal) return false;
    try {
      this.doc.image(this.seal, x, y, { fit: [size, size], align: 'center', valign: 'center' });
      return true;
    } catch {
      return false;
    }
  }

  /** On every page: the page number, the receipt number and, when void, the 作废 / VOID mark. */
  private finishPages(): void {
    const doc = this.doc;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      // Writing below the bottom margin must not open a page of its own.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      const fill = (text: string) =>
        text.replace('{n}', String(i + 1)).replace('{total}', String(range.count));
      const page = { zh: fill(this.view.pageOf.zh), en: fill(this.view.pageOf.en) };
      if (range.count > 1 || this.view.annual) {
        this.write(
          `${this.view.number} · ${page.zh} · ${page.en}`,
          MARGIN,
          PAGE.height - MARGIN - 10,
          7.5,
          {
            width: WIDTH,
            align: 'center',
            color: MUTED,
          },
        );
      }
      if (this.view.void) this.voidMark();
      doc.page.margins.bottom = bottom;
    }
  }

  private voidMark(): void {
    const doc = this.doc;
    const mark = `${this.view.void!.mark.zh} ${this.view.void!.mark.en}`;
    doc.save();
    doc.rotate(-30, { origin: [PAGE.width / 2, PAGE.height / 2] });
    doc.fontSize(96).fillColor(VOID_RED, 0.22);
    doc.text(mark, 0, PAGE.height / 2 - 60, {
      width: PAGE.width,
      align: 'center',
      lineBreak: false,
    });
    doc.restore();
    doc.fillOpacity(1);
  }
}
