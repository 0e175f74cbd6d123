/** Staff and community roles (DESIGN.md section 1). Donors are not users: they sign in by magic link. */
export const ROLES = [
  'ADMIN',
  'FINANCE',
  'GRANTS_OFFICER',
  'REVIEWER',
  'COMMUNITY_LEADER',
  'PLANNER',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may see donors' personal data (email, address). */
export const DONOR_DATA_ROLES: readonly Role[] = ['FINANCE', 'ADMIN'];

/**
 * Who records offline gifts (bank transfers, cash), by API and in the back office alike: finance
 * books them, and an administrator may stand in.
 */
export const OFFLINE_GIFT_ROLES: readonly Role[] = ['ADMIN', 'FINANCE'];

export const STAFF_ROLES: readonly Role[] = ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER'];
