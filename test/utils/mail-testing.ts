import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// ---------------------------------------------------------------------------------------------
// A real SMTP server, in process
// ---------------------------------------------------------------------------------------------

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Header names lower-cased; encoded words (RFC 2047) decoded. */
  headers: Record<string, string>;
  subject: string;
  raw: string;
  receivedAt: number;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Attempts refused with a temporary 451, with when they happened, per recipient. */
  refused: { to: string; at: number }[];
  /** The next `n` messages to `to` are refused with 451 (temporary). */
  failNext(to: string, n: number): void;
  /** Messages to `to` are refused with 550 at RCPT TO (permanent). */
  rejectRecipient(to: string): void;
  /** Every message from now on is accepted only `ms` after its data arrived (0: at once). */
  slowDown(ms: number): void;
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=) in a header value. */
export function decodeMimeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_, _charset: string, enc: string, text: string) =>
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
                  String.fromCharCode(parseInt(hex, 16)),
                ),
              'latin1',
            ).toString('utf8'),
    );
}

function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeMimeWords(
        line.slice(colon + 1).trim(),
      );
    }
  }
  return headers;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const refused: { to: string; at: number }[] = [];
  const failures = new Map<string, number>();
  const rejected = new Set<string>();
  let delayMs = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address)) {
        return callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => void setTimeout(accept, delayMs));
      const accept = () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const first = to[0] ?? '';
        const pending = failures.get(first) ?? 0;
        if (pending > 0) {
          failures.set(first, pending - 1);
          refused.push({ to: first, at: Date.now() });
          return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = parseHeaders(raw);
        const from = session.envelope.mailFrom;
        received.push({
          from: from ? from.address : '',
          to,
          headers,
          subject: headers.subject ?? '',
          raw,
          receivedAt: Date.now(),
        });
        callback();
      };
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refused,
    failNext: (to, n) => void failures.set(to, n),
    rejectRecipient: (to) => void rejected.add(to),
    slowDown: (ms) => void (delayMs = ms),
    to: (address) => received.filter((m) => m.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}

/**
 * The plain-text part of a message as a person reads it: the text/plain part's body with its
 * transfer encoding (base64 or quoted-printable) undone.
 */
export function mailText(mail: ReceivedMail): string {
  // Every boundary (a multipart/alternative may sit inside a multipart/mixed).
  const boundaries = [...mail.raw.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((m) => m[1]!);
  let parts = [mail.raw];
  for (const boundary of boundaries) parts = parts.flatMap((p) => p.split(`--${boundary}`));
  for (const part of parts) {
    const at = part.search(/\r?\n\r?\n/);
    if (at < 0) continue;
    const head = part.slice(0, at);
    if (!/content-type:\s*text\/plain/i.test(head)) continue;
    const body = part.slice(at).replace(/^\r?\n\r?\n/, '');
    const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(head)?.[1]?.toLowerCase();
    if (encoding === 'base64')
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (encoding === 'quoted-printable') {
      const bytes = body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    return body;
  }
  throw new Error('the message has no text/plain part');
}
