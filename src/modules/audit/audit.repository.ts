import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable } from '../../database/table-map';
import type { AuditEntry, AuditFilter } from './audit.types';

/** The audit_log table, mapped once: SELECT list and typed rows. */
export const AUDIT_LOG = defineTable('audit_log', {
  id: col.bigint('id'),
  at: col.timestamptz('at'),
  actorUserId: col.uuid.nullable('actor_user_id'),
  actorLabel: col.text('actor_label'),
  ip: col.text.nullable('ip'),
  requestId: col.text.nullable('request_id'),
  action: col.text('action'),
  entityType: col.text('entity_type'),
  entityId: col.text.nullable('entity_id'),
  before: col.jsonb.nullable('before'),
  after: col.jsonb.nullable('after'),
});

/** The only place that queries audit_log (append-only: the database refuses UPDATE and DELETE). */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, row: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (actor_user_id, actor_label, ip, request_id, action, entity_type, entity_id, before, after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.actorUserId,
        row.actorLabel,
        row.ip,
        row.requestId,
        row.action,
        row.entityType,
        row.entityId,
        row.before === undefined ? null : JSON.stringify(row.before),
        row.after === undefined ? null : JSON.stringify(row.after),
      ],
    );
  }

  /** Newest first, keyset-paginated by id. */
  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${AUDIT_LOG.select()}
       FROM audit_log
       WHERE ($1::text IS NULL OR action = $1 OR action LIKE $1 || '.%')
         AND ($2::uuid IS NULL OR actor_user_id = $2)
         AND ($3::text IS NULL OR entity_type = $3)
         AND ($4::text IS NULL OR entity_id = $4)
         AND ($5::timestamptz IS NULL OR at >= $5)
         AND ($6::timestamptz IS NULL OR at < $6)
         AND ($7::bigint IS NULL OR id < $7)
       ORDER BY id DESC LIMIT $8`,
      [
        filter.action ?? null,
        filter.actorUserId ?? null,
        filter.entityType ?? null,
        filter.entityId ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.beforeId ?? null,
        filter.limit,
      ],
    );
    return rows.map((r) => AUDIT_LOG.map(r));
  }

  /**
   * Rows that mention any of `needles` (case-insensitive) in their actor label, address or
   * before/after, locked for redaction in the caller's transaction.
   */
  async mentioning(m: EntityManager, needles: readonly string[]): Promise<AuditEntry[]> {
    const patterns = needles.map((n) => `%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${AUDIT_LOG.select()} FROM audit_log
        WHERE actor_label ILIKE ANY ($1) OR ip ILIKE ANY ($1)
           OR before::text ILIKE ANY ($1) OR after::text ILIKE ANY ($1)
        ORDER BY id FOR UPDATE`,
      [patterns],
    );
    return rows.map((r) => AUDIT_LOG.map(r));
  }

  /** The one update the audit log allows (its trigger checks it): personal data taken out. */
  async redact(
    m: EntityManager,
    id: number,
    row: Pick<AuditEntry, 'actorLabel' | 'ip' | 'before' | 'after'>,
  ): Promise<void> {
    await m.query(
      `UPDATE audit_log SET actor_label = $2, ip = $3, before = $4, after = $5, redacted_at = clock_timestamp()
        WHERE id = $1`,
      [
        id,
        row.actorLabel,
        row.ip,
        row.before === null || row.before === undefined ? null : JSON.stringify(row.before),
        row.after === null || row.after === undefined ? null : JSON.stringify(row.after),
      ],
    );
  }
}
