import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import { AppConfig } from '../../../config/app-config';
import { SandboxDeliveryFailedError } from '../payments.errors';
import { RetriesExhaustedError, withRetries } from '../retry';
import { readOrCreateSandboxFile } from './sandbox-file';
import { SandboxRepository, type StoredSandboxEvent } from './sandbox.repository';
import { signStripePayload } from '../stripe/stripe.client';

/** The one webhook path Stripe and the sandbox both post to (DESIGN.md section 6). */
export const WEBHOOK_PATH = '/webhooks/stripe';

export const SANDBOX_SECRET_FILE = 'sandbox-webhook-secret';

/**
 * The secret the sandbox signs its events with and `verifyWebhook` checks them against:
 * `STRIPE_WEBHOOK_SECRET` when set; otherwise one generated on first use and kept in
 * `DATA_DIR/sandbox-webhook-secret` (mode 0600), so the server and the CLI
 * (`simulate-renewal` posts to the running server) share it across restarts without anyone
 * configuring anything. It guards nothing of value (the sandbox moves no money) but makes the
 * sandbox take the production path, signature check included.
 */
@Injectable()
export class SandboxWebhookSecret {
  private secret?: string;

  constructor(private readonly config: AppConfig) {}

  get(): string {
    this.secret ??=
      this.config.stripe.webhookSecret ??
      readOrCreateSecret(path.join(this.config.dataDir, SANDBOX_SECRET_FILE));
    return this.secret;
  }
}

function readOrCreateSecret(file: string): string {
  return readOrCreateSandboxFile(
    file,
    () => `whsec_${randomBytes(24).toString('hex')}\n`,
    (text) => {
      const secret = text.trim();
      if (!/^whsec_\w+$/.test(secret)) {
        throw new Error(`${file} does not hold a whsec_… secret; delete it and a new one is made`);
      }
      return secret;
    },
  );
}

/**
 * Where the sandbox posts its events: this app's own `/webhooks/stripe`, through HTTP, so the
 * exact production path runs (raw body, signature check, inbox, processing). In the server that
 * is the address it listens on; elsewhere (the CLI) the server on this configuration's HOST and
 * PORT. Tests replace this provider to point at a receiver of their own.
 */
@Injectable()
export class SandboxWebhookTarget {
  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  url(): string {
    const server = this.httpServer();
    const address = server?.listening ? server.address() : null;
    if (address && typeof address === 'object') {
      return `http://${loopbackFor(address.address)}:${address.port}${WEBHOOK_PATH}`;
    }
    return `http://${loopbackFor(this.config.host)}:${this.config.port}${WEBHOOK_PATH}`;
  }

  /** This process's HTTP server, when it has one (not in the CLI). */
  httpServer(): Server | undefined {
    try {
      return this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
    } catch {
      return undefined;
    }
  }
}

/** A wildcard listen address is reached through loopback; IPv6 literals need brackets. */
export function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export interface DeliveryResult {
  eventId: string;
  type: string;
  status: number;
}

/** Delivery attempts per event before giving up for now (a redelivery can try again later). */
const DELIVERY_POLICY = { attempts: 3, baseDelayMs: 200, maxDelayMs: 1000 };
const DELIVERY_TIMEOUT_MS = 10_000;
/** Events older than this are not redelivered at start (Stripe gives up after 3 days too). */
const REDELIVERY_WINDOW_MS = 3 * 24 * 3600 * 1000;

class DeliveryFailure extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/**
 * Signs stored sandbox events and posts them to the webhook endpoint, as Stripe does: a fresh
 * `Stripe-Signature` per attempt, the same event id and body every time, retried on failure, and
 * done only on a 2xx. Events are stored before delivery, so one that could not be delivered (the
 * server was down for a CLI run, or the process stopped) is sent again when the server starts.
 */
@Injectable()
export class SandboxWebhookSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SandboxWebhooks');
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly config: AppConfig,
    private readonly repository: SandboxRepository,
    private readonly secret: SandboxWebhookSecret,
    private readonly target: SandboxWebhookTarget,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.paymentProvider !== 'SANDBOX') return;
    // Only once the server listens can it receive what it sends itself.
    this.target.httpServer()?.once('listening', () => {
      this.track(this.redeliverPending());
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.idle();
  }

  /** Resolves when every delivery started in the background has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Delivers now, in order; throws a 503 domain error naming the event if one is refused. */
  async deliverAll(events: readonly StoredSandboxEvent[]): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = [];
    for (const event of events) results.push(await this.deliver(event));
    return results;
  }

  /**
   * Delivers after the caller has returned, as Stripe does for refunds and cancellations: a
   * caller still holding a transaction (and, embedded, the only connection) cannot deadlock with
   * the webhook handler. Failures are logged and left for redelivery.
   */
  deliverLater(events: readonly StoredSandboxEvent[]): void {
    const run = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await this.deliverAll(events);
      } catch (error) {
        this.logger.warn((error as Error).message);
      }
    };
    this.track(run());
  }

  /** Sends again every recent event that was never accepted; returns how many now were. */
  async redeliverPending(): Promise<number> {
    const since = new Date(Date.now() - REDELIVERY_WINDOW_MS);
    let delivered = 0;
    for (const event of await this.repository.undeliveredEvents(since, 500)) {
      try {
        await this.deliver(event);
        delivered++;
      } catch (error) {
        this.logger.warn((error as Error).message);
        break; // the endpoint is still refusing: keep the order, try again at the next start
      }
    }
    return delivered;
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async deliver(event: StoredSandboxEvent): Promise<DeliveryResult> {
    const url = this.target.url();
    const body = JSON.stringify(event.payload);
    try {
      const status = await withRetries(() => this.post(url, body), {
        policy: DELIVERY_POLICY,
        // A 4xx is the endpoint's considered answer (e.g. a bad signature): sending again won't help.
        retryable: (error) =>
          error instanceof DeliveryFailure && (error.status === null || error.status >= 500),
      });
      await this.repository.recordAttempt(event.id, { delivered: true });
      return { eventId: event.id, type: event.type, status };
    } catch (error) {
      const last = error instanceof RetriesExhaustedError ? error.lastError : error;
      const reason = last instanceof Error ? last.message : String(last);
      await this.repository.recordAttempt(event.id, { delivered: false, error: reason });
      throw new SandboxDeliveryFailedError(event, url, reason);
    }
  }

  private async post(url: string, body: string): Promise<number> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signStripePayload(body, this.secret.get()),
          'user-agent': 'Lianxin-Sandbox/1.0 (Stripe-compatible webhooks)',
        },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
    } catch (error) {
      throw new DeliveryFailure(`no answer (${(error as Error).message})`, null);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return response.status;
    throw new DeliveryFailure(
      `HTTP ${response.status}${text ? ` ${text.slice(0, 300)}` : ''}`,
      response.status,
    );
  }
}
