import { Injectable } from '@nestjs/common';
import { csvLine } from '../../common/csv';
import type { FieldErrors } from '../../common/http/forms';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { formatMoney, toDecimalString } from '../../common/money';
import type { ConfirmPage } from '../../common/views/confirm-step';
import { CampaignsService } from '../campaigns/campaigns.service';
import { type DonationStatus, isSettled } from '../donations/donation-status';
import { DonationsService } from '../donations/donations.service';
import { DONOR_KINDS, type Donation } from '../donations/donations.types';
import { beijingDate, beijingDateTime, beijingTimestamp } from '../../common/dates/beijing-time';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService } from '../funds/funds.service';
import { VELOCITY_LIMIT_PER_MINUTE } from '../matching/matching.service';
import { receiptDate } from '../receipts/receipt-dates';
import {
  ReceiptDeliveryService,
  type ReceiptWithDeliveries,
} from '../receipts/receipt-delivery.service';
import { UTF8_BOM } from '../reporting/statement-csv';
import { shownDonorName } from '../privacy/erased-names';
import { localName, query } from './admin-view-helpers';
import { statusOptions, statusText } from '../../common/i18n/status-words';

const PAGE_SIZE = 50;

export const GIFT_CSV_COLUMNS = [
  'created_at',
  'succeeded_at',
  'donation_id',
  'campaign',
  'donor_name',
  'donor_email',
  'amount',
  'matched',
  'refunded',
  'fee',
  'currency',
  'status',
  'provider',
  'payment_id',
  'monthly',
  'anonymous',
  'dedication',
  'message',
  'match_returned',
  'fund',
  'donor_kind',
] as const;

interface FormState {
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}

/** The void form of one receipt, shown again with its messages. */
export type VoidFormState = FormState & { receiptId: string };

/** View models of the back office's gift pages: plain data, in the reader's language. */
@Injectable()
export class AdminDonationsViews {
  constructor(
    private readonly donations: DonationsService,
    private readonly campaigns: CampaignsService,
    private readonly foundation: FoundationService,
    private readonly receiptDelivery: ReceiptDeliveryService,
    private readonly funds: FundsService,
  ) {}

  /**
   * The confirmation page of a refund: the gift, the amount and the reason, and what it changes
   * (the donor's money back, the fund's balance, the match, the email). Refused as the refund
   * would be (nothing left to refund, a gift not received).
   */
  async refundConfirmation(
    locale: SupportedLocale,
    id: string,
    form: { amountMinor?: number; reason: string },
  ): Promise<ConfirmPage> {
    const {
      donation: d,
      title,
      amountMinor,
    } = await this.donations.refundPreview(id, form.amountMinor);
    const fund = await this.funds.get(d.fundId);
    const money = (v: number) => formatMoney(v, d.currency, locale);
    const t = (key: string, vars: Record<string, unknown> = {}) =>
      translate(locale, `admin.confirm.refund.${key}`, vars);
    const offline = d.provider === 'OFFLINE';
    const effects = [
      t(offline ? 'donorOffline' : 'donorProvider', {
        donor: d.donorName,
        amount: money(amountMinor),
      }),
      t(offline ? 'fundBalance' : 'fundBalanceLater', {
        fund: localName(locale, fund.nameZh, fund.nameEn),
        from: money(fund.balanceMinor),
        to: money(fund.balanceMinor - amountMinor),
      }),
      t('refundedTotal', {
        from: money(d.refundedMinor),
        to: money(d.refundedMinor + amountMinor),
        gift: money(d.amountMinor),
      }),
    ];
    if (d.matchedMinor > 0) effects.push(t('match', { matched: money(d.matchedMinor) }));
    effects.push(t('receipt'));
    effects.push(d.donorEmail ? t('email', { email: d.donorEmail }) : t('noEmail'));
    return {
      title: t('title'),
      facts: [
        {
          label: t('gift'),
          value: `${money(d.amountMinor)} · ${d.donorName} · ${localName(locale, title.titleZh, title.titleEn)}`,
        },
        { label: t('amount'), value: money(amountMinor) },
        { label: t('reason'), value: form.reason },
      ],
      effects,
      button: t('button', { amount: money(amountMinor) }),
      back: `/admin/donations/${id}`,
      danger: true,
    };
  }

