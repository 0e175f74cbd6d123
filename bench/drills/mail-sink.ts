import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server in the drill's process that keeps, of every message, who it went to, its
 * template and its outbox id (the headers the app sets), to count emails sent twice.
 */
export class MailSink {
  readonly messages: { to: string; template: string; outboxId: string }[] = [];

  private constructor(private readonly server: SMTPServer) {}

  static async start(): Promise<MailSink> {
    let sink: MailSink | null = null;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 8_192) head += chunk.toString('utf8');
        });
        stream.on('end', () => {
          const header = (name: string) =>
            new RegExp(`^${name}:\\s*(.+)$`, 'im')
              .exec(head.split(/\r?\n\r?\n/)[0] ?? '')?.[1]
              ?.trim() ?? '';
          sink!.messages.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            template: header('X-Lianxin-Template'),
            outboxId: header('X-Lianxin-Outbox-Id'),
          });
          callback();
        });
      },
    });
    // A sender killed mid-message resets its connection: expected in a drill, not a crash.
    server.on('error', () => undefined);
    sink = new MailSink(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /**
   * Messages beyond the first, to the donors `isDrillDonor` accepts (the demo's own donors gave
   * several times): `sameRow`, one outbox row sent again (a send a crash caught before it was
   * recorded: at least once, same Message-ID); `sameEmail`, one template to one donor from
   * different rows (a side effect written twice).
   */
  duplicates(isDrillDonor: (to: string) => boolean): { sameRow: number; sameEmail: number } {
    const mine = this.messages.filter((m) => isDrillDonor(m.to));
    const extra = (key: (m: (typeof mine)[number]) => string) => {
      const seen = new Map<string, number>();
      for (const m of mine) seen.set(key(m), (seen.get(key(m)) ?? 0) + 1);
      return [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    };
    const sameRow = extra((m) => m.outboxId);
    return { sameRow, sameEmail: extra((m) => `${m.to} ${m.template}`) - sameRow };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
