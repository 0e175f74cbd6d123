import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../../../common/auth/roles';
import { rowsOf } from '../../../database/query-result';
import type { TransactionOptions } from '../../../database/transaction.service';
import { USER_ROLES, USER_SCOPES } from './accounts.tables';

/** The only place that queries a user's roles (user_roles) and scope (user_scopes). */
@Injectable()
export class UserAccessRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async roles(userId: string, opts: TransactionOptions = {}): Promise<Role[]> {
    const rows = rowsOf(
      await (opts.within ?? this.dataSource.manager).query(
        `SELECT ${USER_ROLES.select()} FROM user_roles WHERE user_id = $1 ORDER BY role`,
        [userId],
      ),
    );
    return rows.map((r) => USER_ROLES.map(r).role);
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
    opts: TransactionOptions = {},
  ): Promise<{ communityIds: string[]; fundIds: string[] }> {
    const rows = rowsOf(
      await (opts.within ?? this.dataSource.manager).query(
        `SELECT ${USER_SCOPES.select()} FROM user_scopes WHERE user_id = $1`,
        [userId],
      ),
    ).map((r) => USER_SCOPES.map(r));
    return {
      communityIds: rows.flatMap((r) => (r.communityId ? [r.communityId] : [])),
      fundIds: rows.flatMap((r) => (r.fundId ? [r.fundId] : [])),
    };
  }

  /**
   * The active community leaders a fund belongs to: scoped to the fund itself or to its
   * community. Whom a campaign of the fund concerns (its publication is their news).
   */
  async leadersOfFund(
    fundId: string,
    opts: TransactionOptions = {},
  ): Promise<{ id: string; email: string; name: string; locale: string }[]> {
    return (opts.within ?? this.dataSource.manager).query(
      `SELECT u.id, u.email, u.name, u.locale FROM users u
       WHERE u.status = 'ACTIVE'
         AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'COMMUNITY_LEADER')
         AND EXISTS (
           SELECT 1 FROM user_scopes s
           WHERE s.user_id = u.id
             AND (s.fund_id = $1
                  OR s.community_id = (SELECT f.community_id FROM funds f WHERE f.id = $1)))
       ORDER BY u.email LIMIT 50`,
      [fundId],
    );
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
}
