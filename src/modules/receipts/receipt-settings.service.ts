import { Injectable } from '@nestjs/common';
import sharp from 'sharp';
import { TransactionService, type TransactionOptions } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { ReceiptSealInvalidError, ReceiptSealTooLargeError } from './receipts.errors';
import { ReceiptsRepository } from './receipts.repository';
import type { ReceiptSettings } from './receipts.types';
import { words } from '../../common/i18n/i18n';

/** The largest seal file taken (before it is re-encoded). */
export const SEAL_MAX_BYTES = 1024 * 1024;
/** Pixels a seal may declare, checked from the header before decoding (a PNG bomb stops here). */
const SEAL_MAX_PIXELS = 16_000_000;
/** Stored seals fit in this many pixels on their long side (printed at about 4 cm). */
const SEAL_MAX_EDGE = 1000;

/** The receipt wording a foundation edits; the limits are the table's CHECKs. */
export interface ReceiptWording {
  addressZh: string;
  addressEn: string;
  titleZh: string;
  titleEn: string;
  statementZh: string;
  statementEn: string;
  signatory: string;
}

export const WORDING_LIMITS: Record<keyof ReceiptWording, { min: number; max: number }> = {
  addressZh: { min: 0, max: 300 },
  addressEn: { min: 0, max: 300 },
  titleZh: { min: 1, max: 60 },
  titleEn: { min: 1, max: 60 },
  statementZh: { min: 1, max: 1000 },
  statementEn: { min: 1, max: 1000 },
  signatory: { min: 0, max: 100 },
};

export type ReceiptSettingsView = ReceiptWording & {
  hasSeal: boolean;
  updatedAt: Date;
  updatedBy: string | null;
};

const UNREADABLE = words('errors.receipts.sealUnreadable');

/**
 * The foundation's receipt wording and seal image (one row): read for the settings pages and the
 * API, changed by an ADMIN (audited). Receipts already issued keep the words they were issued
 * with (their content is frozen); only the seal is read when a document is made.
 */
@Injectable()
export class ReceiptSettingsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ReceiptsRepository,
    private readonly audit: AuditService,
  ) {}

  async get(opts: TransactionOptions = {}): Promise<ReceiptSettingsView> {
    return view(await this.repo.settings(opts));
  }

  /** The seal as stored (PNG), or null when none was uploaded. */
  async seal(): Promise<Buffer | null> {
    return (await this.repo.settings()).sealPng;
  }

  async save(
    wording: ReceiptWording,
    actorId: string | null,
    opts: TransactionOptions = {},
  ): Promise<ReceiptSettingsView> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'receipt:settings');
      const before = view(await this.repo.settings({ within: m }));
      await this.repo.saveSettings(m, { ...wording, updatedBy: actorId });
      const after = view(await this.repo.settings({ within: m }));
      await this.audit.record(m, {
        action: 'receipt.settings_changed',
        entityType: 'receipt_settings',
        entityId: '1',
        before: wordingOf(before),
        after: wordingOf(after),
      });
      return after;
    }, opts);
  }

  /**
   * Stores a new seal: PNG or JPEG judged by its bytes, at most 1 MB, decoded in full and written
   * again as PNG (nothing but the pixels survives: no scripts, EXIF or text chunks).
   */
  async saveSeal(data: Buffer, actorId: string | null): Promise<ReceiptSettingsView> {
    const png = await reencodeSeal(data);
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'receipt:settings');
      const current = await this.repo.settings({ within: m });
      await this.repo.saveSettings(m, {
        ...wordingOf(view(current)),
        updatedBy: actorId,
        sealPng: png,
      });
      await this.audit.record(m, {
        action: 'receipt.seal_changed',
        entityType: 'receipt_settings',
        entityId: '1',
        before: { hasSeal: current.sealPng !== null },
        after: { hasSeal: true, bytes: png.length },
      });
      return view(await this.repo.settings({ within: m }));
    });
  }
}

function view(s: ReceiptSettings): ReceiptSettingsView {
  return {
    ...wordingOf(s),
    hasSeal: s.sealPng !== null,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  };
}

function wordingOf(s: ReceiptWording): ReceiptWording {
  return {
    addressZh: s.addressZh,
    addressEn: s.addressEn,
    titleZh: s.titleZh,
    titleEn: s.titleEn,
    statementZh: s.statementZh,
    statementEn: s.statementEn,
    signatory: s.signatory,
  };
}

function sniffSeal(data: Buffer): 'png' | 'jpeg' | null {
  const starts = (bytes: number[]) =>
    data.length >= bytes.length && bytes.every((b, i) => data[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  return null;
}

/** The seal's pixels written again as PNG (transparency kept), at most SEAL_MAX_EDGE wide. */
export async function reencodeSeal(data: Buffer): Promise<Buffer> {
  if (data.length === 0) throw new ReceiptSealInvalidError(words('errors.receipts.sealEmpty'));
  if (data.length > SEAL_MAX_BYTES) throw new ReceiptSealTooLargeError(data.length, SEAL_MAX_BYTES);
  const format = sniffSeal(data);
  if (!format) {
    throw new ReceiptSealInvalidError(words('errors.receipts.sealNotImage'));
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new ReceiptSealInvalidError(UNREADABLE);
  }
  if (meta.format !== format) throw new ReceiptSealInvalidError(UNREADABLE);
  const { width, height } = meta.autoOrient;
  if (!width || !height) throw new ReceiptSealInvalidError(UNREADABLE);
  if (width * height > SEAL_MAX_PIXELS) {
    throw new ReceiptSealInvalidError(
      words('errors.receipts.sealPixels', { width: String(width), height: String(height) }),
    );
  }
  try {
    return await sharp(data, { failOn: 'truncated', limitInputPixels: SEAL_MAX_PIXELS })
      .autoOrient()
      .resize(SEAL_MAX_EDGE, SEAL_MAX_EDGE, { fit: 'inside', withoutEnlargement: true })
      .timeout({ seconds: 20 })
      .png({ compressionLevel: 9 })
      .toBuffer();
  } catch {
    throw new ReceiptSealInvalidError(UNREADABLE);
  }
}
