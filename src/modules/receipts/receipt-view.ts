import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { currencyName, formatMoney } from '../../common/money';
import { amountInChineseCapitals } from './chinese-capitals';
import { receiptDate } from './receipt-dates';
import { statusText } from '../../common/i18n/status-words';
import type { ReceiptKind } from './receipt-number';
import type { Receipt } from './receipts.types';
import { erasedDonorName } from '../privacy/erased-names';

/** A text in both languages of the receipt: a receipt is one bilingual document. */
export interface Bilingual {
  zh: string;
  en: string;
}

/** One labelled fact of the receipt (number, dates, donor, fund, payment…). */
export interface ReceiptField {
  key: string;
  label: Bilingual;
  /** The same text twice where the value does not depend on the language (a number, a name). */
  value: Bilingual;
}

export interface StatementRow {
  date: string;
  fund: Bilingual;
  reference: string;
  receiptNumber: string;
  amount: string;
}

/**
 * A receipt as it reads: every label and value the PDF and the HTML view print, in both
 * languages, built from the receipt's frozen content alone (`receipt.content`, plus the receipt's
 * own number, amount, dates and void state). The one place labels and values are decided, so the
 * PDF and the web page cannot say different things. Pure: no Nest, no database.
 */
export interface ReceiptView {
  id: string;
  number: string;
  kind: ReceiptKind;
  kindText: Bilingual;
  numberLabel: Bilingual;
  title: Bilingual;
  foundation: {
    name: Bilingual;
    creditCodeLabel: Bilingual;
    creditCode: string;
    address: Bilingual;
  };
  /** "Page {n} of {total}", to be filled in by the PDF. */
  pageOf: Bilingual;
  fields: ReceiptField[];
  amount: {
    label: Bilingual;
    figures: string;
    /** For CNY: the amount in Chinese capital numerals (大写). */
    capitals: string | null;
    capitalsLabel: Bilingual;
  };
  /** Monthly gift, the match (not the donor's), what was refunded, the receipt this replaces. */
  notes: { key: string; text: Bilingual }[];
  statement: Bilingual;
  signatory: { label: Bilingual; name: string };
  seal: { label: Bilingual };
  verify: { label: Bilingual; hint: Bilingual; codeLabel: Bilingual; url: string; code: string };
  void: {
    mark: Bilingual;
    banner: Bilingual;
    reason: Bilingual;
    reasonLabel: Bilingual;
    on: Bilingual;
    onLabel: Bilingual;
    note: string;
    noteLabel: Bilingual;
  } | null;
  /** An annual statement: every gift of the year, and the total. */
  annual: {
    year: number;
    count: Bilingual;
    columns: {
      date: Bilingual;
      fund: Bilingual;
      reference: Bilingual;
      receipt: Bilingual;
      amount: Bilingual;
    };
    rows: StatementRow[];
    total: { label: Bilingual; figures: string; capitals: string | null; capitalsLabel: Bilingual };
  } | null;
}

const both = (key: string, vars: Record<string, unknown> = {}): Bilingual => ({
  zh: translate('zh-CN', `receipts.${key}`, vars),
  en: translate('en', `receipts.${key}`, vars),
});
const same = (text: string): Bilingual => ({ zh: text, en: text });
const dates = (at: Date | string): Bilingual => ({
  zh: receiptDate(at, 'zh-CN'),
  en: receiptDate(at, 'en'),
});

/** Amounts on a receipt are written one way in both languages: ¥1,234.50. */
export function receiptMoney(amountMinor: number, currency: string): string {
  return formatMoney(amountMinor, currency.trim(), 'zh-CN');
}

function currencyText(code: string): Bilingual {
  return { zh: currencyName(code, 'zh-CN'), en: currencyName(code, 'en') };
}

