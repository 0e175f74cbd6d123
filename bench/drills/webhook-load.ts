import http from 'node:http';
import { now, sleep } from '../lib/figures';
import type { PendingGift } from '../lib/pending-donations';
import { checkoutCompletedEvent, postWebhook } from '../lib/webhook-events';

/** Deliveries of one event before the provider gives up on it (the final sweep still tries). */
const MAX_ATTEMPTS = 40;
const REQUEST_TIMEOUT_MS = 15_000;

interface Delivery {
  gift: PendingGift;
  payload: string;
  /** When its first delivery was sent (ms, monotonic); null before. */
  firstSentAt: number | null;
  ackedAt: number | null;
  attempts: number;
  inFlight: number;
}

export interface LoadSummary {
  events: number;
  deliveries: number;
  acked: number;
  /** Answers by status (0: no answer: refused connection, reset, timeout). */
  statuses: Record<string, number>;
  /** Why deliveries got no answer. */
  errors: Record<string, number>;
}

/**
 * A payment provider under a giving-day load: one signed checkout.session.completed event per
 * gift at `rate` per second, every `duplicateEvery`-th event delivered twice, and any delivery
 * without a 2xx delivered again after an exponential backoff with jitter (about 2, 4, 8, 16, then
 * every 30 s), as Stripe does over hours: retries that all came back at once would bury a
 * restarting app under its own backlog.
 */
export class WebhookLoad {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly deliveries: Delivery[];
  private readonly statuses = new Map<string, number>();
  /** Why deliveries got no answer (refused, reset, timed out), counted by message. */
  private readonly errors = new Map<string, number>();
  private sends = 0;
  private stopped = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly port: number,
    private readonly secret: string,
    gifts: PendingGift[],
  ) {
    this.deliveries = gifts.map((gift) => ({
      gift,
      payload: JSON.stringify(checkoutCompletedEvent(gift[0], gift[1])),
      firstSentAt: null,
      ackedAt: null,
      attempts: 0,
      inFlight: 0,
    }));
  }

  /** Sends first deliveries for `seconds` at `rate`/s; retries go on until `stop()`. */
  async run(rate: number, seconds: number, duplicateEvery: number): Promise<void> {
    const start = now();
    for (let i = 0; i < this.deliveries.length && !this.stopped; i++) {
      const due = start + (i * 1000) / rate;
      if (due > start + seconds * 1000) break;
      await sleep(Math.max(0, due - now()));
      const d = this.deliveries[i]!;
      d.firstSentAt = now();
      this.track(this.deliver(d, 1));
      if (i % duplicateEvery === 0) this.track(sleep(500).then(() => this.deliver(d, 0)));
    }
  }

  /** Gifts whose event has been sent (at least once). */
  sent(): PendingGift[] {
    return this.deliveries.filter((d) => d.firstSentAt !== null).map((d) => d.gift);
  }

  /** Gifts whose event was first sent before `t` (monotonic ms). */
  sentBefore(t: number): PendingGift[] {
    return this.deliveries
      .filter((d) => d.firstSentAt !== null && d.firstSentAt < t)
      .map((d) => d.gift);
  }

  unacked(): number {
    return this.deliveries.filter((d) => d.firstSentAt !== null && d.ackedAt === null).length;
  }

  /**
   * What a provider does once the app is back: delivers every sent event that never had a 2xx
   * again, 8 at a time, in rounds until all are acknowledged or `timeoutMs` passes.
   */
  async redeliverUnacknowledged(timeoutMs: number): Promise<number> {
    const deadline = now() + timeoutMs;
    let redelivered = 0;
    while (now() < deadline) {
      const left = this.deliveries.filter(
        (d) => d.firstSentAt !== null && d.ackedAt === null && d.inFlight === 0,
      );
      if (left.length === 0 && this.unacked() === 0) break;
      for (let i = 0; i < left.length; i += 8) {
        await Promise.all(left.slice(i, i + 8).map((d) => this.send(d)));
      }
      redelivered += left.length;
      await sleep(500);
    }
    return redelivered;
  }

  /** Stops retrying and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.pending]);
    this.agent.destroy();
  }

  summary(): LoadSummary {
    return {
      events: this.deliveries.filter((d) => d.firstSentAt !== null).length,
      deliveries: this.sends,
      acked: this.deliveries.filter((d) => d.ackedAt !== null).length,
      statuses: Object.fromEntries(this.statuses),
      errors: Object.fromEntries(this.errors),
    };
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** One delivery; on failure, the next one after the backoff of attempt `attempt` (0: none). */
  private async deliver(d: Delivery, attempt: number): Promise<void> {
    const ok = await this.send(d);
    if (ok || attempt === 0 || attempt >= MAX_ATTEMPTS || this.stopped) return;
    await sleep(Math.min(30_000, 2_000 * 2 ** (attempt - 1)) * (0.5 + Math.random()));
    if (d.ackedAt === null && !this.stopped) await this.deliver(d, attempt + 1);
  }

  private async send(d: Delivery): Promise<boolean> {
    d.attempts++;
    d.inFlight++;
    this.sends++;
    let status: number;
    try {
      status = (
        await postWebhook(this.agent, this.port, this.secret, d.payload, REQUEST_TIMEOUT_MS)
      ).status;
    } catch (error) {
      status = 0; // no answer: refused, reset or timed out
      const why = (error as Error).message.replace(/\d+/g, 'N');
      this.errors.set(why, (this.errors.get(why) ?? 0) + 1);
    } finally {
      d.inFlight--;
    }
    this.statuses.set(String(status), (this.statuses.get(String(status)) ?? 0) + 1);
    const ok = status >= 200 && status < 300;
    if (ok) d.ackedAt ??= now();
    return ok;
  }
}
