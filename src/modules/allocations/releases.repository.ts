import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/roles';
import { toSafeInteger } from '../../common/money';
import type { ReleaseStatus } from './release-rules';

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

const COLUMNS = `r.id, r.from_fund_id AS "fromFundId", r.to_fund_id AS "toFundId",
  r.amount_minor AS "amountMinor", r.currency, r.reason, r.status, r.request_key AS "requestKey",
  r.requested_by AS "requestedBy", r.requester_roles AS "requesterRoles",
  r.requested_at AS "requestedAt", r.decided_by AS "decidedBy", r.decided_at AS "decidedAt",
  r.decision_note AS "decisionNote", r.entry_id AS "entryId"`;

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

function toRelease<T extends Release>(row: Record<string, unknown>): T {
  return {
    ...row,
    amountMinor: toSafeInteger(row.amountMinor as string),
    currency: String(row.currency).trim(),
  } as unknown as T;
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
    const rows: Record<string, unknown>[] = await manager.query(
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
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${COLUMNS} FROM fund_releases r WHERE r.request_key = $1`,
      [key],
    );
    return rows[0] ? toRelease(rows[0]) : null;
  }

  /** Locks a release for a decision; a concurrent decision waits here, then sees this one's. */
  async lock(manager: EntityManager, id: string): Promise<Release | null> {
    const rows: Record<string, unknown>[] = await manager.query(
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

  async get(id: string, manager?: EntityManager): Promise<ReleaseListItem | null> {
    const rows: Record<string, unknown>[] = await (manager ?? this.dataSource).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE r.id = $1`,
      [id],
    );
    return rows[0] ? toRelease<ReleaseListItem>(rows[0]) : null;
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
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} ${where} ORDER BY ${order} LIMIT $1`,
      params,
    );
    return rows.map((r) => toRelease<ReleaseListItem>(r));
  }
}
