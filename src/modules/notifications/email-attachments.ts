import { Injectable } from '@nestjs/common';

/** A file attached to an email, made at send time (a receipt's PDF). */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** What an outbox email row names instead of the file itself: a source and an id in it. */
export interface AttachmentRef {
  source: string;
  id: string;
}

type Producer = (id: string) => Promise<EmailAttachment>;

/** Thrown when a row names a source nobody registered: no retry can help. */
export class UnknownAttachmentSourceError extends Error {}

/**
 * Modules that attach files register a producer per source (`receipt-pdf` → the receipts
 * module) in `onModuleInit`; the email processor asks it for each attachment when it sends. The
 * outbox row keeps only the reference, so a retry attaches the same document again.
 */
@Injectable()
export class EmailAttachments {
  private readonly producers = new Map<string, Producer>();

  register(source: string, producer: Producer): void {
    if (this.producers.has(source))
      throw new Error(`an attachment source ${source} is already registered`);
    this.producers.set(source, producer);
  }

  has(source: string): boolean {
    return this.producers.has(source);
  }

  async produce(refs: readonly AttachmentRef[]): Promise<EmailAttachment[]> {
    return Promise.all(
      refs.map((ref) => {
        const producer = this.producers.get(ref.source);
        if (!producer) throw new UnknownAttachmentSourceError(`no attachment source ${ref.source}`);
        return producer(ref.id);
      }),
    );
  }
}
