import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows, rowsOf } from '../../../database/query-result';
import type { TransactionOptions } from '../../../database/transaction.service';
import { SESSIONS } from './accounts.tables';

export interface DonorSession {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** The only place that queries sessions (staff and donors). */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
    const rows = rowsOf(
      await this.dataSource.query(
        `SELECT ${SESSIONS.select()}, last_seen_at < now() - interval '1 minute' AS stale
         FROM sessions WHERE id = $1 AND expires_at > now()`,
        [id],
      ),
    );
    if (!rows[0]) return null;
    const session = SESSIONS.mapSome(rows[0], ['userId', 'donorEmail']);
    if (rows[0].stale === true) {
      await this.dataSource.query(
        `UPDATE sessions SET last_seen_at = now(),
           expires_at = LEAST(now() + make_interval(secs => $2), created_at + make_interval(secs => $3))
         WHERE id = $1`,
        [id, idleSeconds, absoluteSeconds],
      );
    }
    return session;
  }

  async deleteSession(id: string, opts: TransactionOptions = {}): Promise<void> {
    await (opts.within ?? this.dataSource.manager).query(`DELETE FROM sessions WHERE id = $1`, [
      id,
    ]);
  }

  /** Ends every session of the user; returns how many there were. */
  async deleteUserSessions(manager: EntityManager, userId: string): Promise<number> {
    return affectedRows(
      await manager.query(`DELETE FROM sessions WHERE user_id = $1 RETURNING 1`, [userId]),
    );
  }

  /** A donor's sessions (erasure): the portal is closed to that address. */
  async deleteDonorSessions(manager: EntityManager, email: string): Promise<number> {
    return affectedRows(
      await manager.query(`DELETE FROM sessions WHERE donor_email = $1 RETURNING 1`, [email]),
    );
  }

  /** Sessions that ended (expired) before `cutoff`: retention deletes them. */
  async deleteEndedBefore(manager: EntityManager, cutoff: Date): Promise<number> {
    return affectedRows(
      await manager.query(`DELETE FROM sessions WHERE expires_at < $1 RETURNING 1`, [cutoff]),
    );
  }

  /** A donor's sign-in sessions (exact email), the newest first: for their access download. */
  async forDonor(email: string): Promise<DonorSession[]> {
    const rows = rowsOf(
      await this.dataSource.query(
        `SELECT ${SESSIONS.select()} FROM sessions WHERE donor_email = $1 ORDER BY created_at DESC`,
        [email],
      ),
    );
    return rows.map((r) =>
      SESSIONS.mapSome(r, ['createdAt', 'lastSeenAt', 'expiresAt', 'ip', 'userAgent']),
    );
  }
}
