/**
 * What a line of a fund's statement says happened, in words: "捐赠 · 长者助餐 · 李明",
 * "配捐 · 99公益日配捐池", "手续费", "拨付 · 2026年度公服资金". Never a code (PROCESSOR_FEE) or
 * a staff-typed description with an id in it ("Gift 96567bbb-…"). Pure: no Nest, no TypeORM;
 * the caller looks up the gifts, campaigns and funds a page of lines names (StatementRefs).
 *
 * Donor names follow who reads: people who may see donor data (FINANCE, ADMIN) read every
 * donor's name, linked to the gift; everyone else reads the public rule (public-donor.ts): a
 * name only when the donor gave it online and did not ask to stay anonymous.
 */
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { entryKindText } from '../../common/i18n/status-words';
import { isDonorPublic } from '../donations/public-donor';
import type { StatementLine } from '../ledger/ledger.types';

/** One piece of a line's words, with the back-office page it links to, if any. */
export interface StatementPart {
  text: string;
  href?: string;
}

export interface StatementGift {
  id: string;
  campaign: { id: string; titleZh: string; titleEn: string } | null;
  donorName: string;
  provider: string;
  anonymous: boolean;
}

export interface StatementFund {
  id: string;
  nameZh: string;
  nameEn: string;
}

export interface StatementRefs {
  /** Gifts by id (entries whose metadata names a `donationId`). */
  gifts: ReadonlyMap<string, StatementGift>;
  /** Funds by ledger account code (`fund:<code>`): the other side of allocations and matches. */
  funds: ReadonlyMap<string, StatementFund>;
}

export interface StatementViewer {
  /** May read donors' names and open gifts (DONOR_DATA_ROLES). */
  donorData: boolean;
}

/** Kinds about one gift: the campaign and the donor say which. */
const GIFT_KINDS = new Set([
  'DONATION',
  'REFUND',
  'DISPUTE_HOLD',
  'DISPUTE_ADVANCE',
  'DISPUTE_RELEASE',
]);
/** Kinds between two funds: the other fund says which. */
const FUND_KINDS = new Set(['MATCH', 'MATCH_REVERSAL', 'ALLOCATION', 'RELEASE']);
/** Kinds typed in by staff, or about a grant or expense: their description says the rest. */
const DESCRIBED_KINDS = new Set([
  'OFFLINE_CONTRIBUTION',
  'OPENING_BALANCE',
  'ADJUSTMENT',
  'EXPENSE',
  'GRANT_AWARD',
  'GRANT_TRANCHE',
]);

const local = (locale: SupportedLocale, zh: string, en: string) =>
  locale === 'en' && en.trim() ? en : zh;

/** The gift ids a page of lines names, to look up before wording it. */
export function giftIdsOf(lines: readonly StatementLine[]): string[] {
  return [
    ...new Set(
      lines.map((l) => l.metadata?.donationId).filter((id): id is string => typeof id === 'string'),
    ),
  ];
}

/** The account codes of the other side of each line, to look up funds by. */
export function accountCodesOf(lines: readonly StatementLine[]): string[] {
  return [...new Set(lines.flatMap((l) => l.counterparties.map((c) => c.code)))];
}

function giftParts(
  gift: StatementGift | undefined,
  locale: SupportedLocale,
  viewer: StatementViewer,
): StatementPart[] {
  if (!gift) return [];
  const parts: StatementPart[] = [];
  if (gift.campaign) {
    parts.push({
      text: local(locale, gift.campaign.titleZh, gift.campaign.titleEn),
      href: `/admin/campaigns/${gift.campaign.id}`,
    });
  }
  if (viewer.donorData) {
    // An offline donor may have left no name (cash): said in words, never an empty link.
    parts.push({
      text: gift.donorName || translate(locale, 'admin.donations.unnamed'),
      href: `/admin/donations/${gift.id}`,
    });
  } else {
    parts.push({
      text: isDonorPublic(gift) ? gift.donorName : translate(locale, 'campaign.anonymousDonor'),
    });
  }
  return parts;
}

function otherFund(line: StatementLine, refs: StatementRefs): StatementFund | undefined {
  for (const c of line.counterparties) {
    const fund = refs.funds.get(c.code);
    if (fund) return fund;
  }
  return undefined;
}

/** The line's words, piece by piece: the kind first, then what it is about. */
export function statementLineParts(
  line: StatementLine,
  refs: StatementRefs,
  locale: SupportedLocale,
  viewer: StatementViewer,
): StatementPart[] {
  const kind: StatementPart = { text: entryKindText(locale, line.kind) };
  const meta = line.metadata ?? {};
  if (GIFT_KINDS.has(line.kind)) {
    const id = typeof meta.donationId === 'string' ? meta.donationId : '';
    return [kind, ...giftParts(refs.gifts.get(id), locale, viewer)];
  }
  if (FUND_KINDS.has(line.kind)) {
    const fund = otherFund(line, refs);
    return fund
      ? [kind, { text: local(locale, fund.nameZh, fund.nameEn), href: `/admin/funds/${fund.id}` }]
      : [kind];
  }
  if (line.kind === 'REVERSAL') {
    const reversed = typeof meta.reversedKind === 'string' ? meta.reversedKind : '';
    return reversed ? [kind, { text: entryKindText(locale, reversed) }] : [kind];
  }
  if (DESCRIBED_KINDS.has(line.kind) && line.description.trim()) {
    return [kind, { text: line.description.trim() }];
  }
  return [kind];
}

/** The parts as one line of text, for CSV files: "捐赠 · 长者助餐 · 李明". */
export function statementLineText(parts: readonly StatementPart[]): string {
  return parts.map((p) => p.text).join(' · ');
}
