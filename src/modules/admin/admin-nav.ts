/**
 * The back office's navigation by role. Pure: no Nest, no TypeORM.
 *
 * Money in first (funds, allocations, releases, expenses, campaigns, gifts), then money out (the
 * grants dashboard, rounds, awards and tranches, evaluations), then one's own grant work (reviews,
 * applications), then administration. Each item lists the roles that see it; someone with several
 * roles sees the union, in this order.
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
    href: '/admin/expenses',
    label: 'admin.nav.expenses',
    roles: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'],
  },
  {
    href: '/admin/campaigns',
    label: 'admin.nav.campaigns',
    roles: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'],
  },
  { href: '/admin/donations', label: 'admin.nav.donations', roles: ['ADMIN', 'FINANCE'] },
  {
    href: '/admin/privacy/requests',
    label: 'admin.nav.privacyRequests',
    roles: ['ADMIN', 'FINANCE'],
  },
  { href: '/admin/payment-events', label: 'admin.nav.deadLetters', roles: ['FINANCE'] },
  {
    href: '/admin/grants',
    label: 'admin.nav.grants',
    roles: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'],
    exact: true,
  },
  {
    href: '/admin/grants/rounds',
    label: 'admin.nav.grantRounds',
    roles: ['ADMIN', 'GRANTS_OFFICER'],
  },
  {
    href: '/admin/grants/awards',
    label: 'admin.nav.grantsAwards',
    roles: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'],
  },
  {
    href: '/admin/grants/evaluations',
    label: 'admin.nav.evaluations',
    roles: ['ADMIN', 'GRANTS_OFFICER'],
  },
  { href: '/admin/grants/reviews', label: 'admin.nav.myReviews', roles: ['REVIEWER'] },
  {
    href: '/admin/grants/my-applications',
    label: 'admin.nav.myApplications',
    roles: ['PLANNER', 'COMMUNITY_LEADER'],
  },
  { href: '/admin/foundation', label: 'admin.foundation.nav', roles: ['ADMIN'] },
  {
    href: '/admin/receipts/settings',
    label: 'admin.nav.receiptSettings',
    roles: ['ADMIN'],
  },
  { href: '/admin/privacy', label: 'admin.nav.privacy', roles: ['ADMIN'], exact: true },
  { href: '/admin/users', label: 'admin.nav.users', roles: ['ADMIN'] },
  { href: '/admin/audit', label: 'admin.nav.audit', roles: ['ADMIN'] },
  { href: '/admin/tokens', label: 'admin.nav.tokens', roles: ['ADMIN', 'FINANCE'] },
  {
    href: '/admin/privacy/retention',
    label: 'admin.nav.retention',
    roles: ['ADMIN', 'FINANCE'],
  },
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
