import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows, rowsOf } from '../../../database/query-result';
import type { OneTimePurpose } from '../accounts.types';
import { ONE_TIME_TOKENS } from './accounts.tables';

/** The only place that queries one-time links: invitations, password resets, donor sign-ins. */
@Injectable()
export class OneTimeLinksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
    const rows = rowsOf(
      await manager.query(
        `UPDATE one_time_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
         RETURNING ${ONE_TIME_TOKENS.select()}`,
        [tokenHash, purpose],
      ),
    );
    return rows[0] ? ONE_TIME_TOKENS.mapSome(rows[0], ['userId', 'email']) : null;
  }

  /**
   * Marks a token used, once, and says why when it cannot be: expired (its time passed) or
   * unknown (never issued, or used already). The token's row is locked while it is read.
   */
  async takeOneTimeToken(
    manager: EntityManager,
    purpose: OneTimePurpose,
    tokenHash: string,
  ): Promise<{ state: 'ok' | 'expired'; email: string } | { state: 'unknown' }> {
    const rows = rowsOf(
      await manager.query(
        `SELECT email, used_at IS NOT NULL AS used, expires_at <= now() AS expired
           FROM one_time_tokens WHERE token_hash = $1 AND purpose = $2 FOR UPDATE`,
        [tokenHash, purpose],
      ),
    );
    const row = rows[0];
    if (!row || row.used === true) return { state: 'unknown' };
    const email = String(row.email);
    if (row.expired === true) return { state: 'expired', email };
    await manager.query(
      `UPDATE one_time_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2`,
      [tokenHash, purpose],
    );
    return { state: 'ok', email };
  }

  /** A donor's one-time links, used or not (erasure; staff links are the accounts' own). */
  async deleteDonorTokens(manager: EntityManager, email: string): Promise<number> {
    return affectedRows(
      await manager.query(
        `DELETE FROM one_time_tokens
          WHERE lower(email) = $1 AND purpose IN ('DONOR_LOGIN', 'ERASURE_CONFIRM') RETURNING 1`,
        [email],
      ),
    );
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

  /**
   * Deletes a staff account's links, used or not: those issued to it, and invitations and
   * password resets sent to its address. Returns the count.
   */
  async deleteUserLinks(manager: EntityManager, userId: string, email: string): Promise<number> {
    return affectedRows(
      await manager.query(
        `DELETE FROM one_time_tokens
         WHERE user_id = $1 OR (email = $2 AND purpose IN ('INVITE', 'PASSWORD_RESET'))
         RETURNING 1`,
        [userId, email],
      ),
    );
  }

  /** One-time links (used or not) that expired before `cutoff`: nothing can use them any more. */
  async deleteExpiredBefore(manager: EntityManager, cutoff: Date): Promise<number> {
    return affectedRows(
      await manager.query(`DELETE FROM one_time_tokens WHERE expires_at < $1 RETURNING 1`, [
        cutoff,
      ]),
    );
  }
}
