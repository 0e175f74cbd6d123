import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/roles';
import { ValidationFailedError } from '../../common/errors';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { type TransactionOptions, TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService } from '../funds/funds.service';
import { OutboxService } from '../notifications/outbox.service';
import {
  EmailTakenError,
  InviteAlreadyAcceptedError,
  LastAdminError,
  UserNotFoundError,
} from './accounts.errors';
import { UsersRepository } from './repositories/users.repository';
import { UserAccessRepository } from './repositories/user-access.repository';
import { SessionsRepository } from './repositories/sessions.repository';
import { ApiTokensRepository } from './repositories/api-tokens.repository';
import { OneTimeLinksRepository } from './repositories/one-time-links.repository';
import type { User, UserWithAccess } from './accounts.types';
import { assertPasswordStrength, AuthService } from './auth.service';
import { hashPassword } from './password';
import { words } from '../../common/i18n/i18n';
import { StaffAlreadyRemovedError, StaffRemoveSelfError } from '../privacy/privacy.errors';

const INVITE_DAYS = 7;

export interface AccessInput {
  roles: Role[];
  communityIds?: string[];
  fundIds?: string[];
}

/** Administration of staff and community-leader accounts. Every change is audited. */
@Injectable()
export class UsersService {
  constructor(
    private readonly tx: TransactionService,
    private readonly users: UsersRepository,
    private readonly access: UserAccessRepository,
    private readonly sessions: SessionsRepository,
    private readonly apiTokens: ApiTokensRepository,
    private readonly links: OneTimeLinksRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly foundation: FoundationService,
    private readonly funds: FundsService,
  ) {}

  async list(query: { limit: number; cursor?: string }) {
    const afterEmail = query.cursor
      ? decodeCursor<{ email: string }>(query.cursor, (c) => typeof c.email === 'string').email
      : undefined;
    const rows = await this.users.listUsers({ afterEmail, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    return {
      items: await Promise.all(page.map((u) => this.withAccess(u))),
      nextCursor: rows.length > query.limit ? encodeCursor({ email: page.at(-1)!.email }) : null,
    };
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<UserWithAccess> {
    const user = await this.users.findUser(id, opts);
    if (!user) throw new UserNotFoundError(id);
    return this.withAccess(user, opts);
  }

  /** The active community leaders of a fund (scoped to it or to its community). */
  leadersOfFund(fundId: string, opts: TransactionOptions = {}) {
    return this.access.leadersOfFund(fundId, opts);
  }

  /** Creates an INVITED account and emails a one-time link to set a password. */
  invite(
    dto: AccessInput & { email: string; name: string; locale?: 'zh-CN' | 'en' },
    inviterName: string,
  ) {
    const email = dto.email.trim().toLowerCase();
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'users:email');
      if (await this.users.findUserByEmail(email, { within: m })) {
        throw new EmailTakenError(email);
      }
      const access = await this.checkAccess(m, dto);
      const user = await this.users.insertUser(m, {
        email,
        name: dto.name,
        status: 'INVITED',
        locale: dto.locale ?? 'zh-CN',
      });
      await this.access.setRoles(m, user.id, access.roles);
      await this.access.setScopes(m, user.id, access);
      await this.sendInvite(m, user, inviterName);
      const after = await this.get(user.id, { within: m });
      await this.audit.record(m, {
        action: 'user.invited',
        entityType: 'user',
        entityId: user.id,
        after: describe(after),
      });
      return after;
    });
  }

  resendInvite(id: string, inviterName: string): Promise<UserWithAccess> {
    return this.tx.run(async (m) => {
      const user = await this.users.lockUser(m, id);
      if (!user) throw new UserNotFoundError(id);
      if (user.status === 'REMOVED') throw new StaffAlreadyRemovedError();
      if (user.status !== 'INVITED') {
        throw new InviteAlreadyAcceptedError(user.email);
      }
      await this.links.expireOneTimeTokens(m, 'INVITE', user.email);
      await this.sendInvite(m, user, inviterName);
      await this.audit.record(m, {
        action: 'user.invite_resent',
        entityType: 'user',
        entityId: id,
      });
      return this.get(id, { within: m });
    });
  }

