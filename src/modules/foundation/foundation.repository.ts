import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Community } from './community.entity';
import { Foundation } from './foundation.entity';
import { Subdistrict } from './subdistrict.entity';

/** The only place that queries foundation, subdistrict and community tables. */
@Injectable()
export class FoundationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findProfile(manager?: EntityManager): Promise<Foundation | null> {
    return this.m(manager).findOneBy(Foundation, { id: 1 });
  }

  async saveProfile(
    manager: EntityManager,
    profile: Omit<Foundation, 'id' | 'createdAt' | 'updatedAt'>,
  ): Promise<Foundation> {
    await manager.upsert(Foundation, { id: 1, ...profile, updatedAt: new Date() }, ['id']);
    return (await this.findProfile(manager))!;
  }

  listSubdistricts(manager?: EntityManager): Promise<(Subdistrict & { communityCount: number })[]> {
    return this.m(manager).query(
      `SELECT s.id, s.code, s.name_zh AS "nameZh", s.name_en AS "nameEn", s.created_at AS "createdAt",
                s.updated_at AS "updatedAt", count(c.id)::int AS "communityCount"
         FROM subdistricts s LEFT JOIN communities c ON c.subdistrict_id = s.id
         GROUP BY s.id ORDER BY s.code`,
    );
  }

  findSubdistrict(id: string, manager?: EntityManager): Promise<Subdistrict | null> {
    return this.m(manager).findOneBy(Subdistrict, { id });
  }

  findSubdistrictByCode(code: string, manager?: EntityManager): Promise<Subdistrict | null> {
    return this.m(manager).findOneBy(Subdistrict, { code });
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
    opts: { subdistrictId?: string; afterCode?: string; limit: number },
    manager?: EntityManager,
  ): Promise<Community[]> {
    const qb = this.m(manager)
      .createQueryBuilder(Community, 'c')
      .orderBy('c.code', 'ASC')
      .limit(opts.limit);
    if (opts.subdistrictId) qb.andWhere('c.subdistrict_id = :sid', { sid: opts.subdistrictId });
    if (opts.afterCode) qb.andWhere('c.code > :after', { after: opts.afterCode });
    return qb.getMany();
  }

  findCommunity(id: string, manager?: EntityManager): Promise<Community | null> {
    return this.m(manager).findOneBy(Community, { id });
  }

  findCommunities(ids: readonly string[], manager?: EntityManager): Promise<Community[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.m(manager)
      .createQueryBuilder(Community, 'c')
      .where('c.id IN (:...ids)', { ids })
      .getMany();
  }

  findCommunityByCode(code: string, manager?: EntityManager): Promise<Community | null> {
    return this.m(manager).findOneBy(Community, { code });
  }

  countCommunities(manager?: EntityManager): Promise<number> {
    return this.m(manager).count(Community);
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
