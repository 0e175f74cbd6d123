import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxWriter } from '../../queue/outbox-writer';
import { toEmailPayload, type EmailMessage } from './email-message';

/**
 * How business code sends email: inside its own transaction, never directly.
 *
 *   await this.tx.run(async (m) => {
 *     const user = await this.users.invite(m, dto);
 *     await this.outbox.enqueue(m, { template: 'user-invite', to: user.email, locale, data,
 *       dedupeKey: `invite:${user.id}` });
 *   });
 *
 * The email exists if and only if the transaction commits; it is sent after the commit by the
 * relay and a worker (or the in-process drainer), with retries.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly writer: OutboxWriter) {}

  /**
   * Validates the message (VALIDATION_FAILED if it could never render) and inserts its outbox row
   * with `manager`. Returns the outbox id; a dedupe key seen before returns the first row's id.
   */
  enqueue(manager: EntityManager, message: EmailMessage): Promise<string> {
    return this.writer.add(manager, 'EMAIL', toEmailPayload(message), message.dedupeKey);
  }

  /**
   * Takes an erased person's address out of every email to them, sent or not (in the caller's
   * transaction): what is left says only which template went out, when. Returns the count.
   */
  redactRecipient(manager: EntityManager, email: string): Promise<number> {
    return this.writer.redactEmailsTo(manager, email);
  }
}
