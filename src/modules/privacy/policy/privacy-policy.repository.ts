import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable, type RowOf } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';

/** One published version of the privacy policy (never changed once published). */
export const PRIVACY_POLICIES = defineTable('privacy_policies', {
  version: col.int('version'),
  bodyZh: col.text('body_zh'),
  bodyEn: col.text('body_en'),
  publishedAt: col.timestamptz('published_at'),
  publishedBy: col.uuid.nullable('published_by'),
});

export type PrivacyPolicyRow = RowOf<typeof PRIVACY_POLICIES>;

/** The only place that queries privacy_policies. */
@Injectable()
export class PrivacyPolicyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async current(opts: TransactionOptions = {}): Promise<PrivacyPolicyRow> {
    const m = opts.within ?? this.dataSource.manager;
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${PRIVACY_POLICIES.select()} FROM privacy_policies ORDER BY version DESC LIMIT 1`,
    );
    // The personal-data migration seeds version 1, and versions are never deleted.
    return PRIVACY_POLICIES.map(rows[0]!);
  }

  async currentVersion(m: EntityManager): Promise<number> {
    const rows: { version: number }[] = await m.query(
      `SELECT max(version)::int AS version FROM privacy_policies`,
    );
    return rows[0]!.version;
  }

  async versions(): Promise<PrivacyPolicyRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.manager.query(
      `SELECT ${PRIVACY_POLICIES.select()} FROM privacy_policies ORDER BY version DESC`,
    );
    return rows.map((r) => PRIVACY_POLICIES.map(r));
  }

  async insertNext(
    m: EntityManager,
    p: { bodyZh: string; bodyEn: string; publishedBy: string | null },
  ): Promise<PrivacyPolicyRow> {
    const rows: Record<string, unknown>[] = await m.query(
      `INSERT INTO privacy_policies (version, body_zh, body_en, published_by)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3 FROM privacy_policies
       RETURNING ${PRIVACY_POLICIES.select()}`,
      [p.bodyZh, p.bodyEn, p.publishedBy],
    );
    return PRIVACY_POLICIES.map(rows[0]!);
  }
}
