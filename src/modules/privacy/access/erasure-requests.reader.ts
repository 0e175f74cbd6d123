import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface ErasureRequestView {
  status: string;
  requestedAt: Date;
  confirmedAt: Date | null;
  dueAt: Date | null;
}

/**
 * The erasure requests of an address, for its access download (read only; the erasure part owns
 * the requests' lifecycle). Exact match on the lower-cased email.
 */
@Injectable()
export class ErasureRequestsReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async forEmail(email: string): Promise<ErasureRequestView[]> {
    return this.dataSource.query<ErasureRequestView[]>(
      `SELECT status, requested_at AS "requestedAt", confirmed_at AS "confirmedAt",
              due_at AS "dueAt"
         FROM erasure_requests WHERE email = $1 ORDER BY requested_at, id`,
      [email],
    );
  }

  /** Of these addresses, those with an erasure request still open (awaiting or confirmed). */
  async withOpenRequest(emails: readonly string[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const rows = await this.dataSource.query<{ email: string }[]>(
      `SELECT email FROM erasure_requests
        WHERE email = ANY($1::text[]) AND status IN ('AWAITING_CONFIRMATION', 'CONFIRMED')`,
      [emails],
    );
    return new Set(rows.map((r) => r.email));
  }
}
