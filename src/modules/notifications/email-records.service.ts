import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EmailRecordsRepository, type EmailRecord } from './email-records.repository';
import { MailTransport } from './mail-transport';

/**
 * Emails as personal data, for the privacy module: which went to an address (the access
 * download), and the bodies retention empties once their period is over (outbox rows, and the
 * files the embedded mode writes instead of sending).
 */
@Injectable()
export class EmailRecordsService {
  constructor(
    private readonly repo: EmailRecordsRepository,
    private readonly transport: MailTransport,
  ) {}

  sentTo(email: string): Promise<EmailRecord[]> {
    return this.repo.sentTo(email);
  }

  redactBodiesFinishedBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return this.repo.redactFinishedBefore(m, cutoff);
  }

  deleteMailFilesWrittenBefore(cutoff: Date): Promise<number> {
    return this.transport.deleteWrittenBefore(cutoff);
  }
}
