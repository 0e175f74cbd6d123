import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';

interface Request {
  method: string;
  url: string;
  startedAt: number;
}

/** The body of a request refused while the process stops, in the API's error shape. */
const STOPPING_BODY = {
  statusCode: 503,
  error: 'Service Unavailable',
  code: 'SHUTTING_DOWN',
  message:
    'This server is restarting: send the request again (another server, or this one in a moment).',
};

/**
 * The HTTP requests this process is answering, so that a stopping process can finish them before
 * its database and Redis close. While draining, a request arriving on a connection kept alive is
 * refused with a 503 (a proxy retries it elsewhere) and every answer closes its connection.
 */
@Injectable()
export class InFlightRequests {
  private readonly requests = new Set<Request>();
  private draining = false;
  private onIdle?: () => void;

  /** Hooks into the server; call before any other onRequest hook so that every request counts. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      if (this.draining) {
        void reply.code(503).header('connection', 'close').header('retry-after', '1');
        void reply.send(STOPPING_BODY);
        return;
      }
      const entry = { method: request.method, url: request.url, startedAt: performance.now() };
      this.requests.add(entry);
      // 'close' follows both a finished answer and a connection the client dropped.
      reply.raw.once('close', () => {
        this.requests.delete(entry);
        if (this.requests.size === 0) this.onIdle?.();
      });
      done();
    });
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.draining) void reply.header('connection', 'close');
      done(null, payload);
    });
  }

  get size(): number {
    return this.requests.size;
  }

  /** Refuses new requests from now on; resolves once the ones in progress have been answered. */
  drain(): Promise<void> {
    this.draining = true;
    if (this.requests.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onIdle = resolve));
  }

  /** The requests still running, e.g. `POST /webhooks/stripe (12.3 s)`. */
  describe(): string[] {
    const now = performance.now();
    return [...this.requests].map(
      (r) => `${r.method} ${r.url.split('?')[0]} (${((now - r.startedAt) / 1000).toFixed(1)} s)`,
    );
  }
}
