import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppConfig } from '../../config/app-config';
import { type CoverFormat, mimeOfUpload, uploadName } from './cover-image';

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

  async save(data: Buffer, format: CoverFormat): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = uploadName(randomBytes(16).toString('hex'), format);
    await writeFile(path.join(this.dir, name), data, { flag: 'wx', mode: 0o644 });
    return name;
  }

  /** Best effort: a file left behind is harmless, a failed request over one is not. */
  async remove(name: string): Promise<void> {
    if (!mimeOfUpload(name)) return;
    await unlink(path.join(this.dir, name)).catch((error: unknown) => {
      this.logger.warn(`could not remove upload ${name}: ${(error as Error).message}`);
    });
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
