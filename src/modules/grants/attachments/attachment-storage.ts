import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppConfig } from '../../../config/app-config';

/** Stored names are 128 random bits in hex: nothing from the client, nothing to guess. */
const STORAGE_KEY = /^[0-9a-f]{32}$/;

/**
 * Attachment files on disk under DATA_DIR/attachments, named by 128 random bits (as cover images
 * are): a name says nothing about its owner and cannot be guessed or chosen by the uploader.
 */
@Injectable()
export class AttachmentStorage {
  private readonly logger = new Logger(AttachmentStorage.name);

  constructor(private readonly config: AppConfig) {}

  get dir(): string {
    return path.join(this.config.dataDir, 'attachments');
  }

  async save(data: Buffer): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const key = randomBytes(16).toString('hex');
    await writeFile(path.join(this.dir, key), data, { flag: 'wx', mode: 0o640 });
    return key;
  }

  /** Best effort: a file left behind is harmless, a failed request over one is not. */
  async remove(key: string): Promise<void> {
    if (!STORAGE_KEY.test(key)) return;
    await unlink(path.join(this.dir, key)).catch((error: unknown) => {
      this.logger.warn(`could not remove attachment ${key}: ${(error as Error).message}`);
    });
  }

  /** The file for a well-formed key, or null; keys outside the pattern never touch the disk. */
  async open(key: string): Promise<{ stream: ReadStream; size: number } | null> {
    if (!STORAGE_KEY.test(key)) return null;
    const file = path.join(this.dir, key);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    return { stream: createReadStream(file), size: info.size };
  }
}
