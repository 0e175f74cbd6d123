import { Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { formatMoney } from '../../common/money';
import { RateLimiter, type RateLimit } from '../../common/rate-limit/rate-limiter';
import { GrantsInsightsService } from '../grants/insights/grants-insights.service';
import { maskName } from './mask-name';
import { erasedDonorName } from '../privacy/erased-names';
import { qrSvgDataUrl } from './pdf/receipt-qr';
import { receiptDate } from './receipt-dates';
import { ReceiptDocuments } from './receipt-documents';
import { normaliseVerifyCode } from './receipt-number';
import { buildReceiptView, receiptMoney, receiptPageModel } from './receipt-view';
import { ReceiptNotFoundError } from './receipts.errors';
import { ReceiptsRepository } from './receipts.repository';
import type { Receipt } from './receipts.types';
import { statusText } from '../../common/i18n/status-words';

/** Lookups on the verification page per IP address and window. */
export const VERIFY_LIMIT = 30;
export const VERIFY_WINDOW_MS = 10 * 60_000;
const VERIFY_LOOKUPS: RateLimit = {
  name: 'receipt-verify-ip',
  windowMs: VERIFY_WINDOW_MS,
  max: VERIFY_LIMIT,
};
/** How many of the fund's projects the receipt page shows (the rest are a link away). */
const OUTCOME_PROJECTS = 5;

/** What the public verification page may say about a genuine receipt: no personal data but a masked name. */
export interface VerifiedReceipt {
  number: string;
  kindText: string;
  amount: string;
  /** The gift's date, or for an annual statement its year. */
  giftDate: string | null;
  year: number | null;
  fund: string;
  maskedName: string;
  /** The donor was erased (PIPL): the receipt says so; its number and amount stand. */
  erasedDonor: boolean;
  void: { on: string; reason: string } | null;
}

export type VerifyOutcome =
  | { kind: 'form' }
  | { kind: 'not found' }
  | { kind: 'too many' }
  | { kind: 'genuine'; receipt: VerifiedReceipt };

/**
 * The receipt pages' rules: who may read a receipt (its donor, by the email signed in with; staff),
 * the page's view model with where the gift went, and the public verification (number + code →
 * genuine or one "not found" for every other case, rate-limited per IP address).
 */
@Injectable()
export class ReceiptPagesService {
  constructor(
    private readonly repo: ReceiptsRepository,
    private readonly documents: ReceiptDocuments,
    private readonly insights: GrantsInsightsService,
    private readonly limits: RateLimiter,
  ) {}

  /** The donor's own receipt; another donor's is as unknown as one that does not exist. */
  async forDonor(id: string, email: string): Promise<Receipt> {
    const receipt = await this.repo.find(id);
    if (!receipt || !email || receipt.donorEmail !== email.toLowerCase()) {
      throw new ReceiptNotFoundError(id);
    }
    return receipt;
  }

  async forStaff(id: string): Promise<Receipt> {
    const receipt = await this.repo.find(id);
    if (!receipt) throw new ReceiptNotFoundError(id);
    return receipt;
  }

  async pdf(receipt: Receipt): Promise<{ fileName: string; content: Buffer }> {
    return {
      fileName: this.documents.fileName(receipt),
      content: await this.documents.pdf(receipt),
    };
  }

  /** The HTML page's view model: the receipt as the PDF states it, plus where the gift went. */
  async page(receipt: Receipt, locale: SupportedLocale) {
    const verifyUrl = this.documents.verifyUrl(receipt);
    const view = buildReceiptView(receipt, { verifyUrl });
    const settings = await this.repo.settings();
    return {
      receipt: receiptPageModel(view, locale),
      qrDataUrl: await qrSvgDataUrl(verifyUrl),
      sealDataUrl: settings.sealPng
        ? `data:image/png;base64,${Buffer.from(settings.sealPng).toString('base64')}`
        : null,
      outcome: await this.outcome(receipt, locale),
    };
  }

  /**
   * Gift to outcome: the fund's public list of projects, the match the gift earned, and the
   * projects the fund has paid for with their residents' evaluations (the grants module's public
   * view of a project: nothing here reads grant tables).
   */
  private async outcome(receipt: Receipt, locale: SupportedLocale) {
    const gift = receipt.content.gift;
    if (!gift) return null;
    const fundName = locale === 'en' ? gift.fund.nameEn : gift.fund.nameZh;
    const currency = receipt.currency.trim();
    const { rows, total } = await this.insights.projects({
      fundCode: gift.fund.code,
      limit: OUTCOME_PROJECTS,
      offset: 0,
    });
    const projects = [];
    for (const row of rows) {
      const p = await this.insights.project(row.id);
      if (p.paidMinor <= 0) continue;
      const evaluations = p.evaluations.map((e) =>
        translate(locale, 'receipts.doc.outcome.evaluation', {
          n: e.seq,
          pct: e.satisfaction === null ? '—' : `${Math.round(e.satisfaction * 100)}%`,
          satisfied: e.satisfied,
          responses: e.responses,
          result: translate(
            locale,
            e.passed ? 'receipts.doc.outcome.passed' : 'receipts.doc.outcome.failed',
          ),
        }),
      );
      projects.push({
        title: p.title,
        href: `/projects/${p.id}?lang=${locale}`,
        community: locale === 'en' ? p.community.nameEn : p.community.nameZh,
        status: statusText(locale, 'project', p.status),
        paid: translate(locale, 'receipts.doc.outcome.paid', {
          amount: formatMoney(p.paidMinor, p.currency, locale),
        }),
        evaluations,
      });
    }
    const fundUrl = `/funds/${encodeURIComponent(gift.fund.code)}?lang=${locale}`;
    const projectsUrl = `/projects?${new URLSearchParams({ fund: gift.fund.code, lang: locale }).toString()}`;
    return {
      fundName,
      fundUrl,
      projectsUrl,
      fundLink: translate(locale, 'receipts.doc.outcome.fund', { fund: fundName }),
      match:
        gift.matchedMinor > 0
          ? translate(locale, 'receipts.doc.outcome.match', {
              amount: formatMoney(gift.matchedMinor, currency, locale),
              fund: fundName,
            })
          : null,
      projects,
      more:
        total > rows.length
          ? translate(locale, 'receipts.doc.outcome.more', { count: total })
          : null,
    };
  }

  /**
   * The verification page's answer for a query string as it came (anything: strings, arrays,
   * nothing). Without a number and a code it is the empty form; every lookup counts against the
   * asker's address; an unknown number, a wrong code and malformed input are one "not found".
   */
  async verify(query: unknown, ip: string, locale: SupportedLocale): Promise<VerifyOutcome> {
    const q = (query ?? {}) as Record<string, unknown>;
    if (isBlank(q.number) && isBlank(q.code)) return { kind: 'form' };
    if (await this.limits.exhausted(VERIFY_LOOKUPS, ip)) return { kind: 'too many' };
    await this.limits.hit(VERIFY_LOOKUPS, ip);
    const number = typeof q.number === 'string' ? q.number.trim() : '';
    const code = typeof q.code === 'string' ? normaliseVerifyCode(q.code.slice(0, 64)) : '';
    if (!/^[A-Za-z0-9-]{1,40}$/.test(number) || !/^[A-Z0-9]{8}$/.test(code)) {
      return { kind: 'not found' };
    }
    const receipt = await this.repo.findByNumber(number);
    if (!receipt || !sameCode(receipt.verifyCode, code)) return { kind: 'not found' };
    return { kind: 'genuine', receipt: verifiedView(receipt, locale) };
  }

  /** The verification page's form values, as typed (only strings of a sane length). */
  typed(query: unknown): { number: string; code: string } {
    const q = (query ?? {}) as Record<string, unknown>;
    const text = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : '');
    return { number: text(q.number, 40), code: text(q.code, 20) };
  }
}

