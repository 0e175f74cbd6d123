import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../../../common/context/request-context';
import { ForbiddenError } from '../../../common/errors';
import { TransactionService } from '../../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import {
  AttachmentLockedError,
  AttachmentNotAllowedError,
  AttachmentNotFoundError,
  AttachmentOwnerNotFoundError,
  AttachmentTooLargeError,
  InvalidAttachmentError,
  TooManyAttachmentsError,
} from '../grants.errors';
import { reencodeImage } from './attachment-image';
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_MAX_PER_OWNER,
  type AttachmentOwner,
  type AttachmentPerson,
  canReadAttachments,
  checkAddAttachment,
  NOT_AN_ATTACHMENT,
  type OwnerFacts,
  sanitizeFileName,
  sniffAttachment,
} from './attachment-rules';
import { AttachmentStorage } from './attachment-storage';
import { type GrantAttachment, GrantAttachmentsRepository } from './attachments.repository';
import { words } from '../../../common/i18n/i18n';

/** A file as it arrived: its bytes and the name the client gave it (if any). */
export interface AttachmentFile {
  data: Buffer;
  fileName?: string | null;
}

/** An attachment as the API shows it (the storage key stays inside). */
export type AttachmentView = Omit<GrantAttachment, 'storageKey'> & {
  /** The API download (bearer token). */
  url: string;
  /** The back office's download (signed-in session), for pages. */
  pageUrl: string;
};

export function attachmentView(a: GrantAttachment): AttachmentView {
  const { storageKey: _key, ...rest } = a;
  return {
    ...rest,
    url: `/api/v1/grants/attachments/${a.id}`,
    pageUrl: `/admin/grants/attachments/${a.id}`,
  };
}

function person(actor: Actor | undefined): AttachmentPerson {
  if (actor?.kind !== 'user')
    throw new ForbiddenError(words('errors.grants.forbidden.attachments'));
  return { userId: actor.userId, roles: actor.roles, fundIds: actor.fundIds };
}

/** 10 MB in words, for messages. */
const MAX_WORDS = `${ATTACHMENT_MAX_BYTES / 1024 / 1024} MB`;

/**
 * Files attached to grant applications, reports and expenses (PDF, JPEG, PNG, WebP). The type is
 * judged by content (PDF header and end marker; images decoded and encoded again), at most 10 MB
 * and 20 per owner, names cleaned, sha256 kept; bytes under DATA_DIR/attachments by a random name.
 * Who may add or read follows the owner (attachment-rules.ts).
 */
@Injectable()
export class GrantAttachmentsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: GrantAttachmentsRepository,
    private readonly storage: AttachmentStorage,
    private readonly audit: AuditService,
  ) {}

  /**
   * Checks and stores a file for `owner`. With `m`, the row is written in the caller's transaction
   * (e.g. an expense and its invoice together); the file is checked and written to disk first.
   */
  async add(
    m: EntityManager | undefined,
    owner: AttachmentOwner,
    file: AttachmentFile,
    actor: Actor | undefined,
  ): Promise<AttachmentView> {
    const who = person(actor);
    // Who may add is checked before the bytes are looked at (a stranger learns nothing more).
    await this.assertMayAdd(owner, who, m);
    const { data, contentType } = await this.checkedBytes(file.data);
    const fileName = sanitizeFileName(file.fileName, contentType);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const storageKey = await this.storage.save(data);
    try {
      const saved = await this.tx.run(
        async (tm) => {
          await this.repo.lockOwner(tm, owner);
          const facts = await this.assertMayAdd(owner, who, tm);
          if ((await this.repo.count(tm, owner)) >= ATTACHMENT_MAX_PER_OWNER) {
            throw new TooManyAttachmentsError(ATTACHMENT_MAX_PER_OWNER);
          }
          const row = await this.repo.insert(tm, {
            ...owner,
            fileName,
            contentType,
            sizeBytes: data.length,
            sha256,
            storageKey,
            uploadedBy: who.userId,
          });
          await this.audit.record(tm, {
            action: 'grant.attachment.added',
            entityType: 'grant_attachment',
            entityId: row.id,
            after: {
              ...owner,
              ownerStatus: facts.status,
              fileName,
              contentType,
              sizeBytes: data.length,
              sha256,
            },
          });
          return row;
        },
        m ? { within: m } : {},
      );
      return attachmentView(saved);
    } catch (error) {
      await this.storage.remove(storageKey);
      throw error;
    }
  }

  /** The owner's files, oldest first (no permission check: for pages that checked the owner). */
  async list(owner: AttachmentOwner, m?: EntityManager): Promise<AttachmentView[]> {
    return (await this.repo.list(owner, m ? { within: m } : {})).map(attachmentView);
  }

  /** The owner's files for someone who may see them (404 when they may not know it exists). */
  async listFor(owner: AttachmentOwner, actor: Actor | undefined): Promise<AttachmentView[]> {
    const who = person(actor);
    const facts = await this.repo.ownerFacts(owner);
    if (!facts || !canReadAttachments(who, facts)) {
      throw new AttachmentOwnerNotFoundError(owner.ownerType, owner.ownerId);
    }
    return this.list(owner);
  }

  /** A file to download, for someone who may see its owner's files (404 otherwise). */
  async open(
    id: string,
    actor: Actor | undefined,
  ): Promise<{ attachment: AttachmentView; stream: ReadStream; size: number }> {
    const who = person(actor);
    const row = await this.repo.get(id);
    if (!row) throw new AttachmentNotFoundError(id);
    const facts = await this.repo.ownerFacts(row);
    if (!facts || !canReadAttachments(who, facts)) throw new AttachmentNotFoundError(id);
    const file = await this.storage.open(row.storageKey);
    if (!file) throw new AttachmentNotFoundError(id);
    return { attachment: attachmentView(row), ...file };
  }

  private async assertMayAdd(
    owner: AttachmentOwner,
    who: AttachmentPerson,
    m: EntityManager | undefined,
  ): Promise<OwnerFacts> {
    const facts = await this.repo.ownerFacts(owner, m ? { within: m } : {});
    if (!facts) throw new AttachmentOwnerNotFoundError(owner.ownerType, owner.ownerId);
    const verdict = checkAddAttachment(who, facts);
    if (verdict.allowed) return facts;
    if (!canReadAttachments(who, facts)) {
      throw new AttachmentOwnerNotFoundError(owner.ownerType, owner.ownerId);
    }
    throw verdict.code === 'ATTACHMENT_LOCKED'
      ? new AttachmentLockedError(verdict.words)
      : new AttachmentNotAllowedError(verdict.words);
  }

  private async checkedBytes(data: Buffer) {
    if (data.length === 0) throw new InvalidAttachmentError(words('errors.grants.attachmentEmpty'));
    if (data.length > ATTACHMENT_MAX_BYTES) {
      throw new AttachmentTooLargeError(
        words('errors.grants.attachmentTooLarge', {
          size: `${Math.ceil(data.length / 1024)} KB`,
          max: MAX_WORDS,
        }),
      );
    }
    const contentType = sniffAttachment(data);
    if (!contentType) throw new InvalidAttachmentError(NOT_AN_ATTACHMENT);
    if (contentType === 'application/pdf') return { data, contentType };
    const encoded = await reencodeImage(data, contentType);
    return { data: encoded, contentType };
  }
}
