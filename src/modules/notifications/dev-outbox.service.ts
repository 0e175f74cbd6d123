import { Injectable } from '@nestjs/common';
import { DevOutboxPageNotFoundError } from './notifications.errors';
import { pickLocale, type SupportedLocale } from '../../common/i18n/i18n';
import { linkify, type TextSegment } from './linkify';
import { MailTransport, type StoredEmail } from './mail-transport';

interface PageBase {
  locale: SupportedLocale;
  otherLocale: SupportedLocale;
  title: string;
}

export interface DevOutboxListView extends PageBase {
  mailDir: string;
  messages: Pick<StoredEmail, 'id' | 'to' | 'subject' | 'template' | 'locale' | 'writtenAt'>[];
}

export interface DevOutboxMessageView extends PageBase {
  message: Omit<StoredEmail, 'html' | 'text'> & { segments: TextSegment[] };
}

const LIST_LIMIT = 200;
const when = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;

/** View models of the dev outbox page: the file transport's messages, read back from DATA_DIR. */
@Injectable()
export class DevOutboxService {
  constructor(private readonly transport: MailTransport) {}

  private assertEnabled(peer: string | undefined): void {
    if (!this.transport.devOutboxEnabled || !isLoopback(peer))
      throw new DevOutboxPageNotFoundError();
  }

  private base(lang: unknown, acceptLanguage: string | undefined, title: string): PageBase {
    const locale = pickLocale(lang, acceptLanguage, 'zh-CN');
    return { locale, otherLocale: locale === 'en' ? 'zh-CN' : 'en', title };
  }

  async list(
    peer: string | undefined,
    lang: unknown,
    acceptLanguage: string | undefined,
  ): Promise<DevOutboxListView> {
    this.assertEnabled(peer);
    const messages = await this.transport.list(LIST_LIMIT);
    return {
      ...this.base(lang, acceptLanguage, 'Outbox'),
      mailDir: this.transport.mailDir,
      messages: messages.map((m) => ({
        id: m.id,
        to: m.to,
        subject: m.subject,
        template: m.template,
        locale: m.locale,
        writtenAt: when(m.writtenAt),
      })),
    };
  }

  async message(
    peer: string | undefined,
    id: string,
    lang: unknown,
    acceptLanguage: string | undefined,
  ): Promise<DevOutboxMessageView> {
    const stored = await this.stored(peer, id);
    return {
      ...this.base(lang, acceptLanguage, stored.subject),
      message: {
        id: stored.id,
        from: stored.from,
        to: stored.to,
        subject: stored.subject,
        template: stored.template,
        locale: stored.locale,
        writtenAt: when(stored.writtenAt),
        segments: linkify(stored.text),
      },
    };
  }

  async html(peer: string | undefined, id: string): Promise<string> {
    return (await this.stored(peer, id)).html;
  }

  async raw(peer: string | undefined, id: string): Promise<string> {
    this.assertEnabled(peer);
    const raw = await this.transport.readRaw(id);
    if (raw === null) throw new DevOutboxPageNotFoundError();
    return raw;
  }

  private async stored(peer: string | undefined, id: string): Promise<StoredEmail> {
    this.assertEnabled(peer);
    const stored = await this.transport.read(id);
    if (!stored) throw new DevOutboxPageNotFoundError();
    return stored;
  }
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