function isBlank(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.trim() === '');
}

function sameCode(stored: string, typed: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(typed);
  return a.length === b.length && timingSafeEqual(a, b);
}

function verifiedView(receipt: Receipt, locale: SupportedLocale): VerifiedReceipt {
  const c = receipt.content;
  const funds = c.gift
    ? [locale === 'en' ? c.gift.fund.nameEn : c.gift.fund.nameZh]
    : [
        ...new Set(
          (c.statement?.gifts ?? []).map((g) => (locale === 'en' ? g.fundNameEn : g.fundNameZh)),
        ),
      ];
  return {
    number: receipt.number,
    kindText: statusText(locale, 'receipt', receipt.kind),
    amount: receiptMoney(receipt.amountMinor, receipt.currency),
    giftDate: c.gift ? receiptDate(c.gift.receivedAt, locale) : null,
    year: c.statement?.year ?? null,
    fund: funds.join(locale === 'en' ? ', ' : '、'),
    // An organisation's name is public record and shown as given; a person's is masked.
    maskedName:
      receipt.donorErasedNo != null
        ? erasedDonorName(receipt.donorErasedNo, locale)
        : c.donor.kind === 'ORGANISATION'
          ? c.donor.name
          : maskName(c.donor.name),
    erasedDonor: receipt.donorErasedNo != null,
    void: receipt.voidedAt
      ? {
          on: receiptDate(receipt.voidedAt, locale),
          reason: translate(locale, `receipts.voidReason.${receipt.voidReason ?? 'STAFF'}`),
        }
      : null,
  };
}
