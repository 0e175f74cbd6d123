/**
 * Matching arithmetic (99 Giving Day style). Pure: no Nest, no database. Amounts in minor units.
 *
 * Remainder rule: a ratio match rounds down to the minor unit (floor), so the pool never pays a
 * fraction more than the ratio says; a random match is a whole number of minor units drawn
 * uniformly from [min, max].
 */
export interface MatchRule {
  mode: 'RATIO' | 'RANDOM';
  /** Basis points: 10000 = 1:1, 5000 = 1:0.5. */
  ratioBp: number | null;
  randomMinMinor: number | null;
  randomMaxMinor: number | null;
  minGiftMinor: number;
  capPerGiftMinor: number | null;
  capPerDonorDayMinor: number | null;
  totalCapMinor: number | null;
  matchedMinor: number;
  startsAt: Date | null;
  endsAt: Date | null;
  active: boolean;
  /** Match the donor's fee cover too (default: the sponsor matches the gift, not the cover). */
  matchFeeCover?: boolean;
}

export type NoMatchReason =
  | 'NO_RULE'
  | 'INACTIVE'
  | 'OUTSIDE_WINDOW'
  | 'BELOW_MINIMUM'
  | 'DONOR_CAP'
  | 'TOTAL_CAP'
  | 'POOL_EMPTY'
  | 'VELOCITY'
  /** The rule moved to another pool while the gift was being settled. */
  | 'RULE_CHANGED';

/**
 * The part of a paid amount a rule matches: the gift without the fee cover the donor added for
 * the processor, unless the rule matches the cover too. Minimum and ratio apply to this part.
 */
export function matchableMinor(
  rule: Pick<MatchRule, 'matchFeeCover'>,
  gift: { amountMinor: number; feeCoverMinor?: number },
): number {
  return rule.matchFeeCover ? gift.amountMinor : gift.amountMinor - (gift.feeCoverMinor ?? 0);
}

/** What the rule offers for this gift before the donor, total and pool limits. */
export function offeredMatch(
  rule: MatchRule,
  giftMinor: number,
  at: Date,
  random: () => number,
): { amountMinor: number; reason?: NoMatchReason } {
  if (!rule.active) return { amountMinor: 0, reason: 'INACTIVE' };
  if ((rule.startsAt && at < rule.startsAt) || (rule.endsAt && at >= rule.endsAt)) {
    return { amountMinor: 0, reason: 'OUTSIDE_WINDOW' };
  }
  if (giftMinor < rule.minGiftMinor) return { amountMinor: 0, reason: 'BELOW_MINIMUM' };
  let amount: number;
  if (rule.mode === 'RATIO') {
    // BigInt: gift × basis points can pass 2^53 for large gifts.
    amount = Number((BigInt(giftMinor) * BigInt(rule.ratioBp ?? 0)) / 10_000n);
  } else {
    const min = rule.randomMinMinor ?? 0;
    const max = rule.randomMaxMinor ?? min;
    amount = min + Math.floor(random() * (max - min + 1));
  }
  if (rule.capPerGiftMinor !== null) amount = Math.min(amount, rule.capPerGiftMinor);
  return { amountMinor: Math.max(0, amount) };
}

/** The offer, cut to what the donor's daily cap, the rule's total cap and the pool still allow. */
export function allowedMatch(
  offered: number,
  limits: { rule: MatchRule; donorMatchedTodayMinor: number; poolBalanceMinor: number },
): { amountMinor: number; reason?: NoMatchReason } {
  const { rule } = limits;
  let amount = offered;
  let reason: NoMatchReason | undefined;
  const cut = (allowance: number, why: NoMatchReason) => {
    if (allowance < amount) {
      amount = Math.max(0, allowance);
      reason = why;
    }
  };
  if (rule.capPerDonorDayMinor !== null)
    cut(rule.capPerDonorDayMinor - limits.donorMatchedTodayMinor, 'DONOR_CAP');
  if (rule.totalCapMinor !== null) cut(rule.totalCapMinor - rule.matchedMinor, 'TOTAL_CAP');
  cut(limits.poolBalanceMinor, 'POOL_EMPTY');
  return amount > 0 ? { amountMinor: amount } : { amountMinor: 0, reason };
}

/**
 * The share of a match to give back when a gift is refunded: proportional to the refunded share,
 * rounded down, computed on cumulative totals so partial refunds add up exactly to the full match.
 */
export function matchToReverse(
  matchedMinor: number,
  giftMinor: number,
  refundedBefore: number,
  refundedAfter: number,
): number {
  const at = (refunded: number) =>
    Number((BigInt(matchedMinor) * BigInt(refunded)) / BigInt(giftMinor));
  return at(refundedAfter) - at(refundedBefore);
}
