import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import type {
  AttachmentContentType,
  AttachmentOwner,
  AttachmentOwnerType,
  OwnerFacts,
} from './attachment-rules';

/** The grant_attachments table, mapped once. */
export const GRANT_ATTACHMENTS = defineTable('grant_attachments', {
  id: col.uuid('id'),
  ownerType: col.text<AttachmentOwnerType>('owner_type'),
  ownerId: col.uuid('owner_id'),
  fileName: col.text('file_name'),
  contentType: col.text<AttachmentContentType>('content_type'),
  sizeBytes: col.int('size_bytes'),
  sha256: col.char('sha256'),
  storageKey: col.text('storage_key'),
  isPublic: col.bool('is_public'),
  uploadedBy: col.uuid('uploaded_by'),
  createdAt: col.timestamptz('created_at'),
});

export interface GrantAttachment {
  id: string;
  ownerType: AttachmentOwnerType;
  ownerId: string;
  fileName: string;
  contentType: AttachmentContentType;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
  isPublic: boolean;
  uploadedBy: string;
  createdAt: Date;
}

const COLUMNS = GRANT_ATTACHMENTS.select('a');
type Row = Record<string, unknown>;
const toAttachment = (row: Row): GrantAttachment => GRANT_ATTACHMENTS.map(row);

/**
 * The only place that writes grant_attachments; it also reads, read-only, the few columns of the
 * owner tables (applications, reports, expenses) that say who may touch an owner's files.
 */
@Injectable()
export class GrantAttachmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Serialises adds to one owner, so the per-owner count is checked one upload at a time. */
  async lockOwner(manager: EntityManager, owner: AttachmentOwner): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('grant-attachments:' || $1, 0))`,
      [owner.ownerId],
    );
  }

  async count(manager: EntityManager, owner: AttachmentOwner): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM grant_attachments WHERE owner_type = $1 AND owner_id = $2`,
      [owner.ownerType, owner.ownerId],
    );
    return rows[0]?.n ?? 0;
  }

  async insert(
    manager: EntityManager,
    a: Omit<GrantAttachment, 'id' | 'createdAt' | 'isPublic'>,
  ): Promise<GrantAttachment> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_attachments AS a (owner_type, owner_id, file_name, content_type,
         size_bytes, sha256, storage_key, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING ${COLUMNS}`,
      [
        a.ownerType,
        a.ownerId,
        a.fileName,
        a.contentType,
        a.sizeBytes,
        a.sha256,
        a.storageKey,
        a.uploadedBy,
      ],
    );
    return toAttachment(rows[0]!);
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<GrantAttachment | null> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM grant_attachments a WHERE a.id = $1`,
      [id],
    );
    return rows[0] ? toAttachment(rows[0]) : null;
  }

  async list(owner: AttachmentOwner, opts: TransactionOptions = {}): Promise<GrantAttachment[]> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM grant_attachments a
       WHERE a.owner_type = $1 AND a.owner_id = $2 ORDER BY a.created_at, a.id`,
      [owner.ownerType, owner.ownerId],
    );
    return rows.map(toAttachment);
  }

  /** Who may touch the owner's files, read from its own table; null when there is no such owner. */
  async ownerFacts(
    owner: AttachmentOwner,
    opts: TransactionOptions = {},
  ): Promise<OwnerFacts | null> {
    const q = opts.within ?? this.dataSource.manager;
    switch (owner.ownerType) {
      case 'APPLICATION': {
        const rows: { status: string; applicantId: string; reviewerIds: string[] }[] =
          await q.query(
            `SELECT g.status, g.applicant_id AS "applicantId",
             COALESCE(array_agg(r.reviewer_id) FILTER (WHERE r.reviewer_id IS NOT NULL), '{}')::text[]
               AS "reviewerIds"
           FROM grant_applications g
           LEFT JOIN grant_review_assignments r ON r.application_id = g.id
           WHERE g.id = $1 GROUP BY g.id`,
            [owner.ownerId],
          );
        return rows[0] ? { ownerType: 'APPLICATION', ...rows[0] } : null;
      }
      case 'REPORT': {
        const rows: { status: string; submittedBy: string; granteeId: string }[] = await q.query(
          `SELECT r.status, r.submitted_by AS "submittedBy", g.applicant_id AS "granteeId"
           FROM grant_reports r
           JOIN grant_awards w ON w.id = r.award_id
           JOIN grant_applications g ON g.id = w.application_id
           WHERE r.id = $1`,
          [owner.ownerId],
        );
        return rows[0] ? { ownerType: 'REPORT', ...rows[0] } : null;
      }
      case 'EXPENSE': {
        const rows: { status: string; requestedBy: string; fundId: string }[] = await q.query(
          `SELECT e.status, e.requested_by AS "requestedBy", e.fund_id AS "fundId"
           FROM fund_expenses e WHERE e.id = $1`,
          [owner.ownerId],
        );
        return rows[0] ? { ownerType: 'EXPENSE', ...rows[0] } : null;
      }
    }
  }
}