  /** Changes name, locale, roles and scopes. The last active ADMIN keeps the ADMIN role. */
  update(
    id: string,
    dto: Partial<AccessInput> & { name?: string; locale?: 'zh-CN' | 'en' },
  ): Promise<UserWithAccess> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'users:admins');
      const user = await this.users.lockUser(m, id);
      if (!user) throw new UserNotFoundError(id);
      if (user.status === 'REMOVED') throw new StaffAlreadyRemovedError();
      const before = await this.get(id, { within: m });
      const roles = dto.roles ?? before.roles;
      const access = await this.checkAccess(m, {
        roles,
        communityIds: dto.communityIds ?? before.communityIds,
        fundIds: dto.fundIds ?? before.fundIds,
      });
      if (before.roles.includes('ADMIN') && !roles.includes('ADMIN'))
        await this.assertNotLastAdmin(m, id);
      await this.users.updateUser(m, id, { name: dto.name, locale: dto.locale });
      await this.access.setRoles(m, id, access.roles);
      await this.access.setScopes(m, id, access);
      const after = await this.get(id, { within: m });
      const rolesChanged = JSON.stringify(before.roles) !== JSON.stringify(after.roles);
      await this.audit.record(m, {
        action: rolesChanged ? 'user.roles_changed' : 'user.updated',
        entityType: 'user',
        entityId: id,
        before: describe(before),
        after: describe(after),
      });
      return after;
    });
  }

  /** Ends every session and token of the account; it can no longer sign in. */
  deactivate(id: string): Promise<UserWithAccess> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'users:admins');
      const user = await this.users.lockUser(m, id);
      if (!user) throw new UserNotFoundError(id);
      if (user.status === 'REMOVED') throw new StaffAlreadyRemovedError();
      if ((await this.access.roles(id, { within: m })).includes('ADMIN'))
        await this.assertNotLastAdmin(m, id);
      await this.users.updateUser(m, id, { status: 'DEACTIVATED' });
      await this.sessions.deleteUserSessions(m, id);
      await this.apiTokens.revokeUserTokens(m, id);
      await this.audit.record(m, {
        action: 'user.deactivated',
        entityType: 'user',
        entityId: id,
        before: { status: user.status },
        after: { status: 'DEACTIVATED' },
      });
      return this.get(id, { within: m });
    });
  }

  unlock(id: string): Promise<UserWithAccess> {
    return this.tx.run(async (m) => {
      const user = await this.users.lockUser(m, id);
      if (!user) throw new UserNotFoundError(id);
      if (user.status === 'REMOVED') throw new StaffAlreadyRemovedError();
      await this.users.updateUser(m, id, { failedLogins: 0, lockedUntil: null });
      await this.audit.record(m, {
        action: 'user.unlocked',
        entityType: 'user',
        entityId: id,
        before: { lockedUntil: user.lockedUntil },
        after: { lockedUntil: null },
      });
      return this.get(id, { within: m });
    });
  }

  /**
   * The account about to be removed, locked in the caller's transaction (removal is the privacy
   * module's: StaffRemovalService). Refused: an unknown or already removed account, the remover's
   * own, and the last active administrator.
   */
  async lockForRemoval(m: EntityManager, id: string, actorId: string | null) {
    await this.tx.lock(m, 'users:admins');
    const user = await this.users.lockUser(m, id);
    if (!user) throw new UserNotFoundError(id);
    if (user.status === 'REMOVED') throw new StaffAlreadyRemovedError();
    if (id === actorId) throw new StaffRemoveSelfError();
    const account = await this.get(id, { within: m });
    if (account.roles.includes('ADMIN')) await this.assertNotLastAdmin(m, id);
    return account;
  }

  /**
   * Removes a locked account for good, in the caller's transaction: status REMOVED under its
   * erased number, the email replaced by a placeholder that can never receive mail (so the
   * address may be invited again), no password, no roles or scope, and every session, API token
   * and one-time link deleted. The name stays: the audit log keeps who did what. Returns how many
   * rows of each kind were removed.
   */
  async eraseAccount(
    m: EntityManager,
    user: UserWithAccess,
    erasedNo: number,
  ): Promise<Record<string, number>> {
    const removed = {
      sessions: await this.sessions.deleteUserSessions(m, user.id),
      apiTokens: await this.apiTokens.deleteUserTokens(m, user.id),
      oneTimeLinks: await this.links.deleteUserLinks(m, user.id, user.email),
      roles: user.roles.length,
      scopes: user.communityIds.length + user.fundIds.length,
    };
    await this.access.setRoles(m, user.id, []);
    await this.access.setScopes(m, user.id, { communityIds: [], fundIds: [] });
    await this.users.markRemoved(m, user.id, {
      erasedNo,
      placeholder: removedEmailPlaceholder(erasedNo),
    });
    return removed;
  }

  /** CLI: creates (or resets) an active ADMIN with this password. */
  async createAdmin(emailInput: string, password: string, name?: string): Promise<UserWithAccess> {
    assertPasswordStrength(password);
    const email = emailInput.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new ValidationFailedError(words('errors.accounts.notAnEmail', { email: emailInput }));
    }
    const passwordHash = await hashPassword(password);
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'users:email');
      const existing = await this.users.findUserByEmail(email, { within: m });
      const user =
        existing ??
        (await this.users.insertUser(m, {
          email,
          name: name ?? email.split('@')[0]!,
          status: 'ACTIVE',
          locale: 'zh-CN',
          passwordHash,
        }));
      if (existing) {
        await this.users.updateUser(m, existing.id, {
          passwordHash,
          status: 'ACTIVE',
          failedLogins: 0,
          lockedUntil: null,
        });
      }
      const roles = await this.access.roles(user.id, { within: m });
      if (!roles.includes('ADMIN')) await this.access.setRoles(m, user.id, [...roles, 'ADMIN']);
      const after = await this.get(user.id, { within: m });
      await this.audit.record(m, {
        action: existing ? 'user.admin_reset' : 'user.admin_created',
        entityType: 'user',
        entityId: user.id,
        after: describe(after),
      });
      return after;
    });
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.users.findUserByEmail(email.trim().toLowerCase());
  }

  private async sendInvite(m: EntityManager, user: User, inviterName: string): Promise<void> {
    const token = await this.auth.issueLink(
      m,
      'INVITE',
      user.email,
      INVITE_DAYS * 24 * 60,
      user.id,
    );
    await this.outbox.enqueue(m, {
      template: 'user-invite',
      to: user.email,
      locale: user.locale,
      data: {
        inviteeName: user.name,
        inviterName,
        url: this.auth.link('/invite/accept', token),
        expiresAt: this.auth.minutesFromNow(INVITE_DAYS * 24 * 60),
      },
    });
  }

  /**
   * Scopes only for community leaders (communities or single funds) and planners (communities),
   * and every community and fund must exist.
   */
  private async checkAccess(m: EntityManager, input: AccessInput): Promise<Required<AccessInput>> {
    const roles = [...new Set(input.roles)].sort();
    const leader = roles.includes('COMMUNITY_LEADER');
    const planner = roles.includes('PLANNER');
    const communityIds = [...new Set(input.communityIds ?? [])];
    const fundIds = [...new Set(input.fundIds ?? [])];
    if (!leader && !planner && (communityIds.length > 0 || fundIds.length > 0)) {
      throw new ValidationFailedError(words('errors.accounts.scopeOnlyForLeaders'));
    }
    if (!leader && fundIds.length > 0) {
      throw new ValidationFailedError(words('errors.accounts.fundsOnlyForLeaders'));
    }
    if (leader && communityIds.length === 0 && fundIds.length === 0) {
      throw new ValidationFailedError(words('errors.accounts.leaderNeedsScope'));
    }
    if (planner && communityIds.length === 0) {
      throw new ValidationFailedError(words('errors.accounts.plannerNeedsScope'));
    }
    for (const id of communityIds) await this.foundation.getCommunity(id, { within: m });
    for (const id of fundIds) await this.funds.get(id, { within: m });
    return { roles, communityIds, fundIds };
  }

  private async assertNotLastAdmin(m: EntityManager, userId: string): Promise<void> {
    if ((await this.users.countOtherActiveAdmins(m, userId)) === 0) {
      throw new LastAdminError();
    }
  }

  private async withAccess(user: User, opts: TransactionOptions = {}): Promise<UserWithAccess> {
    const [roles, scopes] = await Promise.all([
      this.access.roles(user.id, opts),
      this.access.scopes(user.id, opts),
    ]);
    return { ...user, roles, ...scopes };
  }
}

/** A removed account's email: unique, and undeliverable (.invalid is reserved, RFC 2606). */
export function removedEmailPlaceholder(erasedNo: number): string {
  return `removed-${erasedNo}@erased.invalid`;
}

function describe(u: UserWithAccess) {
  return {
    email: u.email,
    name: u.name,
    status: u.status,
    roles: u.roles,
    communityIds: u.communityIds,
    fundIds: u.fundIds,
  };
}
