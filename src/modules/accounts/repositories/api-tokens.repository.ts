import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows, rowsOf } from '../../../database/query-result';
import type { TransactionOptions } from '../../../database/transaction.service';
import type { ApiToken } from '../accounts.types';
import { API_TOKEN_FIELDS, API_TOKENS, selectFields } from './accounts.tables';

const TOKEN_COLUMNS = selectFields(API_TOKENS, API_TOKEN_FIELDS, 't');

function toToken(row: Record<string, unknown>): ApiToken {
  return API_TOKENS.mapSome(row, API_TOKEN_FIELDS);
}

/** The only place that queries personal access tokens (api_tokens). */
@Injectable()
export class ApiTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertToken(
    manager: EntityManager,
    token: { userId: string; name: string; tokenHash: string; prefix: string; expiresAt: Date },
  ): Promise<ApiToken> {
    const rows = rowsOf(
      await manager.query(
        `INSERT INTO api_tokens AS t (user_id, name, token_hash, prefix, expires_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${TOKEN_COLUMNS}`,
        [token.userId, token.name, token.tokenHash, token.prefix, token.expiresAt],
      ),
    );
    return toToken(rows[0]!);
  }

  /**
   * A usable token (not revoked, not expired), its last use recorded: written at most once a
   * minute, so a script's burst of calls does not write a row per call.
   */
  async useToken(tokenHash: string): Promise<ApiToken | null> {
    const rows = rowsOf(
      await this.dataSource.manager.query(
        `WITH touched AS (
           UPDATE api_tokens SET last_used_at = now()
           WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
             AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
         )
         SELECT ${TOKEN_COLUMNS} FROM api_tokens t
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`,
        [tokenHash],
      ),
    );
    return rows[0] ? toToken(rows[0]) : null;
  }

  async listTokens(userId: string, opts: TransactionOptions = {}): Promise<ApiToken[]> {
    const rows = rowsOf(
      await (opts.within ?? this.dataSource.manager).query(
        `SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.created_at DESC`,
        [userId],
      ),
    );
    return rows.map(toToken);
  }

  async revokeToken(
    manager: EntityManager,
    userId: string,
    tokenId: string,
  ): Promise<ApiToken | null> {
    const rows = rowsOf(
      await manager.query(
        `UPDATE api_tokens t SET revoked_at = coalesce(revoked_at, now()) WHERE t.id = $1 AND t.user_id = $2
         RETURNING ${TOKEN_COLUMNS}`,
        [tokenId, userId],
      ),
    );
    return rows[0] ? toToken(rows[0]) : null;
  }

  /** Deletes every token of the user, revoked or not (a removed account); returns the count. */
  async deleteUserTokens(manager: EntityManager, userId: string): Promise<number> {
    return affectedRows(
      await manager.query(`DELETE FROM api_tokens WHERE user_id = $1 RETURNING 1`, [userId]),
    );
  }

  async revokeUserTokens(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(
      `UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
  }
}