  async currency(): Promise<string> {
    return this.foundation.currency();
  }

  async list(
    locale: SupportedLocale,
    filter: { campaign?: string; status?: DonationStatus; email?: string; cursor?: string },
    values: Record<string, unknown>,
    errors: FieldErrors,
  ) {
    const ok = Object.keys(errors).length === 0;
    let page: { items: Donation[]; nextCursor: string | null } = { items: [], nextCursor: null };
    let notFound: string | null = null;
    if (ok) {
      try {
        page = await this.donations.listForStaff({
          campaignSlug: filter.campaign,
          status: filter.status,
          email: filter.email,
          cursor: filter.cursor,
          limit: PAGE_SIZE,
        });
      } catch (error) {
        if ((error as { code?: string }).code !== 'CAMPAIGN_NOT_FOUND') throw error;
        notFound = translate(locale, 'admin.donations.noCampaign');
      }
    }
    const titles = await this.titles(page.items, locale);
    const funds = await this.fundNames(page.items, locale);
    const params = { campaign: filter.campaign, status: filter.status, email: filter.email };
    return {
      title: translate(locale, 'admin.donations.title'),
      values,
      errors: notFound ? { ...errors, campaign: notFound } : errors,
      statuses: statusOptions(locale, 'donation', filter.status),
      rows: page.items.map((d) => ({
        ...row(d, locale),
        // A gift straight into a fund: the fund's name where a campaign's title would be.
        campaign:
          d.campaignId === null
            ? translate(locale, 'admin.donations.intoFund', { fund: funds.get(d.fundId) ?? '' })
            : (titles.get(d.campaignId) ?? ''),
      })),
      nextUrl: page.nextCursor
        ? query('/admin/donations', { ...params, cursor: page.nextCursor })
        : null,
      firstUrl: filter.cursor ? query('/admin/donations', params) : null,
      csvUrl: query('/admin/donations/export.csv', params),
    };
  }

