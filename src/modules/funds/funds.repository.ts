import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { TransactionOptions } from '../../database/transaction.service';
import { Fund } from './fund.entity';
import type { FundKind, FundStatus } from './fund-status';

export interface FundFilter {
  kind?: FundKind;
  status?: FundStatus;
  communityId?: string;
  afterCode?: string;
  limit: number;
}

/** The only place that queries the funds table. */
@Injectable()
export class FundsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(opts: TransactionOptions): EntityManager {
    return opts.within ?? this.dataSource.manager;
  }

  find(id: string, opts: TransactionOptions = {}): Promise<Fund | null> {
    return this.m(opts).findOneBy(Fund, { id });
  }

  findByCode(code: string, opts: TransactionOptions = {}): Promise<Fund | null> {
    return this.m(opts).findOneBy(Fund, { code });
  }

  findByCodes(codes: readonly string[]): Promise<Fund[]> {
    return codes.length === 0
      ? Promise.resolve([])
      : this.m({}).findBy(Fund, { code: In([...codes]) });
  }

  findGeneral(opts: TransactionOptions = {}): Promise<Fund | null> {
    return this.m(opts).findOneBy(Fund, { kind: 'GENERAL' });
  }

  findOpenForCommunity(communityId: string, opts: TransactionOptions = {}): Promise<Fund | null> {
    return this.m(opts)
      .createQueryBuilder(Fund, 'f')
      .where('f.community_id = :communityId AND f.status <> :closed', {
        communityId,
        closed: 'CLOSED',
      })
      .getOne();
  }

  list(filter: FundFilter, opts: TransactionOptions = {}): Promise<Fund[]> {
    const qb = this.m(opts)
      .createQueryBuilder(Fund, 'f')
      .orderBy('f.code', 'ASC')
      .limit(filter.limit);
    if (filter.kind) qb.andWhere('f.kind = :kind', { kind: filter.kind });
    if (filter.status) qb.andWhere('f.status = :status', { status: filter.status });
    if (filter.communityId) qb.andWhere('f.community_id = :cid', { cid: filter.communityId });
    if (filter.afterCode) qb.andWhere('f.code > :after', { after: filter.afterCode });
    return qb.getMany();
  }

  /** Row locks in id order (so concurrent callers cannot deadlock). SHARE for money movement, UPDATE for lifecycle changes. */
  lock(manager: EntityManager, ids: readonly string[], mode: 'share' | 'update'): Promise<Fund[]> {
    const sorted = [...new Set(ids)].sort();
    return manager
      .createQueryBuilder(Fund, 'f')
      .where('f.id IN (:...ids)', { ids: sorted })
      .orderBy('f.id', 'ASC')
      .setLock(mode === 'share' ? 'pessimistic_read' : 'pessimistic_write')
      .getMany();
  }

  insert(manager: EntityManager, data: Partial<Fund>): Promise<Fund> {
    return manager.save(manager.create(Fund, data));
  }

  async update(manager: EntityManager, id: string, data: Partial<Fund>): Promise<void> {
    await manager.update(Fund, { id }, data);
  }

  async idsInCommunities(
    communityIds: readonly string[],
    opts: TransactionOptions = {},
  ): Promise<string[]> {
    if (communityIds.length === 0) return [];
    const rows: { id: string }[] = await this.m(opts).query(
      `SELECT id FROM funds WHERE community_id = ANY($1::uuid[])`,
      [communityIds],
    );
    return rows.map((r) => r.id);
  }

  async coverage(
    opts: TransactionOptions = {},
  ): Promise<{ communitiesWithActiveFund: number; preparing: number }> {
    const rows: { active: number; preparing: number }[] = await this.m(opts).query(
      `SELECT count(DISTINCT community_id) FILTER (WHERE status = 'ACTIVE')::int AS active,
              count(DISTINCT community_id) FILTER (WHERE status = 'PREPARING')::int AS preparing
       FROM funds WHERE kind = 'COMMUNITY'`,
    );
    return { communitiesWithActiveFund: rows[0]?.active ?? 0, preparing: rows[0]?.preparing ?? 0 };
  }
}
