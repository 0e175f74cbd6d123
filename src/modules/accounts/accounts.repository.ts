import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../../database/query-result';
import type { Role } from '../../common/auth/roles';
import type { ApiToken, OneTimePurpose, User, UserStatus } from './accounts.types';

const USER_COLUMNS = `u.id, u.email, u.name, u.status, u.locale, u.failed_logins AS "failedLogins",
  u.locked_until AS "lockedUntil", u.last_login_at AS "lastLoginAt", u.created_at AS "createdAt",
  u.updated_at AS "updatedAt"`;

const TOKEN_COLUMNS = `t.id, t.user_id AS "userId", t.name, t.prefix, t.created_at AS "createdAt",
  t.expires_at AS "expiresAt", t.revoked_at AS "revokedAt", t.last_used_at AS "lastUsedAt"`;

async function returning<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return rowsOf<T>(await manager.query(sql, params));
}

/** The only place that queries users, roles, scopes, sessions and tokens. */
@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // ---- users -------------------------------------------------------------------------------

  async findUser(id: string, manager?: EntityManager): Promise<User | null> {
    const rows: User[] = await this.m(manager).query(
      `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findUserByEmail(
    email: string,
    manager?: EntityManager,
  ): Promise<(User & { passwordHash: string | null }) | null> {
    const rows = await this.m(manager).query(
      `SELECT ${USER_COLUMNS}, u.password_hash AS "passwordHash" FROM users u WHERE u.email = $1`,
      [email],
    );
    return rows[0] ?? null;
  }

  /** Locks the user row: login bookkeeping and admin changes serialise per user. */
  async lockUser(
    manager: EntityManager,
    id: string,
  ): Promise<(User & { passwordHash: string | null }) | null> {
    const rows = await manager.query(
      `SELECT ${USER_COLUMNS}, u.password_hash AS "passwordHash" FROM users u WHERE u.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async listUsers(opts: { afterEmail?: string; limit: number }): Promise<User[]> {
    return this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM users u WHERE ($1::text IS NULL OR u.email > $1) ORDER BY u.email LIMIT $2`,
      [opts.afterEmail ?? null, opts.limit],
    );
  }

  async insertUser(
    manager: EntityManager,
    user: {
      email: string;
      name: string;
      status: UserStatus;
      locale: string;
      passwordHash?: string | null;
    },
  ): Promise<User> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO users (email, name, status, locale, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [user.email, user.name, user.status, user.locale, user.passwordHash ?? null],
    );
    return (await this.findUser(rows[0]!.id, manager))!;
  }

  async updateUser(
    manager: EntityManager,
    id: string,
    patch: Partial<{
      name: string;
      status: UserStatus;
      locale: string;
      passwordHash: string;
      failedLogins: number;
      lockedUntil: Date | null;
      lastLoginAt: Date;
    }>,
  ): Promise<void> {
    const columns: Record<string, string> = {
      name: 'name',
      status: 'status',
      locale: 'locale',
      passwordHash: 'password_hash',
      failedLogins: 'failed_logins',
      lockedUntil: 'locked_until',
      lastLoginAt: 'last_login_at',
    };
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const sets = entries.map(([k], i) => `${columns[k]} = $${i + 2}`);
    await manager.query(`UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
      id,
      ...entries.map(([, v]) => v),
    ]);
  }

  async countOtherActiveAdmins(manager: EntityManager, userId: string): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM user_roles r JOIN users u ON u.id = r.user_id
       WHERE r.role = 'ADMIN' AND u.status = 'ACTIVE' AND u.id <> $1`,
      [userId],
    );
    return rows[0]?.n ?? 0;
  }

  async roles(userId: string, manager?: EntityManager): Promise<Role[]> {
    const rows: { role: Role }[] = await this.m(manager).query(
      `SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role`,
      [userId],
    );
    return rows.map((r) => r.role);
  }

  async setRoles(manager: EntityManager, userId: string, roles: readonly Role[]): Promise<void> {
    await manager.query(`DELETE FROM user_roles WHERE user_id = $1`, [userId]);
    if (roles.length > 0) {
      await manager.query(`INSERT INTO user_roles (user_id, role) SELECT $1, unnest($2::text[])`, [
        userId,
        roles,
      ]);
    }
  }

  async scopes(
    userId: string,
    manager?: EntityManager,
  ): Promise<{ communityIds: string[]; fundIds: string[] }> {
    const rows: { communityId: string | null; fundId: string | null }[] = await this.m(
      manager,
    ).query(
      `SELECT community_id AS "communityId", fund_id AS "fundId" FROM user_scopes WHERE user_id = $1`,
      [userId],
    );
    return {
      communityIds: rows.flatMap((r) => (r.communityId ? [r.communityId] : [])),
      fundIds: rows.flatMap((r) => (r.fundId ? [r.fundId] : [])),
    };
  }

  async setScopes(
    manager: EntityManager,
    userId: string,
    scopes: { communityIds: readonly string[]; fundIds: readonly string[] },
  ): Promise<void> {
    await manager.query(`DELETE FROM user_scopes WHERE user_id = $1`, [userId]);
    await manager.query(
      `INSERT INTO user_scopes (user_id, community_id) SELECT $1, unnest($2::uuid[])`,
      [userId, scopes.communityIds],
    );
    await manager.query(
      `INSERT INTO user_scopes (user_id, fund_id) SELECT $1, unnest($2::uuid[])`,
      [userId, scopes.fundIds],
    );
  }

  // ---- sessions ----------------------------------------------------------------------------

  async insertSession(
    manager: EntityManager,
    session: {
      id: string;
      userId?: string;
      donorEmail?: string;
      ip?: string;
      userAgent?: string;
      expiresAt: Date;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO sessions (id, user_id, donor_email, ip, user_agent, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        session.id,
        session.userId ?? null,
        session.donorEmail ?? null,
        session.ip ?? null,
        session.userAgent?.slice(0, 300) ?? null,
        session.expiresAt,
      ],
    );
  }

  /**
   * A live session, its idle expiry slid forward (written at most once a minute, to spare
   * writes) but never past the absolute limit counted from creation.
   */
  async touchSession(
    id: string,
    idleSeconds: number,
    absoluteSeconds: number,
  ): Promise<{ userId: string | null; donorEmail: string | null } | null> {
    const rows: { userId: string | null; donorEmail: string | null; stale: boolean }[] =
      await this.dataSource.query(
        `SELECT user_id AS "userId", donor_email AS "donorEmail", last_seen_at < now() - interval '1 minute' AS stale
         FROM sessions WHERE id = $1 AND expires_at > now()`,
        [id],
      );
    const session = rows[0];
    if (!session) return null;
    if (session.stale) {
      await this.dataSource.query(
        `UPDATE sessions SET last_seen_at = now(),
           expires_at = LEAST(now() + make_interval(secs => $2), created_at + make_interval(secs => $3))
         WHERE id = $1`,
        [id, idleSeconds, absoluteSeconds],
      );
    }
    return { userId: session.userId, donorEmail: session.donorEmail };
  }

  async deleteSession(id: string, manager?: EntityManager): Promise<void> {
    await this.m(manager).query(`DELETE FROM sessions WHERE id = $1`, [id]);
  }

  async deleteUserSessions(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`DELETE FROM sessions WHERE user_id = $1`, [userId]);
  }

  async deleteExpiredSessions(): Promise<number> {
    const rows = await returning(
      this.dataSource.manager,
      `DELETE FROM sessions WHERE expires_at < now() RETURNING 1`,
      [],
    );
    return rows.length;
  }

  /** One-time links (used or not) a day after they expired: nothing can use them any more. */
  async deleteExpiredOneTimeTokens(): Promise<number> {
    const rows = await returning(
      this.dataSource.manager,
      `DELETE FROM one_time_tokens WHERE expires_at < now() - interval '1 day' RETURNING 1`,
      [],
    );
    return rows.length;
  }

  // ---- personal access tokens --------------------------------------------------------------

  async insertToken(
    manager: EntityManager,
    token: { userId: string; name: string; tokenHash: string; prefix: string; expiresAt: Date },
  ): Promise<ApiToken> {
    const rows: ApiToken[] = await manager.query(
      `INSERT INTO api_tokens (user_id, name, token_hash, prefix, expires_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, user_id AS "userId", name, prefix, created_at AS "createdAt", expires_at AS "expiresAt",
                 revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`,
      [token.userId, token.name, token.tokenHash, token.prefix, token.expiresAt],
    );
    return rows[0]!;
  }

  /**
   * A usable token (not revoked, not expired), its last use recorded: written at most once a
   * minute, so a script's burst of calls does not write a row per call.
   */
  async useToken(tokenHash: string): Promise<ApiToken | null> {
    const rows = await returning<ApiToken>(
      this.dataSource.manager,
      `WITH touched AS (
         UPDATE api_tokens SET last_used_at = now()
         WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
           AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
       )
       SELECT ${TOKEN_COLUMNS} FROM api_tokens t
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  listTokens(userId: string): Promise<ApiToken[]> {
    return this.dataSource.query(
      `SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.created_at DESC`,
      [userId],
    );
  }

  async revokeToken(
    manager: EntityManager,
    userId: string,
    tokenId: string,
  ): Promise<ApiToken | null> {
    const rows = await returning<ApiToken>(
      manager,
      `UPDATE api_tokens t SET revoked_at = coalesce(revoked_at, now()) WHERE t.id = $1 AND t.user_id = $2
       RETURNING ${TOKEN_COLUMNS}`,
      [tokenId, userId],
    );
    return rows[0] ?? null;
  }

  async revokeUserTokens(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(
      `UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
  }

  // ---- one-time tokens (invites, resets, donor links) ----------------------------------------

  async insertOneTimeToken(
    manager: EntityManager,
    token: {
      purpose: OneTimePurpose;
      tokenHash: string;
      userId?: string;
      email: string;
      expiresAt: Date;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO one_time_tokens (purpose, token_hash, user_id, email, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [token.purpose, token.tokenHash, token.userId ?? null, token.email, token.expiresAt],
    );
  }

  /** Marks a token used, once: a reused or expired token returns null. */
  async consumeOneTimeToken(
    manager: EntityManager,
    purpose: OneTimePurpose,
    tokenHash: string,
  ): Promise<{ userId: string | null; email: string } | null> {
    const rows = await returning<{ userId: string | null; email: string }>(
      manager,
      `UPDATE one_time_tokens SET used_at = now()
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
       RETURNING user_id AS "userId", email`,
      [tokenHash, purpose],
    );
    return rows[0] ?? null;
  }

  /** Earlier unused links of the same purpose stop working when a new one is sent. */
  async expireOneTimeTokens(
    manager: EntityManager,
    purpose: OneTimePurpose,
    email: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE one_time_tokens SET used_at = now() WHERE purpose = $1 AND email = $2 AND used_at IS NULL`,
      [purpose, email],
    );
  }
}
