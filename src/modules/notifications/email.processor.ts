import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  OutboxHandlerRegistry,
  PermanentOutboxError,
  type OutboxHandler,
} from '../../queue/outbox-handlers';
import type { OutboxMessage } from '../../queue/outbox.entity';
import { EmailAttachments, UnknownAttachmentSourceError } from './email-attachments';
import { parseEmailPayload } from './email-message';
import { EmailRenderer } from './email-renderer';
import { isPermanentSmtpError, MailTransport, type OutgoingEmail } from './mail-transport';

/**
 * Sends the email of one outbox row (kind EMAIL). Rendering happens here, at send time, from the
 * stored payload; a payload or template that cannot render fails permanently, as does a recipient
 * the SMTP server refuses with a 5xx. Everything else (timeouts, 4xx) is retried.
 */
@Injectable()
export class EmailProcessor implements OutboxHandler<'EMAIL'>, OnModuleInit {
  constructor(
    private readonly registry: OutboxHandlerRegistry,
    private readonly renderer: EmailRenderer,
    private readonly transport: MailTransport,
    private readonly attachments: EmailAttachments,
  ) {}

  onModuleInit(): void {
    this.registry.register('EMAIL', this);
  }

  async handle(message: OutboxMessage<'EMAIL'>): Promise<void> {
    const email = this.prepare(message);
    // Made now, at each attempt: a document that cannot be made yet fails the attempt (retried).
    try {
      email.attachments = await this.attachments.produce(message.payload.attachments ?? []);
    } catch (error) {
      if (error instanceof UnknownAttachmentSourceError)
        throw new PermanentOutboxError(error.message, { cause: error });
      throw error;
    }
    try {
      await this.transport.send(email);
    } catch (error) {
      if (isPermanentSmtpError(error)) {
        throw new PermanentOutboxError((error as Error).message, { cause: error });
      }
      throw error;
    }
  }

  private prepare(message: OutboxMessage<'EMAIL'>): OutgoingEmail {
    try {
      const { attachments: _refs, ...payload } = parseEmailPayload(message.payload);
      return { id: message.id, ...payload, ...this.renderer.render(payload) };
    } catch (error) {
      throw new PermanentOutboxError(`cannot render: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
