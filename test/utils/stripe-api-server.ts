import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local stand-in for api.stripe.com (DESIGN.md section 7): the app's Stripe SDK is pointed
 * at it with STRIPE_API_BASE, and tests assert on the requests it received. Each request is
 * answered by the first matching scripted reply, else by the default handler, else 404 in
 * Stripe's error shape.
 */
export interface RecordedRequest {
  method: string;
  /** Without the query string, e.g. `/v1/checkout/sessions`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The form-encoded body, keys as the SDK writes them: `metadata[donation_id]`. */
  form: Record<string, string>;
  rawBody: string;
}

export type StripeReply =
  | { status: number; body: unknown; headers?: Record<string, string> }
  /** Drop the connection without answering (a network failure as the SDK sees it). */
  | { hangUp: true };

export type ReplyHandler = (request: RecordedRequest) => StripeReply | undefined;

export interface StripeApiServer {
  /** For STRIPE_API_BASE, e.g. `http://127.0.0.1:40123`. */
  url: string;
  requests: RecordedRequest[];
  /** Requests to `METHOD path`. */
  to(method: string, path: string): RecordedRequest[];
  /** The next requests to `METHOD path` get these replies, in order, before the default. */
  script(method: string, path: string, ...replies: StripeReply[]): void;
  /** Answers what no script answers. */
  setDefault(handler: ReplyHandler): void;
  reset(): void;
  close(): Promise<void>;
}

/** Stripe's error body for a status (429 is its rate limit). */
export function stripeError(status: number, code?: string, message?: string): StripeReply {
  const type =
    status === 429
      ? 'invalid_request_error'
      : status >= 500
        ? 'api_error'
        : 'invalid_request_error';
  return {
    status,
    body: {
      error: {
        type,
        code: code ?? (status === 429 ? 'rate_limit' : undefined),
        message:
          message ?? (status === 429 ? 'Too many requests hit the API too quickly.' : 'Error'),
      },
    },
  };
}

const fromEntries = (params: URLSearchParams): Record<string, string> =>
  Object.fromEntries(params.entries());

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStripeApiServer(): Promise<StripeApiServer> {
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, StripeReply[]>();
  let fallback: ReplyHandler = () => undefined;

  const server = createServer((req, res) => {
    void readBody(req).then((rawBody) => {
      const url = new URL(req.url ?? '/', 'http://stripe.test');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: fromEntries(url.searchParams),
        headers: req.headers,
        form: fromEntries(new URLSearchParams(rawBody)),
        rawBody,
      };
      requests.push(recorded);
      const key = `${recorded.method} ${recorded.path}`;
      const reply = scripts.get(key)?.shift() ??
        fallback(recorded) ?? {
          status: 404,
          body: {
            error: { type: 'invalid_request_error', message: `Unrecognized request URL (${key})` },
          },
        };
      if ('hangUp' in reply) {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        'request-id': `req_test_${requests.length}`,
        ...reply.headers,
      });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (method, path) => requests.filter((r) => r.method === method && r.path === path),
    script(method, path, ...replies) {
      const key = `${method} ${path}`;
      scripts.set(key, [...(scripts.get(key) ?? []), ...replies]);
    },
    setDefault(handler) {
      fallback = handler;
    },
    reset() {
      requests.length = 0;
      scripts.clear();
      fallback = () => undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
