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
}
