import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/common/auth/roles';
import { TokensService } from '../../src/modules/accounts/tokens.service';
import { UsersService } from '../../src/modules/accounts/users.service';
import type { TestApp } from '../utils/test-app';

export const TEST_PASSWORD = 'correct horse battery';

const roots = new WeakMap<TestApp, Promise<unknown>>();

/**
 * An ACTIVE user with these roles (and, for a leader, these funds in scope) and a bearer token.
 * Created as an admin first (the CLI's path to an active account), then re-roled; a standing
 * root administrator exists first, so re-roling never removes the last ADMIN.
 */
export async function createUser(
  t: TestApp,
  roles: Role[],
  scope: { fundIds?: string[]; communityIds?: string[] } = {},
): Promise<{ id: string; email: string; token: string; auth: { Authorization: string } }> {
  const users = t.get(UsersService);
  if (!roots.has(t)) roots.set(t, users.createAdmin('root@example.org', TEST_PASSWORD, 'Root'));
  await roots.get(t);
  const email = `${roles.join('-').toLowerCase() || 'nobody'}.${randomUUID().slice(0, 8)}@example.org`;
  const admin = await users.createAdmin(email, TEST_PASSWORD, `Test ${roles.join('/')}`);
  if (!(roles.length === 1 && roles[0] === 'ADMIN'))
    await users.update(admin.id, { roles, ...scope });
  const { token } = await t.get(TokensService).create(admin.id, 'test');
  return { id: admin.id, email, token, auth: { Authorization: `Bearer ${token}` } };
}
