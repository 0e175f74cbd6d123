/**
 * The grants dashboard's CSV exports. Pure: no Nest, no TypeORM. Same style as the fund statement
 * (`reporting/statement-csv.ts`): a UTF-8 BOM, amounts in major units and in minor units, every
 * cell through `csvCell` (a title like "=HYPERLINK(…)" arrives as text, never as a formula).
 */
import { csvLine } from '../../../common/csv';
import { toDecimalString } from '../../../common/money';
import { type FundUse, ratePercentText } from './fund-use';

/** Excel opens UTF-8 CSV as the local code page unless it starts with a byte-order mark. */
const UTF8_BOM = '\uFEFF';

export const AWARDS_CSV_COLUMNS = [
  'round_year',
  'round',
  'award_id',
  'title',
  'subdistrict',
  'community',
  'fund_code',
  'tier',
  'status',
  'project_status',
  'design_award',
  'design_award_minor',
  'construction',
  'construction_minor',
  'paid',
  'paid_minor',
  'currency',
  'proposed_at',
] as const;

export interface AwardCsvRow {
  roundYear: number;
  roundNameZh: string;
  awardId: string;
  title: string;
  subdistrictNameZh: string;
  communityNameZh: string;
  fundCode: string;
  tierKey: string;
  status: string;
  projectStatus: string;
  designAwardMinor: number;
  constructionMinor: number;
  paidMinor: number;
  currency: string;
  proposedAt: Date;
}

export function awardsCsvHeader(): string {
  return UTF8_BOM + csvLine(AWARDS_CSV_COLUMNS);
}

export function awardsCsvRow(r: AwardCsvRow): string {
  return csvLine([
    String(r.roundYear),
    r.roundNameZh,
    r.awardId,
    r.title,
    r.subdistrictNameZh,
    r.communityNameZh,
    r.fundCode,
    r.tierKey,
    r.status,
    r.projectStatus,
    toDecimalString(r.designAwardMinor, r.currency),
    String(r.designAwardMinor),
    toDecimalString(r.constructionMinor, r.currency),
    String(r.constructionMinor),
    toDecimalString(r.paidMinor, r.currency),
    String(r.paidMinor),
    r.currency,
    r.proposedAt.toISOString(),
  ]);
}

export const FUND_USE_CSV_COLUMNS = [
  'year',
  'fund_code',
  'fund_name_zh',
  'fund_name_en',
  'kind',
  'opening',
  'money_in',
  'available',
  'paid_out',
  'use_rate_pct',
  'opening_minor',
  'money_in_minor',
  'available_minor',
  'paid_out_minor',
  'currency',
] as const;

export interface FundUseCsvRow extends FundUse {
  year: number;
  code: string;
  nameZh: string;
  nameEn: string;
  kind: string;
  currency: string;
}

export function fundUseCsvHeader(): string {
  return UTF8_BOM + csvLine(FUND_USE_CSV_COLUMNS);
}

export function fundUseCsvRow(r: FundUseCsvRow): string {
  const money = (n: number) => toDecimalString(n, r.currency);
  return csvLine([
    String(r.year),
    r.code,
    r.nameZh,
    r.nameEn,
    r.kind,
    money(r.openingMinor),
    money(r.moneyInMinor),
    money(r.availableMinor),
    money(r.paidOutMinor),
    ratePercentText(r.useRate),
    String(r.openingMinor),
    String(r.moneyInMinor),
    String(r.availableMinor),
    String(r.paidOutMinor),
    r.currency,
  ]);
}
