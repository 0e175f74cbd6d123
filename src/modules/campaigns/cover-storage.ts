import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppConfig } from '../../config/app-config';
import { type CoverFormat, coverVariantName, mimeOfUpload, uploadName } from './cover-image';

/**
 * Cover images on disk under DATA_DIR/uploads, named by 128 random bits: a name says nothing
 * about the campaign and cannot be guessed or chosen by the uploader.
 */
@Injectable()
export class CoverStorage {
  private readonly logger = new Logger(CoverStorage.name);

  constructor(private readonly config: AppConfig) {}

  get dir(): string {
    return path.join(this.config.dataDir, 'uploads');
  }

  /**
   * Writes a cover and its narrower copies (`<name>-w<width>.<ext>`); returns the cover's name.
   * Half-written sets are removed again, so a failure leaves nothing behind.
   */
  async save(
    data: Buffer,
    format: CoverFormat,
    variants: readonly { width: number; data: Buffer }[] = [],
  ): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = uploadName(randomBytes(16).toString('hex'), format);
    const write = (file: string, bytes: Buffer) =>
      writeFile(path.join(this.dir, file), bytes, { flag: 'wx', mode: 0o644 });
    await write(name, data);
    try {
      for (const v of variants) await write(coverVariantName(name, v.width), v.data);
    } catch (error) {
      await this.remove(
        name,
        variants.map((v) => v.width),
      );
      throw error;
    }
    return name;
  }

  /**
   * Removes a cover and its copies at `widths`. Best effort: a file left behind is harmless, a
   * failed request over one is not.
   */
  async remove(name: string, widths: readonly number[] = []): Promise<void> {
    if (!mimeOfUpload(name)) return;
    for (const file of [name, ...widths.map((w) => coverVariantName(name, w))]) {
      await unlink(path.join(this.dir, file)).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        this.logger.warn(`could not remove upload ${file}: ${(error as Error).message}`);
      });
    }
  }

  /** The file for a well-formed name, or null; names outside the pattern never touch the disk. */
  async open(name: string): Promise<{ stream: ReadStream; mime: string; size: number } | null> {
    const mime = mimeOfUpload(name);
    if (!mime) return null;
    const file = path.join(this.dir, name);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    return { stream: createReadStream(file), mime, size: info.size };
  }
}
