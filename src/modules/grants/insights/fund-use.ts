/**
 * Fund use rate (资金使用率), per fund and calendar year in Beijing time. Pure: no Nest, no TypeORM.
 *
 *   paid out   = −Σ postings to the fund's account in the year on entries of kind GRANT_AWARD,
 *                GRANT_TRANCHE or EXPENSE (a reversal of such a payout, posted back, lowers it);
 *   opening    = the fund's balance at the start of the year (Σ all its postings before 1 January
 *                00:00 Beijing time);
 *   money in   = Σ positive postings to the fund's account in the year on entries of any other
 *                kind (gifts, allocations and releases into the fund, matching);
 *   available  = opening + money in;
 *   use rate   = paid out ÷ available, or null when nothing was available.
 *
 * Money the fund moved elsewhere (an allocation out, a release) is not "paid out": it is used by
 * the fund it went to.
 */

export const PAYOUT_KINDS = ['GRANT_AWARD', 'GRANT_TRANCHE', 'EXPENSE'] as const;

export interface FundYearFlows {
  openingMinor: number;
  moneyInMinor: number;
  paidOutMinor: number;
}

export interface FundUse extends FundYearFlows {
  availableMinor: number;
  /** 0–1 (may exceed 1 only if the ledger paid out more than was available, which it refuses). */
  useRate: number | null;
}

export function fundUse(flows: FundYearFlows): FundUse {
  const availableMinor = flows.openingMinor + flows.moneyInMinor;
  return {
    ...flows,
    availableMinor,
    useRate: availableMinor > 0 ? flows.paidOutMinor / availableMinor : null,
  };
}

/** A rate as a percentage with one decimal, for CSV ("80.1"); empty when there is none. */
export function ratePercentText(rate: number | null): string {
  return rate === null ? '' : (Math.round(rate * 1000) / 10).toFixed(1);
}
