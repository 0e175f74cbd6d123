/**
 * The donor's access download: everything held about one email address, as JSON and as one CSV
 * file. Pure: the service gathers the data through each module's service; this shapes it.
 *
 * Both hold the same rows, values in the reader's language (statuses in words, amounts both in
 * minor units and as text, instants in Beijing time with their offset). JSON is keyed by section
 * and field; CSV is for people (Excel, WPS): UTF-8 with a BOM, a `section` column, localized
 * headers, every cell escaped against formula injection.
 */
import { csvLine } from '../../../common/csv';
import { beijingTimestamp } from '../../../common/dates/beijing-time';
import { hasText, translate, type SupportedLocale } from '../../../common/i18n/i18n';
import { statusText } from '../../../common/i18n/status-words';
import { formatMoney } from '../../../common/money';

export interface ExportGift {
  id: string;
  status: string;
  amountMinor: number;
  refundedMinor: number;
  currency: string;
  campaign: { titleZh: string; titleEn: string } | null;
  fund: { nameZh: string; nameEn: string };
  donorName: string;
  donorKind: string;
  anonymous: boolean;
  message: string;
  dedication: string;
  monthly: boolean;
  parentDonationId: string | null;
  providerSubscriptionId: string | null;
  subscriptionCancelledAt: Date | null;
  provider: string;
  locale: string;
  ip: string | null;
  receiptAddress: string | null;
  receiptTaxId: string | null;
  createdAt: Date;
  succeededAt: Date | null;
}

export interface ExportReceipt {
  id: string;
  number: string;
  kind: string;
  donationId: string | null;
  amountMinor: number;
  currency: string;
  issuedAt: Date;
  voidedAt: Date | null;
  voidReason: string | null;
  deliveries: {
    purpose: string;
    recipient: string;
    status: string;
    createdAt: Date;
    sentAt: Date | null;
  }[];
}

export interface DonorDataBundle {
  email: string;
  generatedAt: Date;
  gifts: ExportGift[];
  receipts: ExportReceipt[];
  receiptPreference: string;
  emails: { template: string; status: string; createdAt: Date; sentAt: Date | null }[];
  consents: {
    purpose: string;
    policyVersion: number;
    locale: string;
    donationId: string | null;
    createdAt: Date;
  }[];
  sessions: {
    createdAt: Date;
    lastSeenAt: Date;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  }[];
  erasureRequests: {
    status: string;
    requestedAt: Date;
    confirmedAt: Date | null;
    dueAt: Date | null;
  }[];
}

/** The sections, in the order the files list them. */
export const EXPORT_SECTIONS = [
  'gifts',
  'monthlyGifts',
  'receipts',
  'receiptPreference',
  'emails',
  'receiptDeliveries',
  'consents',
  'sessions',
  'erasureRequests',
] as const;
export type ExportSection = (typeof EXPORT_SECTIONS)[number];

type Cell = string | number | boolean | null;
export type ExportRow = Record<string, Cell>;

/** What each section's rows hold, in column order: the CSV's columns are their union. */
const FIELDS: Record<ExportSection, readonly string[]> = {
  gifts: [
    'giftId',
    'createdAt',
    'receivedAt',
    'status',
    'amountMinor',
    'amount',
    'refundedMinor',
    'currency',
    'campaign',
    'fund',
    'donorName',
    'donorKind',
    'anonymous',
    'message',
    'dedication',
    'monthly',
    'paidWith',
    'language',
    'ip',
    'receiptAddress',
    'receiptTaxId',
  ],
  monthlyGifts: ['giftId', 'createdAt', 'amountMinor', 'amount', 'campaign', 'state', 'stoppedAt'],
  receipts: [
    'receiptNumber',
    'kind',
    'giftId',
    'amountMinor',
    'amount',
    'issuedAt',
    'voidedAt',
    'voidReason',
  ],
  receiptPreference: ['value'],
  emails: ['template', 'state', 'createdAt', 'sentAt'],
  receiptDeliveries: ['receiptNumber', 'purpose', 'recipient', 'state', 'createdAt', 'sentAt'],
  consents: ['purpose', 'policyVersion', 'language', 'giftId', 'createdAt'],
  sessions: ['createdAt', 'lastSeenAt', 'expiresAt', 'ip', 'device'],
  erasureRequests: ['state', 'createdAt', 'confirmedAt', 'dueAt'],
};

/** All columns after `section`, each once, in the order sections first use them. */
export const EXPORT_COLUMNS: readonly string[] = [...new Set(Object.values(FIELDS).flat())];

/** An instant in Beijing time with its offset: 2026-12-04T00:30:05+08:00. */
export function beijingInstant(at: Date | null): string | null {
  return at ? `${beijingTimestamp(at).replace(' ', 'T')}+08:00` : null;
}

function money(amountMinor: number, currency: string, locale: SupportedLocale): string {
  return formatMoney(amountMinor, currency, locale);
}

const pick = <T>(locale: SupportedLocale, zh: T, en: T) => (locale === 'en' ? en : zh);

