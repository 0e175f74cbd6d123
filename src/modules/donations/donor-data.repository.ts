import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows } from '../../database/query-result';
import { DONATIONS } from './donations.repository';
import type { Donation } from './donations.types';

/**
 * Donors' personal data on gifts, as the privacy module needs it: every gift of one address (the
 * access download) and what retention takes away (IP addresses, expired donor links). Exact
 * matches on the lower-cased email, never a pattern.
 */
@Injectable()
export class DonorDataRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every gift of an address, whatever its status, oldest first. */
  async giftsOf(email: string): Promise<Donation[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${DONATIONS.select()} FROM donations WHERE donor_email = $1 ORDER BY created_at, id`,
      [email],
    );
    return rows.map((r) => DONATIONS.map(r));
  }

  /** Gifts made before `cutoff` forget the IP address they came from. */
  async clearIpsBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return affectedRows(
      await m.query(
        `UPDATE donations SET ip = NULL WHERE ip IS NOT NULL AND created_at < $1 RETURNING 1`,
        [cutoff],
      ),
    );
  }

  /** Donor links (stop a monthly gift, back to the form) that expired before `cutoff`. */
  async deleteLinksExpiredBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return affectedRows(
      await m.query(`DELETE FROM donor_links WHERE expires_at < $1 RETURNING 1`, [cutoff]),
    );
  }

  /**
   * Addresses whose last gift (any state) was made before `cutoff` and that have no monthly gift
   * still running (a subscription known and not stopped), at most `limit`, in a stable order.
   */
  async addressesLastGivenBefore(
    m: EntityManager,
    cutoff: Date,
    limit: number,
    only?: string,
  ): Promise<string[]> {
    const rows: { email: string }[] = await m.query(
      `SELECT donor_email AS email FROM donations
        WHERE donor_email IS NOT NULL AND ($3::text IS NULL OR donor_email = $3)
        GROUP BY donor_email
       HAVING max(created_at) < $1
          AND NOT bool_or(monthly AND provider_subscription_id IS NOT NULL
                          AND subscription_cancelled_at IS NULL)
        ORDER BY donor_email LIMIT $2`,
      [cutoff, limit, only ?? null],
    );
    return rows.map((r) => r.email);
  }
}
