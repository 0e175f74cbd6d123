import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { TransactionOptions } from '../../database/transaction.service';
import { Community } from './community.entity';
import { Foundation } from './foundation.entity';
import { Subdistrict } from './subdistrict.entity';

/** The only place that queries foundation, subdistrict and community tables. */
@Injectable()
export class FoundationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(opts: TransactionOptions): EntityManager {
    return opts.within ?? this.dataSource.manager;
  }

  findProfile(opts: TransactionOptions = {}): Promise<Foundation | null> {
    return this.m(opts).findOneBy(Foundation, { id: 1 });
  }

  async saveProfile(
    manager: EntityManager,
    profile: Omit<Foundation, 'id' | 'createdAt' | 'updatedAt'>,
  ): Promise<Foundation> {
    await manager.upsert(Foundation, { id: 1, ...profile, updatedAt: new Date() }, ['id']);
    return (await this.findProfile({ within: manager }))!;
  }

  listSubdistricts(
    opts: TransactionOptions = {},
  ): Promise<(Subdistrict & { communityCount: number })[]> {
    return this.m(opts).query(
      `SELECT s.id, s.code, s.name_zh AS "nameZh", s.name_en AS "nameEn", s.created_at AS "createdAt",
                s.updated_at AS "updatedAt", count(c.id)::int AS "communityCount"
         FROM subdistricts s LEFT JOIN communities c ON c.subdistrict_id = s.id
         GROUP BY s.id ORDER BY s.code`,
    );
  }

  findSubdistrict(id: string, opts: TransactionOptions = {}): Promise<Subdistrict | null> {
    return this.m(opts).findOneBy(Subdistrict, { id });
  }

  findSubdistrictByCode(code: string, opts: TransactionOptions = {}): Promise<Subdistrict | null> {
    return this.m(opts).findOneBy(Subdistrict, { code });
  }

  async insertSubdistrict(
    manager: EntityManager,
    data: Pick<Subdistrict, 'code' | 'nameZh' | 'nameEn'>,
  ): Promise<Subdistrict> {
    return manager.save(manager.create(Subdistrict, data));
  }

  async updateSubdistrict(
    manager: EntityManager,
    id: string,
    data: Partial<Subdistrict>,
  ): Promise<void> {
    await manager.update(Subdistrict, { id }, data);
  }

  listCommunities(
    filter: { subdistrictId?: string; afterCode?: string; limit: number },
    opts: TransactionOptions = {},
  ): Promise<Community[]> {
    const qb = this.m(opts)
      .createQueryBuilder(Community, 'c')
      .orderBy('c.code', 'ASC')
      .limit(filter.limit);
    if (filter.subdistrictId) qb.andWhere('c.subdistrict_id = :sid', { sid: filter.subdistrictId });
    if (filter.afterCode) qb.andWhere('c.code > :after', { after: filter.afterCode });
    return qb.getMany();
  }

  findCommunity(id: string, opts: TransactionOptions = {}): Promise<Community | null> {
    return this.m(opts).findOneBy(Community, { id });
  }

  findCommunities(ids: readonly string[], opts: TransactionOptions = {}): Promise<Community[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.m(opts)
      .createQueryBuilder(Community, 'c')
      .where('c.id IN (:...ids)', { ids })
      .getMany();
  }

  findCommunityByCode(code: string, opts: TransactionOptions = {}): Promise<Community | null> {
    return this.m(opts).findOneBy(Community, { code });
  }

  countCommunities(opts: TransactionOptions = {}): Promise<number> {
    return this.m(opts).count(Community);
  }

  async insertCommunity(
    manager: EntityManager,
    data: Pick<Community, 'code' | 'nameZh' | 'nameEn' | 'subdistrictId'> & {
      households?: number | null;
    },
  ): Promise<Community> {
    return manager.save(manager.create(Community, { households: null, ...data }));
  }

  async updateCommunity(
    manager: EntityManager,
    id: string,
    data: Partial<Community>,
  ): Promise<void> {
    await manager.update(Community, { id }, data);
  }
}
