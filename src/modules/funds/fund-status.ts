/**
 * Fund kinds and the lifecycle PREPARING → ACTIVE → CLOSED, as a transition table. Pure: no Nest,
 * no TypeORM.
 */
export const FUND_KINDS = ['GENERAL', 'COMMUNITY', 'MATCHING', 'PROGRAM'] as const;
export type FundKind = (typeof FUND_KINDS)[number];

export const FUND_STATUSES = ['PREPARING', 'ACTIVE', 'CLOSED'] as const;
export type FundStatus = (typeof FUND_STATUSES)[number];

export type FundAction = 'activate' | 'close';

const TRANSITIONS: Record<FundStatus, Partial<Record<FundAction, FundStatus>>> = {
  PREPARING: { activate: 'ACTIVE', close: 'CLOSED' },
  ACTIVE: { close: 'CLOSED' },
  CLOSED: {},
};

export function nextFundStatus(current: FundStatus, action: FundAction): FundStatus | null {
  return TRANSITIONS[current][action] ?? null;
}

/** Whether money may move into or out of a fund in this status: a closed fund takes no money. */
export function canMoveMoney(status: FundStatus): boolean {
  return status !== 'CLOSED';
}
