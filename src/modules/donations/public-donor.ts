/**
 * What the public may see of a gift's donor: the one rule, in one place. Pure: no Nest, no
 * TypeORM.
 *
 * A donor is named in public (the campaign page's recent gifts, a fund's public ledger and its
 * CSV) only when the gift came through an online checkout (provider ≠ OFFLINE: the donor typed
 * their own name, knowing it may be shown) and the donor did not ask for anonymity. The gift's
 * message and dedication follow the same rule (an anonymous donor's words could name them;
 * offline gifts' text is typed by staff, e.g. bank memos). A donor's email is never public.
 *
 * The SQL form below is built from the same two facts, so a query and the TypeScript agree; a
 * unit test checks both on every combination.
 */

export interface DonorFacts {
  provider: string;
  anonymous: boolean;
}

/** The provider whose gifts are typed in by staff (bank transfers, cash). */
export const OFFLINE_PROVIDER = 'OFFLINE';

export function isDonorPublic(gift: DonorFacts): boolean {
  return gift.provider !== OFFLINE_PROVIDER && !gift.anonymous;
}

/**
 * The rule as a SQL boolean over a `donations` row aliased `alias` (e.g. `d`): true exactly when
 * `isDonorPublic` is true for that row.
 */
export function donorPublicSql(alias: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`not a SQL alias: ${alias}`);
  return `(${alias}.provider <> '${OFFLINE_PROVIDER}' AND NOT ${alias}.anonymous)`;
}

/** What of a gift's donor and words may be shown: nothing at all unless the rule allows it. */
export function publicDonor(
  gift: DonorFacts & { donorName: string; message: string; dedication: string },
): {
  name: string | null;
  message: string;
  dedication: string;
} {
  const shown = isDonorPublic(gift);
  return {
    name: shown ? gift.donorName : null,
    message: shown ? gift.message : '',
    dedication: shown ? gift.dedication : '',
  };
}
