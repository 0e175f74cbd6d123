import { Injectable, Logger } from '@nestjs/common';
import { DONOR_DATA_ROLES } from '../../common/auth/roles';
import { type Actor, RequestContext } from '../../common/context/request-context';
import { TransactionService } from '../../database/transaction.service';
import { DonorExportForbiddenError } from '../privacy/privacy.errors';
import { AuditService } from './audit.service';

/** The exports that carry donor personal data (names, emails, messages, tax fields). */
export const DONOR_EXPORTS = [
  'donations.csv',
  'fund-statement.csv',
  'audit-log.csv',
  'api-audit-log.csv',
] as const;
export type DonorExport = (typeof DONOR_EXPORTS)[number];

/**
 * Donor data leaves the system only through FINANCE or ADMIN (PIPL minimisation), and every such
 * export is audited with its row count: `privacy.donor_data_exported` (entity `donor_data`,
 * after: { export, rows, filters, complete }). Rows are counted while the file streams and the
 * audit row is written when the stream ends, also when the download is cut short (complete:
 * false), under the request's actor, address and request id.
 */
@Injectable()
export class DonorExportAudit {
  private readonly logger = new Logger('DonorExports');

  constructor(
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  /** Refuses anyone but FINANCE and ADMIN (DONOR_EXPORT_FORBIDDEN, 403). */
  assertMayExport(actor: Actor | undefined = RequestContext.actor()): void {
    if (actor?.kind !== 'user' || !actor.roles.some((r) => DONOR_DATA_ROLES.includes(r))) {
      throw new DonorExportForbiddenError();
    }
  }

  /**
   * The export's chunks as they are, passed through: the first `headerChunks` are the heading,
   * each other chunk one row (the CSV writers yield one line per row). Checks the actor first.
   */
  track(
    name: DonorExport,
    filters: Record<string, unknown>,
    chunks: AsyncIterable<string>,
    headerChunks = 1,
  ): AsyncGenerator<string> {
    this.assertMayExport();
    return this.counted(name, filters, chunks, headerChunks, RequestContext.current() ?? {});
  }

  private async *counted(
    name: DonorExport,
    filters: Record<string, unknown>,
    chunks: AsyncIterable<string>,
    headerChunks: number,
    context: RequestContext,
  ): AsyncGenerator<string> {
    let seen = 0;
    let complete = false;
    try {
      for await (const chunk of chunks) {
        seen += 1;
        yield chunk;
      }
      complete = true;
    } finally {
      await this.record(name, filters, Math.max(0, seen - headerChunks), complete, context);
    }
  }

  private async record(
    name: DonorExport,
    filters: Record<string, unknown>,
    rows: number,
    complete: boolean,
    context: RequestContext,
  ): Promise<void> {
    const defined = Object.fromEntries(
      Object.entries(filters).filter(([, v]) => v !== undefined && v !== null && v !== ''),
    );
    try {
      await RequestContext.run(context, () =>
        this.tx.run((m) =>
          this.audit.record(m, {
            action: 'privacy.donor_data_exported',
            entityType: 'donor_data',
            entityId: name,
            after: { export: name, rows, filters: defined, complete },
          }),
        ),
      );
    } catch (error) {
      // The file is already sent; a lost audit row is logged loudly rather than thrown into a
      // stream that has nobody left to answer.
      this.logger.error(`the audit row of export ${name} (${rows} rows) was not written`, error);
    }
  }
}
