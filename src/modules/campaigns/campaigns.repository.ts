import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { affectedRows } from '../../database/query-result';
import { toSafeInteger } from '../../common/money';
import { Campaign } from './campaign.entity';
import type { CampaignStatus } from './campaign-status';
import { CampaignUpdate } from './campaign-update.entity';

export interface CampaignFilter {
  statuses: readonly CampaignStatus[];
  fundId?: string;
  /** Only these funds (a community leader's drafts); undefined means any fund. */
  fundIds?: readonly string[];
  /** Keyset position: rows strictly after it in (sortAt DESC, id DESC) order. */
  after?: { sortAt: Date; id: string };
  limit: number;
}

export interface TotalsRow {
  raisedMinor: number;
  matchedMinor: number;
  gifts: number;
  donors: number;
}

/** Public pages list newest first: by publication, or by creation for drafts. */
const SORT_AT = 'COALESCE(c.published_at, c.created_at)';

/** The only place that queries campaigns, their updates, totals and donors. */
@Injectable()
export class CampaignsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  find(id: string, manager?: EntityManager): Promise<Campaign | null> {
    return this.m(manager).findOneBy(Campaign, { id });
  }

  findMany(ids: readonly string[], manager?: EntityManager): Promise<Campaign[]> {
    return ids.length === 0
      ? Promise.resolve([])
      : this.m(manager).findBy(Campaign, { id: In([...ids]) });
  }

  findBySlug(slug: string, manager?: EntityManager): Promise<Campaign | null> {
    return this.m(manager).findOneBy(Campaign, { slug });
  }

  /** FOR UPDATE: lifecycle changes and edits of one campaign run one at a time. */
  lock(manager: EntityManager, id: string): Promise<Campaign | null> {
    return manager
      .createQueryBuilder(Campaign, 'c')
      .where('c.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  async list(filter: CampaignFilter, manager?: EntityManager): Promise<Campaign[]> {
    if (filter.fundIds?.length === 0) return [];
    const qb = this.m(manager)
      .createQueryBuilder(Campaign, 'c')
      .where('c.status IN (:...statuses)', { statuses: filter.statuses })
      .orderBy(SORT_AT, 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(filter.limit);
    if (filter.fundId) qb.andWhere('c.fund_id = :fundId', { fundId: filter.fundId });
    if (filter.fundIds) qb.andWhere('c.fund_id IN (:...fundIds)', { fundIds: filter.fundIds });
    if (filter.after) {
      qb.andWhere(`(${SORT_AT}, c.id) < (:afterAt, :afterId)`, {
        afterAt: filter.after.sortAt,
        afterId: filter.after.id,
      });
    }
    return qb.getMany();
  }

  insert(manager: EntityManager, data: Partial<Campaign>): Promise<Campaign> {
    return manager.save(manager.create(Campaign, data));
  }

  async update(manager: EntityManager, id: string, data: Partial<Campaign>): Promise<void> {
    await manager.update(Campaign, { id }, data);
  }

  insertUpdate(manager: EntityManager, data: Partial<CampaignUpdate>): Promise<CampaignUpdate> {
    return manager.save(manager.create(CampaignUpdate, data));
  }

  /** Newest first; keyset on (publishedAt, id). */
  listUpdates(
    campaignId: string,
    opts: { after?: { publishedAt: Date; id: string }; limit: number },
    manager?: EntityManager,
  ): Promise<CampaignUpdate[]> {
    const qb = this.m(manager)
      .createQueryBuilder(CampaignUpdate, 'u')
      .where('u.campaign_id = :campaignId', { campaignId })
      .orderBy('u.published_at', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .limit(opts.limit);
    if (opts.after) {
      qb.andWhere('(u.published_at, u.id) < (:afterAt, :afterId)', {
        afterAt: opts.after.publishedAt,
        afterId: opts.after.id,
      });
    }
    return qb.getMany();
  }

  async createTotalsSlots(
    manager: EntityManager,
    campaignId: string,
    slots: number,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO campaign_totals (campaign_id, slot) SELECT $1, generate_series(0, $2::int - 1)`,
      [campaignId, slots],
    );
  }

  /**
   * Adds one gift to the slot this connection owns (pg_backend_pid() % slots), so concurrent
   * transactions on other connections rarely wait on the same row. The donor row is inserted in
   * the same statement: a second gift by the same donor (even one racing in another transaction)
   * conflicts on the primary key and adds nothing to `donors`. Returns whether a slot was found.
   */
  async addGift(
    manager: EntityManager,
    campaignId: string,
    gift: { amountMinor: number; matchedMinor: number; donorKey: string },
    slots: number,
  ): Promise<boolean> {
    const result: unknown = await manager.query(
      `WITH new_donor AS (
         INSERT INTO campaign_donors (campaign_id, donor_key) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING 1
       )
       UPDATE campaign_totals
          SET raised_minor = raised_minor + $3,
              matched_minor = matched_minor + $5,
              gifts = gifts + 1,
              donors = donors + (SELECT count(*)::int FROM new_donor)
        WHERE campaign_id = $1 AND slot = pg_backend_pid() % $4::int
       RETURNING slot`,
      [campaignId, gift.donorKey, gift.amountMinor, slots, gift.matchedMinor],
    );
    return affectedRows(result) === 1;
  }

  /** Adds (or, negative, subtracts) amounts on this connection's slot; counts stay as they are. */
  async addAmounts(
    manager: EntityManager,
    campaignId: string,
    amounts: { raisedMinor: number; matchedMinor: number },
    slots: number,
  ): Promise<boolean> {
    const result: unknown = await manager.query(
      `UPDATE campaign_totals
          SET raised_minor = raised_minor + $2, matched_minor = matched_minor + $3
        WHERE campaign_id = $1 AND slot = pg_backend_pid() % $4::int
       RETURNING slot`,
      [campaignId, amounts.raisedMinor, amounts.matchedMinor, slots],
    );
    return affectedRows(result) === 1;
  }

  /** Sums over the slots: a fixed number of rows per campaign, whatever its history. */
  async totals(
    campaignIds: readonly string[],
    manager?: EntityManager,
  ): Promise<Map<string, TotalsRow>> {
    const result = new Map<string, TotalsRow>();
    if (campaignIds.length === 0) return result;
    const rows: {
      campaignId: string;
      raised: string;
      matched: string;
      gifts: string;
      donors: string;
    }[] = await this.m(manager).query(
      `SELECT campaign_id AS "campaignId", sum(raised_minor) AS raised, sum(matched_minor) AS matched,
              sum(gifts) AS gifts, sum(donors) AS donors
         FROM campaign_totals WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id`,
      [campaignIds],
    );
    for (const r of rows) {
      result.set(r.campaignId, {
        raisedMinor: toSafeInteger(r.raised) ?? 0,
        matchedMinor: toSafeInteger(r.matched) ?? 0,
        gifts: toSafeInteger(r.gifts) ?? 0,
        donors: toSafeInteger(r.donors) ?? 0,
      });
    }
    return result;
  }
}
