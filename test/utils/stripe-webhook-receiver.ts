import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in webhook endpoint: records what is posted to it and answers with a status the test
 * chooses, so a sender (the sandbox provider) can be tested without the app's own endpoint.
 */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  event: { id: string; type: string; data: { object: Record<string, unknown> } } & Record<
    string,
    unknown
  >;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The status for the next deliveries (200 by default). */
  answer(status: number): void;
  ofType(type: string): ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      if (status < 300) {
        received.push({
          path: req.url ?? '/',
          headers: req.headers,
          rawBody,
          event: JSON.parse(rawBody) as ReceivedWebhook['event'],
        });
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { received: true } : { error: 'refused by the test' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    answer: (next) => {
      status = next;
    },
    ofType: (type) => received.filter((r) => r.event.type === type),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
