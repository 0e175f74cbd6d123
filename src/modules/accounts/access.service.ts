import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/context/request-context';
import { FundsService } from '../funds/funds.service';
import { UsersRepository } from './repositories/users.repository';
import { UserAccessRepository } from './repositories/user-access.repository';

/** Builds the actor for a user: roles, and for a community leader the funds in scope. */
@Injectable()
export class AccessService {
  constructor(
    private readonly users: UsersRepository,
    private readonly access: UserAccessRepository,
    private readonly funds: FundsService,
  ) {}

  async actorFor(
    userId: string,
    via: 'session' | 'token',
    sessionId?: string,
  ): Promise<Actor | null> {
    const user = await this.users.findUser(userId);
    if (!user || user.status !== 'ACTIVE') return null;
    const [roles, scopes] = await Promise.all([
      this.access.roles(userId),
      this.access.scopes(userId),
    ]);
    const fundIds = roles.includes('COMMUNITY_LEADER')
      ? [
          ...new Set([
            ...(await this.funds.fundIdsInCommunities(scopes.communityIds)),
            ...scopes.fundIds,
          ]),
        ]
      : [];
    return {
      kind: 'user',
      userId,
      email: user.email,
      name: user.name,
      roles,
      fundIds,
      communityIds:
        roles.includes('COMMUNITY_LEADER') || roles.includes('PLANNER') ? scopes.communityIds : [],
      via,
      sessionId,
    };
  }
}
