import {
  canMoveMoney,
  FUND_STATUSES,
  nextFundStatus,
  type FundAction,
  type FundStatus,
} from './fund-status';

describe('fund lifecycle', () => {
  const table: [FundStatus, FundAction, FundStatus | null][] = [
    ['PREPARING', 'activate', 'ACTIVE'],
    ['PREPARING', 'close', 'CLOSED'],
    ['ACTIVE', 'activate', null],
    ['ACTIVE', 'close', 'CLOSED'],
    ['CLOSED', 'activate', null],
    ['CLOSED', 'close', null],
  ];
  it.each(table)('%s --%s--> %s', (from, action, to) => {
    expect(nextFundStatus(from, action)).toBe(to);
  });

  it('lets money move in every status but CLOSED', () => {
    expect(FUND_STATUSES.filter(canMoveMoney)).toEqual(['PREPARING', 'ACTIVE']);
  });
});
