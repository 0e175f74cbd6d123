import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import { REVIEW_STATUSES, type ReviewStatus } from './review-status';

export { REVIEW_STATUSES, type ReviewStatus };

/**
 * The grant_review_assignments table, mapped once. weighted_score is numeric(12, 4): it is read
 * as text (`78.3333`, exact) beside this map, never as a float.
 */
export const GRANT_REVIEWS = defineTable('grant_review_assignments', {
  id: col.uuid('id'),
  applicationId: col.uuid('application_id'),
  reviewerId: col.uuid('reviewer_id'),
  status: col.text<ReviewStatus>('status'),
  assignedBy: col.uuid('assigned_by'),
  assignedAt: col.timestamptz('assigned_at'),
  dueAt: col.timestamptz('due_at'),
  scores: col.jsonb.nullable<Record<string, number>>('scores'),
  comment: col.text('comment'),
  recusalReason: col.text.nullable('recusal_reason'),
  submittedAt: col.timestamptz.nullable('submitted_at'),
});

export interface Review {
  id: string;
  applicationId: string;
  reviewerId: string;
  status: ReviewStatus;
  assignedBy: string;
  assignedAt: Date;
  dueAt: Date;
  scores: Record<string, number> | null;
  /** Σ weight × score / Σ weight, `78.3333`; null until submitted. */
  weightedScore: string | null;
  comment: string;
  recusalReason: string | null;
  submittedAt: Date | null;
}

export interface ReviewListItem extends Review {
  reviewer: { name: string; email: string };
  application: { title: string; status: string; roundId: string; communityId: string };
  round: { nameZh: string; nameEn: string; status: string };
}

const COLUMNS = `${GRANT_REVIEWS.select('ra')}, ra.weighted_score::text AS "weightedScore"`;
const LIST_COLUMNS = `${COLUMNS},
  json_build_object('name', u.name, 'email', u.email) AS reviewer,
  json_build_object('title', a.title, 'status', a.status, 'roundId', a.round_id,
    'communityId', a.community_id) AS application,
  json_build_object('nameZh', r.name_zh, 'nameEn', r.name_en, 'status', r.status) AS round`;
const LIST_FROM = `grant_review_assignments ra
  JOIN users u ON u.id = ra.reviewer_id
  JOIN grant_applications a ON a.id = ra.application_id
  JOIN grant_rounds r ON r.id = a.round_id`;

type Row = Record<string, unknown>;

function toReview(row: Row): Review {
  return {
    ...GRANT_REVIEWS.map(row),
    weightedScore: typeof row.weightedScore === 'string' ? row.weightedScore : null,
  };
}

function toListItem(row: Row): ReviewListItem {
  return {
    ...toReview(row),
    reviewer: row.reviewer as ReviewListItem['reviewer'],
    application: row.application as ReviewListItem['application'],
    round: row.round as ReviewListItem['round'],
  };
}

/** The only place that queries grant_review_assignments. */
@Injectable()
export class ReviewsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts an assignment; null when this reviewer is already assigned to the application. */
  async insert(
    manager: EntityManager,
    a: { applicationId: string; reviewerId: string; assignedBy: string; dueAt: Date },
  ): Promise<Review | null> {
    const rows: Row[] = await manager.query(
      `INSERT INTO grant_review_assignments AS ra (application_id, reviewer_id, assigned_by, due_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (application_id, reviewer_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [a.applicationId, a.reviewerId, a.assignedBy, a.dueAt],
    );
    return rows[0] ? toReview(rows[0]) : null;
  }

  async lock(manager: EntityManager, id: string): Promise<Review | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM grant_review_assignments ra WHERE ra.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toReview(rows[0]) : null;
  }

  async recuse(manager: EntityManager, id: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE grant_review_assignments SET status = 'RECUSED', recusal_reason = $2
       WHERE id = $1 AND status = 'ASSIGNED'`,
      [id, reason],
    );
  }

  async submit(
    manager: EntityManager,
    id: string,
    s: { scores: Record<string, number>; weightedScore: string; comment: string },
  ): Promise<void> {
    await manager.query(
      `UPDATE grant_review_assignments SET status = 'SUBMITTED', scores = $2,
         weighted_score = $3::numeric, comment = $4, submitted_at = now()
       WHERE id = $1 AND status = 'ASSIGNED'`,
      [id, JSON.stringify(s.scores), s.weightedScore, s.comment],
    );
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<ReviewListItem | null> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE ra.id = $1`,
      [id],
    );
    return rows[0] ? toListItem(rows[0]) : null;
  }

  async ofApplication(
    applicationId: string,
    opts: TransactionOptions = {},
  ): Promise<ReviewListItem[]> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE ra.application_id = $1
       ORDER BY ra.assigned_at, ra.id`,
      [applicationId],
    );
    return rows.map(toListItem);
  }

  /** A reviewer's assignments: open ones first (earliest due), then the rest newest first. */
  async ofReviewer(
    reviewerId: string,
    filter: { status?: ReviewStatus; limit: number },
  ): Promise<ReviewListItem[]> {
    const args: unknown[] = [reviewerId, filter.limit];
    let status = '';
    if (filter.status) {
      args.push(filter.status);
      status = 'AND ra.status = $3';
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE ra.reviewer_id = $1 ${status}
       ORDER BY ra.status = 'ASSIGNED' DESC,
         CASE WHEN ra.status = 'ASSIGNED' THEN ra.due_at END, ra.assigned_at DESC, ra.id
       LIMIT $2`,
      args,
    );
    return rows.map(toListItem);
  }

  /** Every review of a round's applications (for the ranking). */
  async ofRound(roundId: string, opts: TransactionOptions = {}): Promise<Review[]> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM grant_review_assignments ra
         JOIN grant_applications a ON a.id = ra.application_id
       WHERE a.round_id = $1`,
      [roundId],
    );
    return rows.map(toReview);
  }

  async reviewerIdsOf(applicationId: string, opts: TransactionOptions = {}): Promise<string[]> {
    const rows: { id: string }[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT reviewer_id AS id FROM grant_review_assignments WHERE application_id = $1`,
      [applicationId],
    );
    return rows.map((r) => r.id);
  }
}
