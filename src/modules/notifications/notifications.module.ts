import { Module } from '@nestjs/common';
import { QueueModule } from '../../queue/queue.module';
import { DevOutboxController } from './dev-outbox.controller';
import { DevOutboxService } from './dev-outbox.service';
import { EmailAttachments } from './email-attachments';
import { EmailRecordsRepository } from './email-records.repository';
import { EmailRecordsService } from './email-records.service';
import { EmailRenderer } from './email-renderer';
import { EmailProcessor } from './email.processor';
import { MailTransport } from './mail-transport';
import { OutboxService } from './outbox.service';

/** Email: templates, transports (SMTP or files), the EMAIL processor and the dev outbox page. */
@Module({
  imports: [QueueModule],
  controllers: [DevOutboxController],
  providers: [
    OutboxService,
    EmailRenderer,
    MailTransport,
    EmailProcessor,
    DevOutboxService,
    EmailAttachments,
    EmailRecordsRepository,
    EmailRecordsService,
  ],
  exports: [OutboxService, EmailAttachments, EmailRecordsService],
})
export class NotificationsModule {}
