import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { SupportedLocale } from '../../../common/i18n/i18n';
import { PAGE_CHANGES_CHANNEL } from '../../../common/page-cache/page-cache.module';
import { rowsOf } from '../../../database/query-result';
import { col, defineTable, type RowOf } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import type { ErasureStatus } from './erasure-status';

export const ERASURE_REQUESTS = defineTable('erasure_requests', {
  id: col.uuid('id'),
  email: col.text.nullable('email'),
  status: col.text<ErasureStatus>('status'),
  locale: col.text<SupportedLocale>('locale'),
  requestedAt: col.timestamptz('requested_at'),
  confirmBy: col.timestamptz('confirm_by'),
  confirmedAt: col.timestamptz.nullable('confirmed_at'),
  dueAt: col.timestamptz.nullable('due_at'),
  completedAt: col.timestamptz.nullable('completed_at'),
  completedBy: col.uuid.nullable('completed_by'),
  erasedNo: col.int.nullable('erased_no'),
});

export type ErasureRequest = RowOf<typeof ERASURE_REQUESTS>;

const COLUMNS = ERASURE_REQUESTS.select();
const toRequest = (row: Record<string, unknown>) => ERASURE_REQUESTS.map(row);

/** The only place that queries erasure_requests and erased_people. */
@Injectable()
export class ErasureRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(opts: TransactionOptions): EntityManager {
    return opts.within ?? this.dataSource.manager;
  }

  /** Requests still awaiting their link after it expired become EXPIRED (one address, or all). */
  async expireUnconfirmed(m: EntityManager, email?: string): Promise<ErasureRequest[]> {
    const rows = rowsOf(
      await m.query(
        `UPDATE erasure_requests SET status = 'EXPIRED'
          WHERE status = 'AWAITING_CONFIRMATION' AND confirm_by <= now()
            AND ($1::text IS NULL OR email = $1)
          RETURNING ${COLUMNS}`,
        [email ?? null],
      ),
    );
    return rows.map(toRequest);
  }

  /** The address's open request (awaiting confirmation, or confirmed), locked; null if none. */
  async lockOpenFor(m: EntityManager, email: string): Promise<ErasureRequest | null> {
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${COLUMNS} FROM erasure_requests
        WHERE email = $1 AND status IN ('AWAITING_CONFIRMATION', 'CONFIRMED') FOR UPDATE`,
      [email],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /** The address's latest request (any status), for the portal page. */
  async latestFor(email: string): Promise<ErasureRequest | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM erasure_requests WHERE email = $1
        ORDER BY requested_at DESC, id DESC LIMIT 1`,
      [email],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  async insert(
    m: EntityManager,
    r: { email: string; locale: SupportedLocale; confirmBy: Date },
  ): Promise<ErasureRequest> {
    const rows: Record<string, unknown>[] = await m.query(
      `INSERT INTO erasure_requests (email, status, locale, confirm_by)
       VALUES ($1, 'AWAITING_CONFIRMATION', $2, $3) RETURNING ${COLUMNS}`,
      [r.email, r.locale, r.confirmBy],
    );
    return toRequest(rows[0]!);
  }

  /** Confirmed now; due `dueDays` days from now. */
  async confirm(m: EntityManager, id: string, dueDays: number): Promise<ErasureRequest> {
    const rows = rowsOf(
      await m.query(
        `UPDATE erasure_requests
            SET status = 'CONFIRMED', confirmed_at = now(),
                due_at = now() + make_interval(days => $2::int)
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, dueDays],
      ),
    );
    return toRequest(rows[0]!);
  }

  async lock(m: EntityManager, id: string): Promise<ErasureRequest | null> {
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${COLUMNS} FROM erasure_requests WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  async find(id: string, opts: TransactionOptions = {}): Promise<ErasureRequest | null> {
    const rows: Record<string, unknown>[] = await this.m(opts).query(
      `SELECT ${COLUMNS} FROM erasure_requests WHERE id = $1`,
      [id],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /**
   * The back office's queue: open requests first (confirmed by due date, then those awaiting
   * their link), then the closed ones, latest first.
   */
  async list(limit: number): Promise<ErasureRequest[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM erasure_requests
        ORDER BY CASE status WHEN 'CONFIRMED' THEN 0 WHEN 'AWAITING_CONFIRMATION' THEN 1 ELSE 2 END,
                 due_at ASC NULLS LAST, COALESCE(completed_at, requested_at) DESC, id
        LIMIT $1`,
      [limit],
    );
    return rows.map(toRequest);
  }

  /** Done: the address goes, the pseudonym number stays. */
  async complete(
    m: EntityManager,
    id: string,
    done: { erasedNo: number; actorId: string | null },
  ): Promise<ErasureRequest> {
    const rows = rowsOf(
      await m.query(
        `UPDATE erasure_requests
            SET status = 'COMPLETED', email = NULL, completed_at = now(), completed_by = $2,
                erased_no = $3
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, done.actorId, done.erasedNo],
      ),
    );
    return toRequest(rows[0]!);
  }

  /** The address's requests that did not lead to an erasure (expired, cancelled, unconfirmed). */
  async deleteUnfinishedFor(m: EntityManager, email: string): Promise<ErasureRequest[]> {
    const rows = rowsOf(
      await m.query(
        `DELETE FROM erasure_requests
          WHERE email = $1 AND status IN ('AWAITING_CONFIRMATION', 'EXPIRED', 'CANCELLED')
          RETURNING ${COLUMNS}`,
        [email],
      ),
    );
    return rows.map(toRequest);
  }

  /** What an erasure removed (erased_people.removed). */
  async removedOf(no: number): Promise<Record<string, number>> {
    const rows: { removed: Record<string, number> }[] = await this.dataSource.query(
      `SELECT removed FROM erased_people WHERE no = $1`,
      [no],
    );
    return rows[0]?.removed ?? {};
  }

  /**
   * Public pages that showed the person (their campaigns and funds) are dropped from every
   * process's page cache at commit (the same notice the page-change triggers send).
   */
  async notifyPages(m: EntityManager, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const payload = tags.length > 50 ? 'foundation' : tags.join(',');
    await m.query(`SELECT pg_notify($1, $2)`, [PAGE_CHANGES_CHANNEL, payload]);
  }
}
