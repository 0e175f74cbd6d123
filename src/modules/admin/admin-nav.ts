/**
 * The back office's navigation by role. Pure: no Nest, no TypeORM.
 *
 * ADMIN: dashboard, funds, allocations, releases, campaigns, gifts, users, audit, my tokens; FINANCE:
 * dashboard, funds, allocations, releases, campaigns, gifts, payment dead letters, my tokens; GRANTS_OFFICER: dashboard, funds,
 * campaigns; REVIEWER: dashboard, funds; COMMUNITY_LEADER: my funds, campaigns. Expenses: ADMIN, FINANCE,
 * GRANTS_OFFICER and COMMUNITY_LEADER. Someone with several roles sees the union, in this order.
 */
import type { Role } from '../../common/auth/roles';

export interface NavItem {
  href: string;
  /** Locale key of the link text. */
  label: string;
  current: boolean;
}

const ITEMS: { href: string; label: string; roles: readonly Role[]; exact?: boolean }[] = [
  {
    href: '/admin',
    label: 'admin.nav.dashboard',
    roles: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER'],
    exact: true,
  },
  { href: '/admin/my-funds', label: 'admin.nav.myFunds', roles: ['COMMUNITY_LEADER'] },
  {
    href: '/admin/funds',
    label: 'admin.nav.funds',
    roles: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER'],
  },
  { href: '/admin/allocations', label: 'admin.nav.allocations', roles: ['ADMIN', 'FINANCE'] },
  { href: '/admin/releases', label: 'admin.nav.releases', roles: ['ADMIN', 'FINANCE'] },
  {
    href: '/admin/campaigns',
    label: 'admin.nav.campaigns',
    roles: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'],
  },
  { href: '/admin/donations', label: 'admin.nav.donations', roles: ['ADMIN', 'FINANCE'] },
  // --- grants: expenses
  {
    href: '/admin/expenses',
    label: 'admin.nav.expenses',
    roles: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'],
  },
  // --- end grants: expenses
  { href: '/admin/payment-events', label: 'admin.nav.deadLetters', roles: ['FINANCE'] },
  { href: '/admin/users', label: 'admin.nav.users', roles: ['ADMIN'] },
  { href: '/admin/audit', label: 'admin.nav.audit', roles: ['ADMIN'] },
  { href: '/admin/tokens', label: 'admin.nav.tokens', roles: ['ADMIN', 'FINANCE'] },
];

export function adminNav(roles: readonly Role[], path: string): NavItem[] {
  return ITEMS.filter((item) => item.roles.some((r) => roles.includes(r))).map((item) => ({
    href: item.href,
    label: item.label,
    current: item.exact
      ? path === item.href
      : path === item.href || path.startsWith(`${item.href}/`),
  }));
}
