import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RequestContext } from '../../common/context/request-context';
import { csvCell, csvLine } from '../../common/csv';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { AuditRepository } from './audit.repository';
import { AUDIT_CSV_COLUMNS, auditCsvCells } from './audit-words';
import type { AuditEntry, AuditFilter, AuditRecord } from './audit.types';

const CSV_COLUMNS = [
  'id',
  'at',
  'actorLabel',
  'actorUserId',
  'ip',
  'requestId',
  'action',
  'entityType',
  'entityId',
  'before',
  'after',
] as const;

/**
 * Who did what, when, from where, with the before and after of the thing changed. `record` must
 * be called with the business transaction's manager, so the row commits or rolls back with the
 * change. The actor comes from the request context (or the CLI's system actor).
 */
@Injectable()
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  async record(manager: EntityManager, record: AuditRecord): Promise<void> {
    const context = RequestContext.current();
    const actor = record.actor ? { kind: 'user' as const, ...record.actor } : context?.actor;
    await this.repo.insert(manager, {
      actorUserId: actor?.kind === 'user' ? actor.userId : null,
      actorLabel:
        actor?.kind === 'user'
          ? actor.email
          : actor?.kind === 'donor'
            ? `donor:${actor.email}`
            : actor?.kind === 'system'
              ? actor.label
              : 'anonymous',
      ip: context?.ip ?? null,
      requestId: context?.requestId ?? null,
      action: record.action,
      entityType: record.entityType,
      entityId: record.entityId ?? null,
      before: record.before,
      after: record.after,
    });
  }

  /**
   * Takes a person's data out of the audit log, in the caller's transaction (erasure, a removed
   * staff account): in every row that mentions one of `needles` (case-insensitive: an email, a
   * name, an address, an ID code), each string holding a needle (the actor label, the address,
   * any string inside before/after) becomes `replacement`. Who did what, and when, stays: the
   * database refuses any other change. Returns how many rows changed.
   */
  async redactPersonalData(
    m: EntityManager,
    needles: readonly string[],
    replacement: string,
  ): Promise<number> {
    const wanted = needles.map((n) => n.trim().toLowerCase()).filter((n) => n.length >= 2);
    if (wanted.length === 0) return 0;
    const holds = (s: string) => wanted.some((n) => s.toLowerCase().includes(n));
    let changed = 0;
    for (const row of await this.repo.mentioning(m, wanted)) {
      await this.repo.redact(m, row.id, {
        actorLabel: holds(row.actorLabel) ? replacement : row.actorLabel,
        ip: row.ip !== null && holds(row.ip) ? null : row.ip,
        before: redactJson(row.before, holds, replacement),
        after: redactJson(row.after, holds, replacement),
      });
      changed += 1;
    }
    return changed;
  }

  async list(query: Omit<AuditFilter, 'beforeId'> & { cursor?: string }) {
    const beforeId = query.cursor
      ? decodeCursor<{ id: number }>(query.cursor, (c) => Number.isSafeInteger(c.id)).id
      : undefined;
    const rows = await this.repo.list({ ...query, beforeId, limit: query.limit + 1 });
    const items = rows.slice(0, query.limit);
    return {
      items,
      nextCursor: rows.length > query.limit ? encodeCursor({ id: items.at(-1)!.id }) : null,
    };
  }

  /** Every matching row, newest first, fetched in pages so a long export does not load at once. */
  async *rows(filter: Omit<AuditFilter, 'beforeId' | 'limit'>): AsyncGenerator<AuditEntry> {
    let beforeId: number | undefined;
    for (;;) {
      const rows = await this.repo.list({ ...filter, beforeId, limit: 1000 });
      yield* rows;
      if (rows.length < 1000) return;
      beforeId = rows.at(-1)!.id;
    }
  }

  /** Every matching row as CSV for the API: its codes and JSON as stored, for programs. */
  async *csv(filter: Omit<AuditFilter, 'beforeId' | 'limit'>): AsyncGenerator<string> {
    yield `${CSV_COLUMNS.join(',')}\r\n`;
    for await (const row of this.rows(filter)) {
      yield `${CSV_COLUMNS.map((c) => csvCell(cellValue(row, c))).join(',')}\r\n`;
    }
  }

  /** Every matching row as CSV for people: headed in their language, codes and changes in words. */
  async *csvInWords(
    filter: Omit<AuditFilter, 'beforeId' | 'limit'>,
    locale: SupportedLocale,
  ): AsyncGenerator<string> {
    // A byte-order mark first: Excel reads UTF-8 (Chinese) CSV right only with one.
    yield (
      '\uFEFF' +
      csvLine(AUDIT_CSV_COLUMNS.map((c) => translate(locale, `admin.audit.csvColumns.${c}`)))
    );
    for await (const row of this.rows(filter)) yield csvLine(auditCsvCells(locale, row));
  }
}

function cellValue(row: AuditEntry, column: (typeof CSV_COLUMNS)[number]): string {
  const value = row[column];
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** A copy of a JSON value with each string (keys included) that holds a needle replaced. */
function redactJson(value: unknown, holds: (s: string) => boolean, replacement: string): unknown {
  if (typeof value === 'string') return holds(value) ? replacement : value;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, holds, replacement));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        holds(k) ? replacement : k,
        redactJson(v, holds, replacement),
      ]),
    );
  }
  return value;
}
