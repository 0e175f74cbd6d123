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
        '/admin/campaigns',
        '/admin/donations',
        '/admin/expenses',
        '/admin/users',
        '/admin/audit',
        '/admin/tokens',
      ],
    ],
    [
      ['FINANCE'],
      [
        '/admin',
        '/admin/funds',
        '/admin/allocations',
        '/admin/releases',
        '/admin/campaigns',
        '/admin/donations',
        '/admin/expenses',
        '/admin/payment-events',
        '/admin/tokens',
      ],
    ],
    [['GRANTS_OFFICER'], ['/admin', '/admin/funds', '/admin/campaigns', '/admin/expenses']],
    [['REVIEWER'], ['/admin', '/admin/funds']],
    [['COMMUNITY_LEADER'], ['/admin/my-funds', '/admin/campaigns', '/admin/expenses']],
    [
      ['REVIEWER', 'COMMUNITY_LEADER'],
      ['/admin', '/admin/my-funds', '/admin/funds', '/admin/campaigns', '/admin/expenses'],
    ],
    [[], []],
  ])('%j sees %j', (roles, expected) => expect(hrefs(roles)).toEqual(expected));

  it.each([
    ['/admin', '/admin'],
    ['/admin/funds', '/admin/funds'],
    ['/admin/funds/0b5e8a8e-0000-4000-8000-000000000001', '/admin/funds'],
    ['/admin/users/invite', '/admin/users'],
    ['/admin/fundsx', null],
  ])('on %s the current item is %s', (path, current) => {
    const items = adminNav(['ADMIN'], path).filter((i) => i.current);
    expect(items.map((i) => i.href)).toEqual(current ? [current] : []);
  });
});
