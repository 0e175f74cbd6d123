import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { affectedRows } from '../../database/query-result';
import { col, defineTable, type RowOf } from '../../database/table-map';
import type { TransactionOptions } from '../../database/transaction.service';
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

/** campaign_totals: one row per (campaign, slot), summed on read. */
export const CAMPAIGN_TOTALS = defineTable('campaign_totals', {
  campaignId: col.uuid('campaign_id'),
  slot: col.int('slot'),
  raisedMinor: col.bigint('raised_minor'),
  matchedMinor: col.bigint('matched_minor'),
  gifts: col.int('gifts'),
  donors: col.int('donors'),
});

/** campaign_donors: one row per (campaign, donor key), so the donor count is exact. */
export const CAMPAIGN_DONORS = defineTable('campaign_donors', {
  campaignId: col.uuid('campaign_id'),
  donorKey: col.text('donor_key'),
});

const TOTAL_FIELDS = ['raisedMinor', 'matchedMinor', 'gifts', 'donors'] as const;

export type TotalsRow = Pick<RowOf<typeof CAMPAIGN_TOTALS>, (typeof TOTAL_FIELDS)[number]>;

/** Public pages list newest first: by publication, or by creation for drafts. */
const SORT_AT = 'COALESCE(c.published_at, c.created_at)';

/** The only place that queries campaigns, their updates, totals and donors. */
@Injectable()
export class CampaignsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(opts: TransactionOptions): EntityManager {
    return opts.within ?? this.dataSource.manager;
  }

  find(id: string, opts: TransactionOptions = {}): Promise<Campaign | null> {
    return this.m(opts).findOneBy(Campaign, { id });
  }

  findMany(ids: readonly string[], opts: TransactionOptions = {}): Promise<Campaign[]> {
    return ids.length === 0
      ? Promise.resolve([])
      : this.m(opts).findBy(Campaign, { id: In([...ids]) });
  }

  findBySlug(slug: string, opts: TransactionOptions = {}): Promise<Campaign | null> {
    return this.m(opts).findOneBy(Campaign, { slug });
  }

  /** FOR UPDATE: lifecycle changes and edits of one campaign run one at a time. */
  lock(manager: EntityManager, id: string): Promise<Campaign | null> {
    return manager
      .createQueryBuilder(Campaign, 'c')
      .where('c.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  async list(filter: CampaignFilter, opts: TransactionOptions = {}): Promise<Campaign[]> {
    if (filter.fundIds?.length === 0) return [];
    const qb = this.m(opts)
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
    page: { after?: { publishedAt: Date; id: string }; limit: number },
    opts: TransactionOptions = {},
  ): Promise<CampaignUpdate[]> {
    const qb = this.m(opts)
      .createQueryBuilder(CampaignUpdate, 'u')
      .where('u.campaign_id = :campaignId', { campaignId })
      .orderBy('u.published_at', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .limit(page.limit);
    if (page.after) {
      qb.andWhere('(u.published_at, u.id) < (:afterAt, :afterId)', {
        afterAt: page.after.publishedAt,
        afterId: page.after.id,
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

  /** campaign_donors: one donor key renamed everywhere (erasure). */
  async renameDonorKey(manager: EntityManager, from: string, to: string): Promise<number> {
    return affectedRows(
      await manager.query(
        `UPDATE campaign_donors SET donor_key = $2 WHERE donor_key = $1 RETURNING 1`,
        [from, to],
      ),
    );
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
    opts: TransactionOptions = {},
  ): Promise<Map<string, TotalsRow>> {
    const result = new Map<string, TotalsRow>();
    if (campaignIds.length === 0) return result;
    const t = (field: keyof typeof CAMPAIGN_TOTALS.spec) => CAMPAIGN_TOTALS.column(field);
    const rows: Record<string, unknown>[] = await this.m(opts).query(
      `SELECT ${t('campaignId')} AS "campaignId",
              sum(${t('raisedMinor')})::bigint AS "raisedMinor",
              sum(${t('matchedMinor')})::bigint AS "matchedMinor",
              sum(${t('gifts')})::int AS gifts, sum(${t('donors')})::int AS donors
         FROM campaign_totals WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id`,
      [campaignIds],
    );
    for (const row of rows) {
      const r = CAMPAIGN_TOTALS.mapSome(row, ['campaignId', ...TOTAL_FIELDS]);
      result.set(r.campaignId, {
        raisedMinor: r.raisedMinor,
        matchedMinor: r.matchedMinor,
        gifts: r.gifts,
        donors: r.donors,
      });
    }
    return result;
  }
}
