import type { Role } from '../../../common/auth/roles';
import { col, defineTable } from '../../../database/table-map';
import type { OneTimePurpose, User, UserStatus } from '../accounts.types';

/** The accounts module's tables, mapped once: SELECT lists, typed rows, columns for patches. */
export const USERS = defineTable('users', {
  id: col.uuid('id'),
  email: col.text('email'),
  name: col.text('name'),
  status: col.text<UserStatus>('status'),
  locale: col.text<User['locale']>('locale'),
  failedLogins: col.int('failed_logins'),
  lockedUntil: col.timestamptz.nullable('locked_until'),
  lastLoginAt: col.timestamptz.nullable('last_login_at'),
  createdAt: col.timestamptz('created_at'),
  updatedAt: col.timestamptz('updated_at'),
  passwordHash: col.text.nullable('password_hash'),
});

/** A user as the services see one: everything but the password hash. */
export const USER_FIELDS = [
  'id',
  'email',
  'name',
  'status',
  'locale',
  'failedLogins',
  'lockedUntil',
  'lastLoginAt',
  'createdAt',
  'updatedAt',
] as const;

export const USER_ROLES = defineTable('user_roles', {
  userId: col.uuid('user_id'),
  role: col.text<Role>('role'),
});

export const USER_SCOPES = defineTable('user_scopes', {
  id: col.uuid('id'),
  userId: col.uuid('user_id'),
  communityId: col.uuid.nullable('community_id'),
  fundId: col.uuid.nullable('fund_id'),
});

export const SESSIONS = defineTable('sessions', {
  id: col.text('id'),
  userId: col.uuid.nullable('user_id'),
  donorEmail: col.text.nullable('donor_email'),
  ip: col.text.nullable('ip'),
  userAgent: col.text.nullable('user_agent'),
  createdAt: col.timestamptz('created_at'),
  lastSeenAt: col.timestamptz('last_seen_at'),
  expiresAt: col.timestamptz('expires_at'),
});

export const API_TOKENS = defineTable('api_tokens', {
  id: col.uuid('id'),
  userId: col.uuid('user_id'),
  name: col.text('name'),
  tokenHash: col.text('token_hash'),
  prefix: col.text('prefix'),
  createdAt: col.timestamptz('created_at'),
  expiresAt: col.timestamptz('expires_at'),
  revokedAt: col.timestamptz.nullable('revoked_at'),
  lastUsedAt: col.timestamptz.nullable('last_used_at'),
});

/** A token as the services see one: everything but its hash. */
export const API_TOKEN_FIELDS = [
  'id',
  'userId',
  'name',
  'prefix',
  'createdAt',
  'expiresAt',
  'revokedAt',
  'lastUsedAt',
] as const;

export const ONE_TIME_TOKENS = defineTable('one_time_tokens', {
  id: col.uuid('id'),
  purpose: col.text<OneTimePurpose>('purpose'),
  tokenHash: col.text('token_hash'),
  userId: col.uuid.nullable('user_id'),
  email: col.text('email'),
  createdAt: col.timestamptz('created_at'),
  expiresAt: col.timestamptz('expires_at'),
  usedAt: col.timestamptz.nullable('used_at'),
});

/** `alias.column AS "field"` for the given fields of a map only. */
export function selectFields(
  map: { spec: Record<string, { name: string }> },
  fields: readonly string[],
  alias: string,
): string {
  return fields.map((f) => `${alias}.${map.spec[f]!.name} AS "${f}"`).join(', ');
}
