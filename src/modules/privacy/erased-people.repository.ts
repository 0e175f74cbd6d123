import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rowsOf } from '../../database/query-result';

export type ErasedKind = 'DONOR' | 'STAFF';
export type ErasureReason = 'REQUEST' | 'RETENTION' | 'STAFF_REMOVED';

/**
 * The only place that writes erased_people: one row per person erased, whose `no` is the n of
 * "已删除的捐赠人 #n" / "已删除的工作人员 #n", and how many rows of each kind lost their data.
 */
@Injectable()
export class ErasedPeopleRepository {
  /** A new erased person (in the caller's transaction); returns their number. */
  async insert(
    m: EntityManager,
    person: { kind: ErasedKind; reason: ErasureReason; erasedBy: string | null },
  ): Promise<number> {
    const rows = rowsOf<{ no: number }>(
      await m.query(
        `INSERT INTO erased_people (kind, reason, erased_by) VALUES ($1, $2, $3) RETURNING no`,
        [person.kind, person.reason, person.erasedBy],
      ),
    );
    return rows[0]!.no;
  }

  /** Records what the erasure removed: counts by kind of row. */
  async setRemoved(m: EntityManager, no: number, removed: Record<string, number>): Promise<void> {
    await m.query(`UPDATE erased_people SET removed = $2 WHERE no = $1`, [no, removed]);
  }
}
