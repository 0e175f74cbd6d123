/**
 * Which money may move between which funds, and how. Pure: no Nest, no TypeORM.
 *
 * Money given to a restricted fund (COMMUNITY, PROGRAM) leaves it only for that fund's purpose
 * (its grants, expenses, refunds of its gifts: not movements between funds) or through a release:
 * requested by one person with a reason and approved by a second person of the other role (ADMIN
 * and FINANCE). A matching pool's money leaves only through matches (and refunds that give a match
 * back); it comes in from its sponsor (an inflow from outside, not a movement between funds) or
 * from the general fund when the foundation itself tops the pool up.
 *
 * | from \ to  | GENERAL  | COMMUNITY  | PROGRAM    | MATCHING   |
 * |------------|----------|------------|------------|------------|
 * | GENERAL    | —        | allocation | allocation | allocation |
 * | COMMUNITY  | release  | release    | release    | never      |
 * | PROGRAM    | release  | release    | release    | never      |
 * | MATCHING   | never    | never      | never      | never      |
 *
 * (There is one GENERAL fund, and no fund moves money to itself.)
 */
import { words, type Words } from '../../common/i18n/i18n';
import type { FundKind } from '../funds/fund-status';

/** How money may move from one kind of fund to another. */
export type MovementWay = 'ALLOCATION' | 'RELEASE' | 'NEVER';

export const MOVEMENT_RULES: Readonly<Record<FundKind, Readonly<Record<FundKind, MovementWay>>>> = {
  GENERAL: {
    GENERAL: 'ALLOCATION',
    COMMUNITY: 'ALLOCATION',
    PROGRAM: 'ALLOCATION',
    MATCHING: 'ALLOCATION',
  },
  COMMUNITY: { GENERAL: 'RELEASE', COMMUNITY: 'RELEASE', PROGRAM: 'RELEASE', MATCHING: 'NEVER' },
  PROGRAM: { GENERAL: 'RELEASE', COMMUNITY: 'RELEASE', PROGRAM: 'RELEASE', MATCHING: 'NEVER' },
  MATCHING: { GENERAL: 'NEVER', COMMUNITY: 'NEVER', PROGRAM: 'NEVER', MATCHING: 'NEVER' },
};

export type MovementRefusal = 'RELEASE_REQUIRED' | 'RELEASE_NOT_NEEDED' | 'MOVEMENT_NOT_ALLOWED';

export type MovementVerdict =
  { allowed: true } | { allowed: false; code: MovementRefusal; words: Words };

interface FundRef {
  kind: FundKind;
  code: string;
}

/** Whether money may move from `from` to `to` the way asked (an allocation or a release). */
export function checkMovement(
  from: FundRef,
  to: FundRef,
  way: 'ALLOCATION' | 'RELEASE',
): MovementVerdict {
  const rule = MOVEMENT_RULES[from.kind][to.kind];
  if (rule === way) return { allowed: true };
  const funds = {
    from: from.code,
    fromKind: words(`errors.allocations.kind.${from.kind}`),
    to: to.code,
    toKind: words(`errors.allocations.kind.${to.kind}`),
  };
  if (rule === 'RELEASE') {
    return {
      allowed: false,
      code: 'RELEASE_REQUIRED',
      words: words('errors.allocations.releaseRequired', funds),
    };
  }
  if (rule === 'ALLOCATION') {
    return {
      allowed: false,
      code: 'RELEASE_NOT_NEEDED',
      words: words('errors.allocations.releaseNotNeeded', funds),
    };
  }
  return {
    allowed: false,
    code: 'MOVEMENT_NOT_ALLOWED',
    words: words(
      from.kind === 'MATCHING'
        ? 'errors.allocations.poolOnlyMatches'
        : 'errors.allocations.poolPaidInBySponsor',
      funds,
    ),
  };
}
