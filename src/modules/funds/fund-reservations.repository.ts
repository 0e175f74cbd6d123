import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable } from '../../database/table-map';
import type { TransactionOptions } from '../../database/transaction.service';

/** The fund_reservations table, mapped once: SELECT list and typed rows. */
export const FUND_RESERVATIONS = defineTable('fund_reservations', {
  id: col.uuid('id'),
  fundId: col.uuid('fund_id'),
  source: col.text('source'),
  description: col.text('description'),
  reservedMinor: col.bigint('reserved_minor'),
  drawnMinor: col.bigint('drawn_minor'),
  createdAt: col.timestamptz('created_at'),
  releasedAt: col.timestamptz.nullable('released_at'),
});

export interface FundReservation {
  id: string;
  fundId: string;
  /** Who set the money aside, e.g. `round:<id>`: unique, so reserving twice is refused. */
  source: string;
  description: string;
  reservedMinor: number;
  drawnMinor: number;
  createdAt: Date;
  releasedAt: Date | null;
}

const COLUMNS = FUND_RESERVATIONS.select('r');

/** The only place that queries fund_reservations. */
@Injectable()
export class FundReservationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** What a fund's open reservations still hold back (reserved less drawn). */
  async outstanding(fundId: string, opts: TransactionOptions = {}): Promise<number> {
    const rows: { minor: string }[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT coalesce(sum(reserved_minor - drawn_minor), 0)::text AS minor
       FROM fund_reservations WHERE fund_id = $1 AND released_at IS NULL`,
      [fundId],
    );
    return Number(rows[0]?.minor ?? 0);
  }

  /** Outstanding reservations per fund, for lists (funds without any are absent). */
  async outstandingByFund(opts: TransactionOptions = {}): Promise<Map<string, number>> {
    const rows: { fund_id: string; minor: string }[] = await (
      opts.within ?? this.dataSource.manager
    ).query(
      `SELECT fund_id, sum(reserved_minor - drawn_minor)::text AS minor
       FROM fund_reservations WHERE released_at IS NULL GROUP BY fund_id`,
    );
    return new Map(rows.map((r) => [r.fund_id, Number(r.minor)]));
  }

  async insert(
    manager: EntityManager,
    data: { fundId: string; source: string; description: string; reservedMinor: number },
  ): Promise<FundReservation | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO fund_reservations AS r (fund_id, source, description, reserved_minor)
       VALUES ($1, $2, $3, $4) ON CONFLICT (source) DO NOTHING RETURNING ${COLUMNS}`,
      [data.fundId, data.source, data.description, data.reservedMinor],
    );
    return rows[0] ? FUND_RESERVATIONS.map(rows[0]) : null;
  }

  async lock(manager: EntityManager, source: string): Promise<FundReservation | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${COLUMNS} FROM fund_reservations r WHERE r.source = $1 FOR UPDATE`,
      [source],
    );
    return rows[0] ? FUND_RESERVATIONS.map(rows[0]) : null;
  }

  async find(source: string, opts: TransactionOptions = {}): Promise<FundReservation | null> {
    const rows: Record<string, unknown>[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM fund_reservations r WHERE r.source = $1`,
      [source],
    );
    return rows[0] ? FUND_RESERVATIONS.map(rows[0]) : null;
  }

  async addDrawn(manager: EntityManager, id: string, amountMinor: number): Promise<void> {
    await manager.query(
      `UPDATE fund_reservations SET drawn_minor = drawn_minor + $2 WHERE id = $1`,
      [id, amountMinor],
    );
  }

  async resize(manager: EntityManager, id: string, reservedMinor: number): Promise<void> {
    await manager.query(`UPDATE fund_reservations SET reserved_minor = $2 WHERE id = $1`, [
      id,
      reservedMinor,
    ]);
  }

  async release(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE fund_reservations SET released_at = now() WHERE id = $1 AND released_at IS NULL`,
      [id],
    );
  }
}
