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
