/**
 * The amounts a card dispute moves (see docs/donations.md, "Disputes"). Pure, integers in minor
 * units. A fund never goes below zero for a dispute: what it no longer holds (granted out before
 * the dispute) is not held, and on a loss it is advanced from `disputes:uncovered`.
 */

/** What an opening dispute holds: the disputed amount, as far as the fund still has it. */
export function holdAmount(disputedMinor: number, fundAvailableMinor: number): number {
  return Math.max(0, Math.min(disputedMinor, fundAvailableMinor));
}

/** A cost (the dispute fee) paid from the fund while it can, the rest advanced. */
export function splitFromFund(
  costMinor: number,
  fundAvailableMinor: number,
): { fromFundMinor: number; advancedMinor: number } {
  const fromFundMinor = Math.max(0, Math.min(costMinor, fundAvailableMinor));
  return { fromFundMinor, advancedMinor: costMinor - fromFundMinor };
}

/**
 * Before a lost dispute is booked as a refund: what the fund lacks for the loss plus the match
 * still with the gift (the most a give-back can take) is advanced into it.
 */
export function lossAdvance(input: {
  lostMinor: number;
  matchedMinor: number;
  fundBeforeMinor: number;
}): number {
  return Math.max(0, input.lostMinor + input.matchedMinor - input.fundBeforeMinor);
}

/** After it: the part of the advance the match give-back did not need, returned. */
export function unusedAdvance(input: {
  advanceMinor: number;
  lostMinor: number;
  matchBackMinor: number;
  fundBeforeMinor: number;
}): number {
  const needed = Math.max(0, input.lostMinor + input.matchBackMinor - input.fundBeforeMinor);
  return Math.max(0, input.advanceMinor - needed);
}
