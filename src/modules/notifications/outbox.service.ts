import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxWriter } from '../../queue/outbox-writer';
import { toEmailPayload, type EmailMessage } from './email-message';
import { MailTransport } from './mail-transport';

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
  constructor(
    private readonly writer: OutboxWriter,
    private readonly transport: MailTransport,
  ) {}

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

  /**
   * Donor erasure, in the caller's transaction: every email to the address, or whose data holds
   * it, keeps only its template and language, and one not sent yet is never sent (marked FAILED
   * with `reason`). Returns the outbox ids, for `forgetFiles` once the transaction committed.
   */
  eraseRecipient(manager: EntityManager, email: string, reason: string): Promise<string[]> {
    return this.writer.redactEmailsMentioning(manager, email, reason);
  }

  /** After an erasure committed: the messages' copies on disk (embedded mode) deleted. */
  forgetFiles(outboxIds: readonly string[]): Promise<number> {
    return this.transport.forgetFiles(outboxIds);
  }
}
