/**
 * A fund's month-by-month money: what came in, what went out, and the balance at each month's
 * end. Pure: no Nest, no TypeORM.
 */

export interface MonthlyFlow {
  /** `YYYY-MM` */
  month: string;
  /** Sum of the month's positive postings (money in). */
  inflowMinor: number;
  /** Sum of the month's negative postings, as a positive number (money out). */
  outflowMinor: number;
}

export interface MonthlyPoint extends MonthlyFlow {
  /** The balance when the month ended (for the current month: now). */
  balanceMinor: number;
}

/**
 * Lays the ledger's monthly sums onto every month of the window (months without postings get
 * zeros) and walks back from the closing balance: the balance at the end of a month is the
 * balance at the end of the next one minus what that next month added.
 */
export function buildMonthlySeries(
  months: readonly string[],
  flows: readonly MonthlyFlow[],
  closingBalanceMinor: number,
): MonthlyPoint[] {
  const byMonth = new Map(flows.map((f) => [f.month, f]));
  const points: MonthlyPoint[] = new Array<MonthlyPoint>(months.length);
  let balance = closingBalanceMinor;
  for (let i = months.length - 1; i >= 0; i--) {
    const month = months[i]!;
    const flow = byMonth.get(month);
    const inflowMinor = flow?.inflowMinor ?? 0;
    const outflowMinor = flow?.outflowMinor ?? 0;
    points[i] = { month, inflowMinor, outflowMinor, balanceMinor: balance };
    balance -= inflowMinor - outflowMinor;
  }
  return points;
}
