import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '../../common/errors';
import { TokenNotFoundError } from './accounts.errors';
import type { Actor } from '../../common/context/request-context';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { AccessService } from './access.service';
import { ApiTokensRepository } from './repositories/api-tokens.repository';
import type { ApiToken } from './accounts.types';
import { hashSecret, newAccessToken } from '../../common/secrets';
import { words } from '../../common/i18n/i18n';

export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;

/**
 * Personal access tokens for API clients (`Authorization: Bearer lx_pat_…`): shown once, stored
 * as a hash, revocable, always with an expiry.
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly tx: TransactionService,
    private readonly apiTokens: ApiTokensRepository,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  async create(
    userId: string,
    name: string,
    days = TOKEN_DEFAULT_DAYS,
  ): Promise<{ token: string; record: ApiToken }> {
    if (!Number.isInteger(days) || days < 1 || days > TOKEN_MAX_DAYS) {
      throw new ValidationFailedError(words('errors.accounts.tokenDays', { max: TOKEN_MAX_DAYS }));
    }
    const { token, prefix } = newAccessToken();
    const record = await this.tx.run(async (m) => {
      const created = await this.apiTokens.insertToken(m, {
        userId,
        name,
        tokenHash: hashSecret(token),
        prefix,
        expiresAt: new Date(Date.now() + days * 86_400_000),
      });
      await this.audit.record(m, {
        action: 'token.created',
        entityType: 'api_token',
        entityId: created.id,
        after: { userId, name, prefix, expiresAt: created.expiresAt },
      });
      return created;
    });
    return { token, record };
  }

  /** The actor for a bearer token, or undefined when it is unknown, revoked or expired. */
  async actorForToken(token: string): Promise<Actor | undefined> {
    if (!/^lx_pat_[\w-]{8}_[\w-]{20,}$/.test(token)) return undefined;
    const record = await this.apiTokens.useToken(hashSecret(token));
    if (!record) return undefined;
    return (await this.access.actorFor(record.userId, 'token')) ?? undefined;
  }

  list(userId: string): Promise<ApiToken[]> {
    return this.apiTokens.listTokens(userId);
  }

  revoke(userId: string, tokenId: string): Promise<ApiToken> {
    return this.tx.run(async (m) => {
      const token = await this.apiTokens.revokeToken(m, userId, tokenId);
      if (!token) throw new TokenNotFoundError(tokenId);
      await this.audit.record(m, {
        action: 'token.revoked',
        entityType: 'api_token',
        entityId: tokenId,
      });
      return token;
    });
  }
}