/** 2026-03-05, the day in Beijing time (the statement table's date column). */
function beijingDay(at: string): string {
  return new Date(new Date(at).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

export function buildReceiptView(receipt: Receipt, opts: { verifyUrl: string }): ReceiptView {
  const c = receipt.content;
  const currency = receipt.currency.trim();
  const isCny = currency === 'CNY';
  const field = (key: string, value: Bilingual): ReceiptField => ({
    key,
    label: both(`doc.${key}`),
    value,
  });

  // The PDF sets them two by two after the number (which it prints at the top): the dates, the
  // donor, the fund and campaign, the payment.
  const fields: ReceiptField[] = [
    field('number', same(receipt.number)),
    field('issuedOn', dates(receipt.issuedAt)),
  ];
  if (c.gift) fields.push(field('giftDate', dates(c.gift.receivedAt)));
  if (c.statement) fields.push(field('year', same(String(c.statement.year))));
  // A donor who left no name (a cash gift): said in words, not an empty line.
  // An erased donor (PIPL) is named by their number, in each language; the rest stays as issued.
  const erasedNo = receipt.donorErasedNo ?? null;
  fields.push(
    field(
      'donor',
      erasedNo !== null
        ? { zh: erasedDonorName(erasedNo, 'zh-CN'), en: erasedDonorName(erasedNo, 'en') }
        : c.donor.name
          ? same(c.donor.name)
          : both('doc.unnamedDonor'),
    ),
  );
  if (c.donor.address) fields.push(field('donorAddress', same(c.donor.address)));
  if (c.donor.taxId) fields.push(field('donorTaxId', same(c.donor.taxId)));
  if (c.gift) {
    const g = c.gift;
    fields.push(
      field('fund', {
        zh: `${g.fund.nameZh}（${g.fund.code}）`,
        en: `${g.fund.nameEn} (${g.fund.code})`,
      }),
    );
    if (g.campaign) {
      fields.push(field('campaign', { zh: g.campaign.titleZh, en: g.campaign.titleEn }));
    }
    fields.push(field('method', both(`method.${g.method}`)));
    fields.push(field('reference', same(g.reference)));
  }
  fields.push(field('currency', currencyText(currency)));
  if (receipt.officialNumber) fields.push(field('official', same(receipt.officialNumber)));

  const notes: ReceiptView['notes'] = [];
  if (erasedNo !== null) notes.push({ key: 'erasedDonor', text: both('doc.erasedDonor') });
  if (c.gift?.monthly) notes.push({ key: 'monthly', text: both('doc.monthly') });
  if (c.gift && c.gift.matchedMinor > 0) {
    notes.push({
      key: 'matched',
      text: both('doc.matched', { amount: receiptMoney(c.gift.matchedMinor, currency) }),
    });
  }
  if (c.gift && c.gift.refundedMinor > 0) {
    notes.push({
      key: 'refunded',
      text: both('doc.refunded', {
        original: receiptMoney(c.gift.originalAmountMinor, currency),
        refunded: receiptMoney(c.gift.refundedMinor, currency),
      }),
    });
  }
  if (c.replaces) {
    const on = dates(c.replaces.issuedAt);
    notes.push({
      key: 'replaces',
      text: {
        zh: translate('zh-CN', 'receipts.doc.replaces', { number: c.replaces.number, date: on.zh }),
        en: translate('en', 'receipts.doc.replaces', { number: c.replaces.number, date: on.en }),
      },
    });
  }

  const capitals = isCny ? amountInChineseCapitals(receipt.amountMinor) : null;
  return {
    id: receipt.id,
    number: receipt.number,
    kind: receipt.kind,
    kindText: {
      zh: statusText('zh-CN', 'receipt', receipt.kind),
      en: statusText('en', 'receipt', receipt.kind),
    },
    numberLabel: both('doc.number'),
    title: { zh: c.wording.titleZh, en: c.wording.titleEn },
    foundation: {
      name: { zh: c.foundation.legalNameZh, en: c.foundation.legalNameEn },
      creditCodeLabel: both('doc.creditCode'),
      creditCode: c.foundation.creditCode,
      address: { zh: c.foundation.addressZh, en: c.foundation.addressEn },
    },
    pageOf: both('doc.page'),
    fields,
    amount: {
      label: both(c.statement ? 'doc.total' : 'doc.amount'),
      figures: receiptMoney(receipt.amountMinor, currency),
      capitals,
      capitalsLabel: both(c.statement ? 'doc.totalCapitals' : 'doc.capitals'),
    },
    notes,
    statement: { zh: c.wording.statementZh, en: c.wording.statementEn },
    signatory: { label: both('doc.signatory'), name: c.wording.signatory },
    seal: { label: both('doc.seal') },
    verify: {
      label: both('doc.verify'),
      hint: both('doc.verifyHint'),
      codeLabel: both('doc.verifyCode'),
      url: opts.verifyUrl,
      code: receipt.verifyCode,
    },
    void: receipt.voidedAt
      ? {
          mark: both('doc.void'),
          banner: both('doc.voidBanner'),
          reason: both(`voidReason.${receipt.voidReason ?? 'STAFF'}`),
          reasonLabel: both('doc.voidReason'),
          on: dates(receipt.voidedAt),
          onLabel: both('doc.voidedOn'),
          note: receipt.voidNote,
          noteLabel: both('doc.voidNote'),
        }
      : null,
    annual: c.statement
      ? {
          year: c.statement.year,
          count: both('doc.gifts', { count: c.statement.gifts.length }),
          columns: {
            date: both('doc.colDate'),
            fund: both('doc.colFund'),
            reference: both('doc.colReference'),
            receipt: both('doc.colReceipt'),
            amount: both('doc.colAmount'),
          },
          rows: c.statement.gifts.map((g) => ({
            date: beijingDay(g.receivedAt),
            fund: {
              // A gift straight into a fund has no campaign: the fund alone.
              zh: g.campaignTitleZh ? `${g.fundNameZh} · ${g.campaignTitleZh}` : g.fundNameZh,
              en: g.campaignTitleEn ? `${g.fundNameEn} · ${g.campaignTitleEn}` : g.fundNameEn,
            },
            reference: g.reference,
            receiptNumber: g.receiptNumber ?? '—',
            amount: receiptMoney(g.amountMinor, currency),
          })),
          total: {
            label: both('doc.total'),
            figures: receiptMoney(receipt.amountMinor, currency),
            capitals,
            capitalsLabel: both('doc.totalCapitals'),
          },
        }
      : null,
  };
}

/** One language of a bilingual text. */
export function pick(text: Bilingual, locale: SupportedLocale): string {
  return locale === 'en' ? text.en : text.zh;
}

/**
 * The view model of the HTML page: the same receipt view, in the reader's language for labels
 * and values, with the title and the foundation's name in both (as the document prints them).
 */
export function receiptPageModel(view: ReceiptView, locale: SupportedLocale) {
  const other: SupportedLocale = locale === 'en' ? 'zh-CN' : 'en';
  return {
    number: view.number,
    kind: view.kind,
    kindText: pick(view.kindText, locale),
    numberLabel: pick(view.numberLabel, locale),
    showKind: view.kind !== 'GIFT',
    title: pick(view.title, locale),
    titleOther: pick(view.title, other),
    foundation: {
      name: pick(view.foundation.name, locale),
      nameOther: pick(view.foundation.name, other),
      creditCodeLabel: pick(view.foundation.creditCodeLabel, locale),
      creditCode: view.foundation.creditCode,
      address: pick(view.foundation.address, locale),
    },
    fields: view.fields.map((f) => ({
      key: f.key,
      label: pick(f.label, locale),
      value: pick(f.value, locale),
    })),
    amount: {
      label: pick(view.amount.label, locale),
      figures: view.amount.figures,
      capitals: view.amount.capitals,
      capitalsLabel: pick(view.amount.capitalsLabel, locale),
    },
    notes: view.notes.map((n) => ({ key: n.key, text: pick(n.text, locale) })),
    statement: pick(view.statement, locale),
    signatory: { label: pick(view.signatory.label, locale), name: view.signatory.name },
    sealLabel: pick(view.seal.label, locale),
    verify: {
      label: pick(view.verify.label, locale),
      hint: pick(view.verify.hint, locale),
      codeLabel: pick(view.verify.codeLabel, locale),
      url: view.verify.url,
      code: view.verify.code,
    },
    void: view.void
      ? {
          mark: `${view.void.mark.zh} ${view.void.mark.en}`,
          banner: pick(view.void.banner, locale),
          reasonLabel: pick(view.void.reasonLabel, locale),
          reason: pick(view.void.reason, locale),
          onLabel: pick(view.void.onLabel, locale),
          on: pick(view.void.on, locale),
          noteLabel: pick(view.void.noteLabel, locale),
          note: view.void.note,
        }
      : null,
    annual: view.annual
      ? {
          year: view.annual.year,
          count: pick(view.annual.count, locale),
          columns: {
            date: pick(view.annual.columns.date, locale),
            fund: pick(view.annual.columns.fund, locale),
            reference: pick(view.annual.columns.reference, locale),
            receipt: pick(view.annual.columns.receipt, locale),
            amount: pick(view.annual.columns.amount, locale),
          },
          rows: view.annual.rows.map((r) => ({ ...r, fund: pick(r.fund, locale) })),
          total: {
            label: pick(view.annual.total.label, locale),
            figures: view.annual.total.figures,
            capitals: view.annual.total.capitals,
            capitalsLabel: pick(view.annual.total.capitalsLabel, locale),
          },
        }
      : null,
  };
}

export type ReceiptPageModel = ReturnType<typeof receiptPageModel>;