  async detail(
    locale: SupportedLocale,
    id: string,
    refund?: FormState,
    release?: FormState,
    voidForm?: VoidFormState,
  ) {
    const d = await this.donations.get(id);
    const campaign = d.campaignId === null ? null : await this.campaigns.getById(d.campaignId);
    const fund = await this.funds.get(d.fundId);
    const left = d.amountMinor - d.refundedMinor;
    const receipts = await this.receiptDelivery.forDonation(id);
    const refunds = await this.donations.refundsOf(id);
    return {
      // FINANCE's reasons, one line per refund, in Beijing time.
      refunds: refunds.map((r) => ({
        id: r.id,
        line: translate(locale, 'admin.donations.refundLine', {
          date: beijingDateTime(r.createdAt, locale),
          amount: formatMoney(r.amountMinor, r.currency, locale),
          reason: r.reason,
        }),
        reason: r.reason,
      })),
      receipts: receipts.map((r) => receiptRow(r, locale, voidForm)),
      // A received gift without any receipt yet (the queue has not reached it): staff may issue it.
      canIssueReceipt: isSettled(d.status) && left > 0 && receipts.length === 0,
      title: translate(locale, 'admin.donations.one'),
      gift: {
        ...row(d, locale),
        campaign: campaign && localName(locale, campaign.titleZh, campaign.titleEn),
        campaignSlug: campaign?.slug ?? null,
        fund: localName(locale, fund.nameZh, fund.nameEn),
        fundId: fund.id,
        fundCode: fund.code,
        ...giftDates(d, locale),
        // No email: no thank-you or receipt email was (or will be) attempted; staff print it.
        noEmail: d.donorEmail === null ? translate(locale, 'admin.donations.noEmailNote') : null,
        message: d.message,
        dedication: d.dedication,
        anonymous: d.anonymous,
        monthly: d.monthly,
        locale: d.locale,
        provider: d.provider,
        providerPaymentId: d.providerPaymentId,
        providerChargeId: d.providerChargeId,
        providerInvoiceId: d.providerInvoiceId,
        disputeHeldMinor: d.disputeHeldMinor,
        disputeFeeMinor: d.disputeFeeMinor,
        feeMinor: d.feeMinor,
        feeCoverMinor: d.feeCoverMinor,
        leftMinor: left,
        parentDonationId: d.parentDonationId,
        receiptAddress: d.receiptAddress,
        receiptTaxId: d.receiptTaxId,
      },
      // A match the bot check withheld: why, in words, and (until released) FINANCE's release form.
      withheld: d.matchWithheldReason
        ? {
            reason: translate(locale, `admin.donations.giftMatch.reason.${d.matchWithheldReason}`, {
              limit: VELOCITY_LIMIT_PER_MINUTE,
            }),
            releasedAt: d.matchReleasedAt,
          }
        : null,
      release:
        d.matchWithheldReason &&
        !d.matchReleasedAt &&
        d.matchedMinor === 0 &&
        d.status === 'SUCCEEDED' &&
        d.refundedMinor === 0
          ? { values: release?.values ?? {}, errors: release?.errors ?? {} }
          : null,
      refund:
        (d.status === 'SUCCEEDED' || d.status === 'PARTIALLY_REFUNDED') && left > 0
          ? {
              values: {
                amount: '',
                ...refund?.values,
                refundedBefore: String(d.refundedMinor),
              },
              errors: refund?.errors ?? {},
              placeholder: toDecimalString(left, d.currency),
            }
          : null,
    };
  }

  async offline(
    locale: SupportedLocale,
    state: FormState & { csv?: string; csvError?: string } = {},
  ) {
    // LIVE and ENDED campaigns (the list's default): an offline gift may arrive after the end.
    const live = await this.campaigns.list(undefined, { limit: 100 });
    const values: Record<string, unknown> = {
      method: 'BANK',
      donorKind: 'PERSON',
      ...state.values,
    };
    return {
      title: translate(locale, 'admin.donations.offlineTitle'),
      currency: await this.currency(),
      values,
      errors: state.errors ?? {},
      campaigns: live.items.map((c) => ({
        value: c.slug,
        label: `${localName(locale, c.titleZh, c.titleEn)} (${c.slug})`,
        selected: values.campaignSlug === c.slug,
      })),
      fundGroups: await this.fundGroups(locale, values.fundCode),
      donorKinds: DONOR_KINDS.map((k) => ({
        value: k,
        label: `admin.donations.donorKind.${k}`,
        selected: values.donorKind === k,
      })),
      today: beijingTimestamp(new Date()).slice(0, 10),
      methods: ['BANK', 'CASH'].map((m) => ({
        value: m,
        label: `admin.donations.method.${m}`,
        selected: values.method === m,
      })),
      csv: state.csv ?? '',
      csvError: state.csvError ?? null,
    };
  }

  /**
   * The gifts the list's filter matches, as CSV for finance: all of them, newest first, read a
   * page at a time. Amounts in yuan and in minor units; donor-written text cannot run as a formula.
   */
  async csv(
    filter: { campaign?: string; status?: DonationStatus; email?: string },
    locale: SupportedLocale,
  ) {
    // An unknown campaign is a 404 before anything is sent, not a download cut short.
    if (filter.campaign) await this.campaigns.getForDonation(filter.campaign);
    return this.csvLines(filter, locale);
  }

