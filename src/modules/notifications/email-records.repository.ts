import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows } from '../../database/query-result';
import type { OutboxStatus } from '../../queue/outbox-status';
import type { EmailTemplate } from './email-message';

/** One email sent (or tried) to an address, without its content. */
export interface EmailRecord {
  id: string;
  template: EmailTemplate;
  status: OutboxStatus;
  createdAt: Date;
  sentAt: Date | null;
}

/**
 * The outbox's EMAIL rows as personal data: which emails went to an address (exact match on the
 * recipient), and emptying the bodies of old ones. The queue's own repository runs the rows'
 * lifecycle; this one only reads and redacts finished rows.
 */
@Injectable()
export class EmailRecordsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async sentTo(email: string): Promise<EmailRecord[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, payload->>'template' AS template, status, created_at AS "createdAt",
              sent_at AS "sentAt"
       FROM outbox WHERE kind = 'EMAIL' AND lower(payload->>'to') = $1
       ORDER BY created_at, id`,
      [email],
    );
    return rows.map((r) => ({
      id: r.id as string,
      template: r.template as EmailTemplate,
      status: r.status as OutboxStatus,
      createdAt: r.createdAt as Date,
      sentAt: (r.sentAt as Date | null) ?? null,
    }));
  }

  /**
   * Emails finished (sent, or failed for good) before `cutoff` keep their template and language
   * only: recipient, data and attachments go. A failed row's last attempt is no earlier than its
   * next_attempt_at was set, so that time stands in for when it failed.
   */
  async redactFinishedBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return affectedRows(
      await m.query(
        `UPDATE outbox
            SET payload = jsonb_build_object('template', payload->'template', 'locale',
                  payload->'locale', 'to', '', 'data', '{}'::jsonb),
                payload_redacted_at = now()
          WHERE kind = 'EMAIL' AND payload_redacted_at IS NULL
            AND ((status = 'SENT' AND sent_at < $1) OR (status = 'FAILED' AND next_attempt_at < $1))
          RETURNING 1`,
        [cutoff],
      ),
    );
  }
}