/** The download's rows, section by section, values in `locale` (dates as Beijing instants). */
export function exportSections(
  data: DonorDataBundle,
  locale: SupportedLocale,
): Record<ExportSection, ExportRow[]> {
  const t = (key: string) => translate(locale, key);
  const campaignOf = (g: ExportGift) =>
    g.campaign ? pick(locale, g.campaign.titleZh, g.campaign.titleEn) : null;
  return {
    gifts: data.gifts.map((g) => ({
      giftId: g.id,
      createdAt: beijingInstant(g.createdAt),
      receivedAt: beijingInstant(g.succeededAt),
      status: statusText(locale, 'donation', g.status),
      amountMinor: g.amountMinor,
      amount: money(g.amountMinor, g.currency, locale),
      refundedMinor: g.refundedMinor,
      currency: g.currency,
      campaign: campaignOf(g),
      fund: pick(locale, g.fund.nameZh, g.fund.nameEn),
      donorName: g.donorName,
      donorKind: t(`privacy.access.donorKind.${g.donorKind}`),
      anonymous: g.anonymous,
      message: g.message,
      dedication: g.dedication,
      monthly: g.monthly,
      paidWith: statusText(locale, 'provider', g.provider),
      language: g.locale,
      ip: g.ip,
      receiptAddress: g.receiptAddress,
      receiptTaxId: g.receiptTaxId,
    })),
    // A monthly gift is its first payment; later months are gifts with a parent.
    monthlyGifts: data.gifts
      .filter((g) => g.monthly && g.parentDonationId === null && g.providerSubscriptionId)
      .map((g) => ({
        giftId: g.id,
        createdAt: beijingInstant(g.createdAt),
        amountMinor: g.amountMinor,
        amount: money(g.amountMinor, g.currency, locale),
        campaign: campaignOf(g),
        state: t(`privacy.access.monthly.${g.subscriptionCancelledAt ? 'stopped' : 'running'}`),
        stoppedAt: beijingInstant(g.subscriptionCancelledAt),
      })),
    receipts: data.receipts.map((r) => ({
      receiptNumber: r.number,
      kind: statusText(locale, 'receipt', r.kind),
      giftId: r.donationId,
      amountMinor: r.amountMinor,
      amount: money(r.amountMinor, r.currency, locale),
      issuedAt: beijingInstant(r.issuedAt),
      voidedAt: beijingInstant(r.voidedAt),
      voidReason: r.voidReason ? statusText(locale, 'voidReason', r.voidReason) : null,
    })),
    receiptPreference: [{ value: t(`receipts.portal.${data.receiptPreference}`) }],
    emails: data.emails.map((e) => ({
      template: templateWords(e.template, locale),
      state: statusText(locale, 'delivery', e.status),
      createdAt: beijingInstant(e.createdAt),
      sentAt: beijingInstant(e.sentAt),
    })),
    receiptDeliveries: data.receipts.flatMap((r) =>
      r.deliveries
        .filter((d) => d.recipient.toLowerCase() === data.email)
        .map((d) => ({
          receiptNumber: r.number,
          purpose: t(`privacy.access.deliveryPurpose.${d.purpose}`),
          recipient: d.recipient,
          state: statusText(locale, 'delivery', d.status),
          createdAt: beijingInstant(d.createdAt),
          sentAt: beijingInstant(d.sentAt),
        })),
    ),
    consents: data.consents.map((c) => ({
      purpose: t(`privacy.access.consentPurpose.${c.purpose}`),
      policyVersion: c.policyVersion,
      language: c.locale,
      giftId: c.donationId,
      createdAt: beijingInstant(c.createdAt),
    })),
    sessions: data.sessions.map((s) => ({
      createdAt: beijingInstant(s.createdAt),
      lastSeenAt: beijingInstant(s.lastSeenAt),
      expiresAt: beijingInstant(s.expiresAt),
      ip: s.ip,
      device: s.userAgent,
    })),
    erasureRequests: data.erasureRequests.map((e) => ({
      state: t(`privacy.access.erasureState.${e.status}`),
      createdAt: beijingInstant(e.requestedAt),
      confirmedAt: beijingInstant(e.confirmedAt),
      dueAt: beijingInstant(e.dueAt),
    })),
  };
}

/** An email's template in words, e.g. "感谢信" (a template the download does not name: its code). */
function templateWords(template: string, locale: SupportedLocale): string {
  const key = `privacy.access.template.${template}`;
  return hasText(key) ? translate(locale, key) : template;
}

/** How many rows the download holds (what the audit row records). */
export function exportRowCount(sections: Record<ExportSection, ExportRow[]>): number {
  return EXPORT_SECTIONS.reduce((n, s) => n + sections[s].length, 0);
}

/** The JSON download: the address, when it was made, and each section's rows. */
export function exportJson(
  data: DonorDataBundle,
  sections: Record<ExportSection, ExportRow[]>,
): string {
  return `${JSON.stringify(
    { email: data.email, generatedAt: beijingInstant(data.generatedAt), ...sections },
    null,
    2,
  )}\n`;
}

/** The CSV download: BOM, localized header, one line per row with its section in words. */
export function exportCsv(
  sections: Record<ExportSection, ExportRow[]>,
  locale: SupportedLocale,
): string {
  const header = [
    translate(locale, 'privacy.access.field.section'),
    ...EXPORT_COLUMNS.map((c) => translate(locale, `privacy.access.field.${c}`)),
  ];
  const lines = EXPORT_SECTIONS.flatMap((section) =>
    sections[section].map((row) =>
      csvLine([
        translate(locale, `privacy.access.section.${section}`),
        ...EXPORT_COLUMNS.map((c) => cellText(row[c], locale)),
      ]),
    ),
  );
  return `\ufeff${csvLine(header)}${lines.join('')}`;
}

function cellText(value: Cell | undefined, locale: SupportedLocale): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean')
    return translate(locale, value ? 'privacy.access.yes' : 'privacy.access.no');
  return String(value);
}