  /**
   * The gifts as CSV for finance: headed in the reader's language, times in Beijing time,
   * amounts in yuan (never a count of fen), statuses and yes/no in words.
   */
  private async *csvLines(
    filter: { campaign?: string; status?: DonationStatus; email?: string },
    locale: SupportedLocale,
  ) {
    yield (
      UTF8_BOM +
      csvLine(GIFT_CSV_COLUMNS.map((c) => translate(locale, `admin.donations.csvColumns.${c}`)))
    );
    const yesNo = (v: boolean) => translate(locale, v ? 'audit.yes' : 'audit.no');
    let cursor: string | undefined;
    do {
      const page = await this.donations.listForStaff({
        campaignSlug: filter.campaign,
        status: filter.status,
        email: filter.email,
        cursor,
        limit: 500,
      });
      const campaigns = await this.campaigns.getManyById(campaignIds(page.items));
      const funds = await this.fundCodes(page.items);
      for (const d of page.items) {
        const money = (v: number | null) => (v === null ? '' : toDecimalString(v, d.currency));
        yield csvLine([
          beijingTimestamp(d.createdAt),
          d.succeededAt ? beijingTimestamp(d.succeededAt) : '',
          d.id,
          d.campaignId === null ? '' : (campaigns.get(d.campaignId)?.slug ?? ''),
          d.donorName,
          d.donorEmail ?? '',
          money(d.amountMinor),
          money(d.matchedMinor),
          money(d.refundedMinor),
          money(d.feeMinor),
          d.currency,
          statusText(locale, 'donation', d.status),
          statusText(locale, 'provider', d.provider),
          d.providerPaymentId ?? '',
          yesNo(d.monthly),
          yesNo(d.anonymous),
          d.dedication,
          d.message,
          money(d.matchReturnedMinor),
          funds.get(d.fundId) ?? '',
          translate(locale, `admin.donations.donorKind.${d.donorKind}`),
        ]);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Campaign titles for a page of gifts, in one query. */
  private async titles(gifts: Donation[], locale: SupportedLocale): Promise<Map<string, string>> {
    const campaigns = await this.campaigns.getManyById(campaignIds(gifts));
    return new Map([...campaigns].map(([id, c]) => [id, localName(locale, c.titleZh, c.titleEn)]));
  }

  /** The names of the funds that gifts without a campaign went into. */
  private async fundNames(gifts: Donation[], locale: SupportedLocale) {
    const names = new Map<string, string>();
    for (const d of gifts) {
      if (d.campaignId !== null || names.has(d.fundId)) continue;
      const fund = await this.funds.get(d.fundId);
      names.set(d.fundId, localName(locale, fund.nameZh, fund.nameEn));
    }
    return names;
  }

  /** Every gift's fund code (the CSV names the fund of each gift). */
  private async fundCodes(gifts: Donation[]) {
    const codes = new Map<string, string>();
    for (const d of gifts) {
      if (!codes.has(d.fundId)) codes.set(d.fundId, (await this.funds.get(d.fundId)).code);
    }
    return codes;
  }

  /**
   * The funds an offline gift may go straight into (active ones), grouped for the picker: the
   * foundation's own funds first, then community funds by subdistrict.
   */
  private async fundGroups(locale: SupportedLocale, selected: unknown) {
    const active = await this.funds.list({ status: 'ACTIVE', limit: 500 });
    const communities = await this.foundation.listCommunities({ limit: 1000 });
    const subdistricts = await this.foundation.listSubdistricts();
    const subdistrictOf = new Map(communities.items.map((c) => [c.id, c.subdistrictId]));
    const option = (f: (typeof active.items)[number]) => ({
      value: f.code,
      label: `${localName(locale, f.nameZh, f.nameEn)} (${f.code})`,
      selected: f.code === selected,
    });
    const groups = [
      {
        label: translate(locale, 'admin.donations.foundationFunds'),
        options: active.items.filter((f) => f.communityId === null).map(option),
      },
      ...subdistricts.map((sd) => ({
        label: localName(locale, sd.nameZh, sd.nameEn),
        options: active.items
          .filter((f) => f.communityId !== null && subdistrictOf.get(f.communityId) === sd.id)
          .map(option),
      })),
    ];
    return groups.filter((g) => g.options.length > 0);
  }
}

function campaignIds(gifts: Donation[]): string[] {
  return gifts.flatMap((d) => (d.campaignId === null ? [] : [d.campaignId]));
}

/**
 * A gift's own date (the day an offline gift's money was received, which FINANCE may enter
 * later) and, when it differs from the day it was recorded, the recording time: its ledger entry
 * is posted then (the ledger is append-only, in recording order).
 */
function giftDates(d: Donation, locale: SupportedLocale) {
  const received = d.succeededAt;
  const differs =
    received !== null &&
    beijingTimestamp(received).slice(0, 10) !== beijingTimestamp(d.createdAt).slice(0, 10);
  return {
    receivedOn: received ? beijingDate(received, locale) : null,
    recordedAt: beijingDateTime(d.createdAt, locale),
    postedNote: differs
      ? translate(locale, 'admin.donations.postedLater', {
          received: beijingDate(received, locale),
          recorded: beijingDateTime(d.createdAt, locale),
        })
      : null,
  };
}

function row(d: Donation, locale: SupportedLocale) {
  return {
    id: d.id,
    createdAt: d.createdAt,
    succeededAt: d.succeededAt,
    /** The gift's own date: when it was received (an offline gift: the day entered), else made. */
    giftDate: d.succeededAt ?? d.createdAt,
    // A donor who left no name (cash): said in words; an organisation's name as given.
    donorName: shownDonorName(d.donorName, locale) || translate(locale, 'admin.donations.unnamed'),
    donorKind: translate(locale, `admin.donations.donorKind.${d.donorKind}`),
    organisation: d.donorKind === 'ORGANISATION',
    donorEmail: d.donorEmail,
    amountMinor: d.amountMinor,
    matchedMinor: d.matchedMinor,
    matchReturnedMinor: d.matchReturnedMinor,
    refundedMinor: d.refundedMinor,
    currency: d.currency,
    status: d.status,
    monthly: d.monthly,
    provider: d.provider,
  };
}

/** A receipt on the gift's page: its facts and state in words, each email, and its void form. */
function receiptRow(r: ReceiptWithDeliveries, locale: SupportedLocale, voidForm?: VoidFormState) {
  const live = r.voidedAt === null;
  const form = voidForm?.receiptId === r.id ? voidForm : undefined;
  return {
    id: r.id,
    number: r.number,
    kind: statusText(locale, 'receipt', r.kind),
    amountMinor: r.amountMinor,
    currency: r.currency,
    issuedAt: r.issuedAt,
    live,
    voided: live
      ? null
      : translate(locale, 'receipts.admin.voided', {
          date: receiptDate(r.voidedAt!, locale),
          reason: translate(locale, `receipts.voidReason.${r.voidReason ?? 'STAFF'}`),
        }),
    voidNote: r.voidNote,
    replaces: r.content.replaces?.number ?? null,
    officialNumber: r.officialNumber,
    officialUrl: r.officialUrl && /^https?:\/\//.test(r.officialUrl) ? r.officialUrl : null,
    viewUrl: `/admin/receipts/${r.id}`,
    pdfUrl: `/admin/receipts/${r.id}/pdf`,
    deliveries: r.deliveries.map((d) => ({
      purpose: translate(locale, `receipts.admin.purpose.${d.purpose}`),
      recipient: d.recipient,
      status: statusText(locale, 'delivery', d.status),
      statusCode: d.status,
      failed: d.status === 'FAILED',
      attempts: d.attempts,
      lastError: d.lastError,
      createdAt: d.createdAt,
    })),
    voidForm: live ? { values: form?.values ?? {}, errors: form?.errors ?? {} } : null,
  };
}
