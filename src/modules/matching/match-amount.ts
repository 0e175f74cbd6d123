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

/** Why a gift is not matched, as a clause for messages ("…: the pool has no money left"). */
export const NO_MATCH_WHY: Record<NoMatchReason, string> = {
  NO_RULE: 'the campaign has no matching rule',
  INACTIVE: 'the matching rule is paused or ended',
  OUTSIDE_WINDOW: "the gift was made outside the matching rule's dates",
  BELOW_MINIMUM: "the gift is below the matching rule's minimum",
  DONOR_CAP: "the donor's daily matching cap is reached",
  TOTAL_CAP: "the matching rule's total cap is reached",
  POOL_EMPTY: "the sponsor's matching pool has no money left",
  VELOCITY: 'too many paid gifts came from this donor or payment method within a minute',
  RULE_CHANGED: 'the matching rule moved to another pool',
};
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
 * What to give back of a match when a gift's refunds reach `refundedTotal` (cumulative): the
 * refunded share of the ORIGINAL match, rounded down, less what earlier refunds gave back. Computed
 * from the totals, never from the previous step, so any sequence of partial refunds ends exactly at
 * floor(match × refunded / gift), whatever the split; a total that is not higher gives back nothing.
 */
export function matchToReverse(
  originalMatchMinor: number,
  giftMinor: number,
  returnedBeforeMinor: number,
  refundedTotal: number,
): number {
  const refunded = Math.min(Math.max(refundedTotal, 0), giftMinor);
  const due = Number((BigInt(originalMatchMinor) * BigInt(refunded)) / BigInt(giftMinor));
  return Math.max(0, due - returnedBeforeMinor);
}
