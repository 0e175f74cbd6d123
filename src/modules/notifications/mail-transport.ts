import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SupportedLocale } from '../../common/i18n/i18n';
import { AppConfig } from '../../config/app-config';
import type { EmailAttachment } from './email-attachments';
import type { EmailTemplate } from './email-message';

export interface OutgoingEmail {
  /** The outbox id: also the Message-ID, so a retried send can be recognised as the same mail. */
  id: string;
  to: string;
  locale: SupportedLocale;
  template: EmailTemplate;
  subject: string;
  html: string;
  text: string;
  attachments?: EmailAttachment[];
}

/** What the file transport writes beside each `.eml`, for the dev outbox page. */
export interface StoredEmail {
  id: string;
  from: string;
  to: string;
  locale: SupportedLocale;
  template: EmailTemplate;
  subject: string;
  html: string;
  text: string;
  /** File names of the attachments (their content is in the .eml). */
  attachments?: string[];
  writtenAt: string;
}

/** An SMTP refusal that retrying cannot fix: the server refused the recipient for good (5xx). */
export function isPermanentSmtpError(error: unknown): boolean {
  const { code, responseCode } = error as { code?: string; responseCode?: number };
  return code === 'EENVELOPE' && typeof responseCode === 'number' && responseCode >= 500;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Sends through nodemailer to SMTP_URL; without it (embedded mode) writes each message as
 * `DATA_DIR/mail/<outbox id>.eml` plus a `.json` summary, which the dev outbox page lists. Writing
 * the same id again replaces the file, so a retried message appears once.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  readonly kind: 'smtp' | 'files';
  readonly mailDir: string;
  private readonly transporter: Transporter;
  private readonly messageIdHost: string;

  constructor(private readonly config: AppConfig) {
    this.mailDir = path.join(config.dataDir, 'mail');
    this.messageIdHost = new URL(config.publicUrl).hostname || 'lianxin.localhost';
    if (config.smtpUrl) {
      this.kind = 'smtp';
      this.transporter = createTransport({
        url: config.smtpUrl,
        // A few connections kept open and reused: a new connection per message (greeting, TLS,
        // authentication) cost more than the message itself (bench:receipts: 74 vs 260 per second).
        pool: true,
        maxConnections: 4,
        // Bounded, so a hung server fails the attempt (and it is retried) instead of a worker.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
    } else {
      this.kind = 'files';
      this.transporter = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      if (config.nodeEnv === 'production') {
        this.logger.warn(`no SMTP_URL: emails are written to ${this.mailDir}, not sent`);
      }
    }
  }

  /**
   * The dev outbox page shows sign-in links, so it exists only when trying Lianxin out: mail to
   * files, the embedded database (never against a real DATABASE_URL, where a reverse proxy on the
   * same host would make every visitor look local), and not in production.
   */
  get devOutboxEnabled(): boolean {
    return (
      this.kind === 'files' &&
      this.config.nodeEnv !== 'production' &&
      (this.config.databaseMode === 'embedded' || this.config.nodeEnv === 'test')
    );
  }

  /**
   * Erasure: the copies on disk (embedded mode) of these outbox rows' messages are deleted.
   * Idempotent: a file already gone is fine. Returns how many files went.
   */
  async forgetFiles(outboxIds: readonly string[]): Promise<number> {
    if (this.kind !== 'files') return 0;
    let removed = 0;
    for (const id of outboxIds) {
      if (!UUID.test(id)) continue;
      for (const ext of ['.eml', '.json']) {
        const file = path.join(this.mailDir, `${id}${ext}`);
        if (!(await stat(file).catch(() => null))) continue;
        await rm(file, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async send(mail: OutgoingEmail): Promise<void> {
    const info: { message?: Buffer } = await this.transporter.sendMail({
      from: this.config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${mail.id}@${this.messageIdHost}>`,
      attachments: mail.attachments?.map((a) => ({
        filename: a.filename,
        content: a.content,
        contentType: a.contentType,
      })),
      headers: {
        'Content-Language': mail.locale,
        'X-Lianxin-Template': mail.template,
        'X-Lianxin-Outbox-Id': mail.id,
      },
    });
    if (this.kind === 'files') await this.store(mail, info.message ?? Buffer.alloc(0));
  }

  private async store(mail: OutgoingEmail, raw: Buffer): Promise<void> {
    await mkdir(this.mailDir, { recursive: true });
    const stored: StoredEmail = {
      id: mail.id,
      from: this.config.mailFrom,
      to: mail.to,
      locale: mail.locale,
      template: mail.template,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      attachments: mail.attachments?.map((a) => a.filename) ?? [],
      writtenAt: new Date().toISOString(),
    };
    // The .eml first, the summary last: a listed message always has its file. Renames are atomic.
    await this.writeAtomic(`${mail.id}.eml`, raw);
    await this.writeAtomic(`${mail.id}.json`, JSON.stringify(stored, null, 2));
  }

  private async writeAtomic(name: string, content: Buffer | string): Promise<void> {
    const target = path.join(this.mailDir, name);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, target);
  }

  /** Messages written by the file transport, newest first. */
  async list(limit: number): Promise<StoredEmail[]> {
    const names = await readdir(this.mailDir).catch(() => [] as string[]);
    const stored = await Promise.all(
      names
        .filter((name) => name.endsWith('.json') && UUID.test(name.slice(0, -5)))
        .map((name) => this.read(name.slice(0, -5))),
    );
    return stored
      .filter((s): s is StoredEmail => s !== null)
      .sort((a, b) => b.writtenAt.localeCompare(a.writtenAt))
      .slice(0, limit);
  }

  async read(id: string): Promise<StoredEmail | null> {
    if (!UUID.test(id)) return null;
    const json = await readFile(path.join(this.mailDir, `${id}.json`), 'utf8').catch(() => null);
    return json === null ? null : (JSON.parse(json) as StoredEmail);
  }

  async readRaw(id: string): Promise<string | null> {
    if (!UUID.test(id)) return null;
    return readFile(path.join(this.mailDir, `${id}.eml`), 'utf8').catch(() => null);
  }

  /**
   * Deletes the messages the file transport wrote before `cutoff` (their `.eml` and summary);
   * returns how many. Nothing to do when mail goes out by SMTP.
   */
  async deleteWrittenBefore(cutoff: Date): Promise<number> {
    if (this.kind !== 'files') return 0;
    const names = await readdir(this.mailDir).catch(() => [] as string[]);
    let deleted = 0;
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -5) : '';
      if (!UUID.test(id)) continue;
      const written = await stat(path.join(this.mailDir, name)).catch(() => null);
      if (!written || written.mtime >= cutoff) continue;
      // The .eml first: a message listed by its summary always has its file.
      await rm(path.join(this.mailDir, `${id}.eml`), { force: true });
      await rm(path.join(this.mailDir, name), { force: true });
      deleted++;
    }
    return deleted;
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
