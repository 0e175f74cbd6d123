import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../../../database/query-result';
import type { TransactionOptions } from '../../../database/transaction.service';
import type { User, UserStatus } from '../accounts.types';
import { selectFields, USER_FIELDS, USERS } from './accounts.tables';

export type UserWithPassword = User & { passwordHash: string | null };

/** What the services change on a user (updated_at moves with every change). */
export type UserPatch = Partial<{
  name: string;
  status: UserStatus;
  locale: User['locale'];
  passwordHash: string;
  failedLogins: number;
  lockedUntil: Date | null;
  lastLoginAt: Date;
}>;

const USER_COLUMNS = selectFields(USERS, USER_FIELDS, 'u');
const WITH_PASSWORD = USERS.select('u');

function toUser(row: Record<string, unknown>): User {
  return USERS.mapSome(row, USER_FIELDS);
}

/** The only place that queries the users table. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findUser(id: string, opts: TransactionOptions = {}): Promise<User | null> {
    const rows = rowsOf(
      await (opts.within ?? this.dataSource.manager).query(
        `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`,
        [id],
      ),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findUserByEmail(
    email: string,
    opts: TransactionOptions = {},
  ): Promise<UserWithPassword | null> {
    const rows = rowsOf(
      await (opts.within ?? this.dataSource.manager).query(
        `SELECT ${WITH_PASSWORD} FROM users u WHERE u.email = $1`,
        [email],
      ),
    );
    return rows[0] ? USERS.map(rows[0]) : null;
  }

  /** Locks the user row: login bookkeeping and admin changes serialise per user. */
  async lockUser(manager: EntityManager, id: string): Promise<UserWithPassword | null> {
    const rows = rowsOf(
      await manager.query(`SELECT ${WITH_PASSWORD} FROM users u WHERE u.id = $1 FOR UPDATE`, [id]),
    );
    return rows[0] ? USERS.map(rows[0]) : null;
  }

  async listUsers(
    page: { afterEmail?: string; limit: number },
    opts: TransactionOptions = {},
  ): Promise<User[]> {
    const rows = rowsOf(
      await (opts.within ?? this.dataSource.manager).query(
        `SELECT ${USER_COLUMNS} FROM users u WHERE ($1::text IS NULL OR u.email > $1) ORDER BY u.email LIMIT $2`,
        [page.afterEmail ?? null, page.limit],
      ),
    );
    return rows.map(toUser);
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
    const rows = rowsOf<{ id: string }>(
      await manager.query(
        `INSERT INTO users (email, name, status, locale, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [user.email, user.name, user.status, user.locale, user.passwordHash ?? null],
      ),
    );
    return (await this.findUser(rows[0]!.id, { within: manager }))!;
  }

  async updateUser(manager: EntityManager, id: string, patch: UserPatch): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const sets = entries.map(([k], i) => `${USERS.column(k as keyof UserPatch)} = $${i + 2}`);
    await manager.query(`UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
      id,
      ...entries.map(([, v]) => v),
    ]);
  }

  /**
   * A removed account: status REMOVED with its erased number, the email replaced by `placeholder`
   * (the column stays unique and not null), no password, no lockout. The name stays.
   */
  async markRemoved(
    manager: EntityManager,
    id: string,
    removal: { erasedNo: number; placeholder: string },
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET status = 'REMOVED', erased_no = $2, email = $3, password_hash = NULL,
              failed_logins = 0, locked_until = NULL, updated_at = now()
       WHERE id = $1`,
      [id, removal.erasedNo, removal.placeholder],
    );
  }

  async countOtherActiveAdmins(manager: EntityManager, userId: string): Promise<number> {
    const rows = rowsOf<{ n: number }>(
      await manager.query(
        `SELECT count(*)::int AS n FROM user_roles r JOIN users u ON u.id = r.user_id
         WHERE r.role = 'ADMIN' AND u.status = 'ACTIVE' AND u.id <> $1`,
        [userId],
      ),
    );
    return rows[0]?.n ?? 0;
  }
}
