import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/roles';
import { col, defineTable } from '../../database/table-map';
import type { TransactionOptions } from '../../database/transaction.service';
import type { ReleaseStatus } from './release-rules';

/** The fund_releases table, mapped once: SELECT list and typed rows. */
export const FUND_RELEASES = defineTable('fund_releases', {
  id: col.uuid('id'),
  fromFundId: col.uuid('from_fund_id'),
  toFundId: col.uuid('to_fund_id'),
  amountMinor: col.bigint('amount_minor'),
  currency: col.char('currency'),
  reason: col.text('reason'),
  status: col.text<ReleaseStatus>('status'),
  requestKey: col.text.nullable('request_key'),
  requestedBy: col.uuid('requested_by'),
  requesterRoles: col.textArray<Role[]>('requester_roles'),
  requestedAt: col.timestamptz('requested_at'),
  decidedBy: col.uuid.nullable('decided_by'),
  decidedAt: col.timestamptz.nullable('decided_at'),
  decisionNote: col.text('decision_note'),
  entryId: col.uuid.nullable('entry_id'),
});

export interface Release {
  id: string;
  fromFundId: string;
  toFundId: string;
  amountMinor: number;
  currency: string;
  reason: string;
  status: ReleaseStatus;
  requestKey: string | null;
  requestedBy: string;
  requesterRoles: Role[];
  requestedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string;
  entryId: string | null;
}

/** A release with the names a person reads: funds and the people who asked and decided. */
export interface ReleaseListItem extends Release {
  fromFund: { code: string; nameZh: string; nameEn: string; kind: string };
  toFund: { code: string; nameZh: string; nameEn: string; kind: string };
  requester: { name: string; email: string };
  decider: { name: string; email: string } | null;
}

const COLUMNS = FUND_RELEASES.select('r');

const LIST_COLUMNS = `${COLUMNS},
  json_build_object('code', ff.code, 'nameZh', ff.name_zh, 'nameEn', ff.name_en, 'kind', ff.kind) AS "fromFund",
  json_build_object('code', tf.code, 'nameZh', tf.name_zh, 'nameEn', tf.name_en, 'kind', tf.kind) AS "toFund",
  json_build_object('name', ru.name, 'email', ru.email) AS requester,
  CASE WHEN du.id IS NULL THEN NULL ELSE json_build_object('name', du.name, 'email', du.email) END AS decider`;

const LIST_FROM = `fund_releases r
  JOIN funds ff ON ff.id = r.from_fund_id
  JOIN funds tf ON tf.id = r.to_fund_id
  JOIN users ru ON ru.id = r.requested_by
  LEFT JOIN users du ON du.id = r.decided_by`;

type Row = Record<string, unknown>;

function toRelease(row: Row): Release {
  return FUND_RELEASES.map(row);
}

/** A release with the names of its funds and people (json_build_object in LIST_COLUMNS). */
function toListItem(row: Row): ReleaseListItem {
  return {
    ...toRelease(row),
    fromFund: row.fromFund as ReleaseListItem['fromFund'],
    toFund: row.toFund as ReleaseListItem['toFund'],
    requester: row.requester as ReleaseListItem['requester'],
    decider: row.decider as ReleaseListItem['decider'],
  };
}

/** The only place that queries fund_releases. */
@Injectable()
export class ReleasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts a PENDING release; null when its request key is taken (a resubmitted form). */
  async insert(
    manager: EntityManager,
    release: Pick<
      Release,
      | 'fromFundId'
      | 'toFundId'
      | 'amountMinor'
      | 'currency'
      | 'reason'
      | 'requestKey'
      | 'requestedBy'
      | 'requesterRoles'
    >,
  ): Promise<Release | null> {
    const rows: Row[] = await manager.query(
      `INSERT INTO fund_releases AS r (from_fund_id, to_fund_id, amount_minor, currency, reason,
         request_key, requested_by, requester_roles)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (request_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        release.fromFundId,
        release.toFundId,
        release.amountMinor,
        release.currency,
        release.reason,
        release.requestKey,
        release.requestedBy,
        release.requesterRoles,
      ],
    );
    return rows[0] ? toRelease(rows[0]) : null;
  }

  async findByRequestKey(manager: EntityManager, key: string): Promise<Release | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM fund_releases r WHERE r.request_key = $1`,
      [key],
    );
    return rows[0] ? toRelease(rows[0]) : null;
  }

  /** Locks a release for a decision; a concurrent decision waits here, then sees this one's. */
  async lock(manager: EntityManager, id: string): Promise<Release | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM fund_releases r WHERE r.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toRelease(rows[0]) : null;
  }

  async decide(
    manager: EntityManager,
    id: string,
    decision: { status: ReleaseStatus; decidedBy: string; note: string; entryId: string | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE fund_releases SET status = $2, decided_by = $3, decided_at = now(),
         decision_note = $4, entry_id = $5
       WHERE id = $1 AND status = 'PENDING'`,
      [id, decision.status, decision.decidedBy, decision.note, decision.entryId],
    );
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<ReleaseListItem | null> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE r.id = $1`,
      [id],
    );
    return rows[0] ? toListItem(rows[0]) : null;
  }

  /** Releases of one status (or all), the oldest pending first, decided ones newest first. */
  async list(filter: { status?: ReleaseStatus; limit: number }): Promise<ReleaseListItem[]> {
    const params: unknown[] = [filter.limit];
    let where = '';
    if (filter.status) {
      params.push(filter.status);
      where = 'WHERE r.status = $2';
    }
    const order =
      filter.status === 'PENDING'
        ? 'r.requested_at, r.id'
        : "r.status = 'PENDING' DESC, r.requested_at DESC, r.id DESC";
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} ${where} ORDER BY ${order} LIMIT $1`,
      params,
    );
    return rows.map(toListItem);
  }
}
