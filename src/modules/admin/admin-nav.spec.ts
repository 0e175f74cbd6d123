import type { Role } from '../../common/auth/roles';
import { adminNav } from './admin-nav';

const hrefs = (roles: Role[], path = '/admin') => adminNav(roles, path).map((i) => i.href);

describe('adminNav', () => {
  it.each<[Role[], string[]]>([
    [
      ['ADMIN'],
      [
        '/admin',
        '/admin/funds',
        '/admin/allocations',
        '/admin/releases',
        '/admin/expenses',
        '/admin/campaigns',
        '/admin/donations',
        '/admin/privacy/requests',
        '/admin/grants',
        '/admin/grants/rounds',
        '/admin/grants/awards',
        '/admin/grants/evaluations',
        '/admin/foundation',
        '/admin/receipts/settings',
        '/admin/privacy',
        '/admin/users',
        '/admin/audit',
        '/admin/tokens',
        '/admin/privacy/retention',
      ],
    ],
    [
      ['FINANCE'],
      [
        '/admin',
        '/admin/funds',
        '/admin/allocations',
        '/admin/releases',
        '/admin/expenses',
        '/admin/campaigns',
        '/admin/donations',
        '/admin/privacy/requests',
        '/admin/payment-events',
        '/admin/grants',
        '/admin/grants/awards',
        '/admin/tokens',
        '/admin/privacy/retention',
      ],
    ],
    [
      ['GRANTS_OFFICER'],
      [
        '/admin',
        '/admin/funds',
        '/admin/expenses',
        '/admin/campaigns',
        '/admin/grants',
        '/admin/grants/rounds',
        '/admin/grants/awards',
        '/admin/grants/evaluations',
      ],
    ],
    [['REVIEWER'], ['/admin', '/admin/funds', '/admin/grants/reviews']],
    [
      ['COMMUNITY_LEADER'],
      ['/admin/my-funds', '/admin/expenses', '/admin/campaigns', '/admin/grants/my-applications'],
    ],
    [['PLANNER'], ['/admin/grants/my-applications']],
    [
      ['REVIEWER', 'COMMUNITY_LEADER'],
      [
        '/admin',
        '/admin/my-funds',
        '/admin/funds',
        '/admin/expenses',
        '/admin/campaigns',
        '/admin/grants/reviews',
        '/admin/grants/my-applications',
      ],
    ],
    [[], []],
  ])('%j sees %j', (roles, expected) => expect(hrefs(roles)).toEqual(expected));

  it.each([
    ['/admin', '/admin'],
    ['/admin/funds', '/admin/funds'],
    ['/admin/funds/0b5e8a8e-0000-4000-8000-000000000001', '/admin/funds'],
    ['/admin/users/invite', '/admin/users'],
    ['/admin/grants/evaluations/new', '/admin/grants/evaluations'],
    ['/admin/grants', '/admin/grants'],
    ['/admin/fundsx', null],
  ])('on %s the current item is %s', (path, current) => {
    const items = adminNav(['ADMIN'], path).filter((i) => i.current);
    expect(items.map((i) => i.href)).toEqual(current ? [current] : []);
  });
});
