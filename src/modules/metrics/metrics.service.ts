import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AnsweredRequest } from '../../common/logging/request-log';

/** Label of requests no route matched (404 for an unknown path): one series, whatever the path. */
export const UNMATCHED_ROUTE = '(unmatched)';
/** The scrape itself is not counted as a route. */
export const METRICS_ROUTE = '/metrics';

/**
 * This process's Prometheus registry (one per app, never prom-client's global one, so two apps in
 * one test process do not share series) with the default process metrics, and the counters and
 * histograms the app records as things happen. Gauges read on scrape live in MetricsCollectors.
 * Every name is documented in docs/operations.md ("Metrics").
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'lianxin_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'lianxin_http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its answer, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly giftsConfirmed = new Counter({
    name: 'lianxin_gifts_confirmed_total',
    help: "Gifts settled by a payment rail's notification (delivered or found by reconciliation), by rail.",
    labelNames: ['rail'] as const,
    registers: [this.registry],
  });

  private readonly webhookLag = new Histogram({
    name: 'lianxin_webhook_lag_seconds',
    help: "Time from the provider's event to the gift settled here, by rail.",
    labelNames: ['rail'] as const,
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600],
    registers: [this.registry],
  });

  private readonly jobFailures = new Counter({
    name: 'lianxin_queue_job_failures_total',
    help: 'Side-effect attempts (outbox jobs) that failed in this process, by queue and outcome.',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(answered: AnsweredRequest): void {
    if (answered.route === METRICS_ROUTE) return;
    const labels = {
      method: answered.method,
      route: answered.route ?? UNMATCHED_ROUTE,
      status: String(answered.status),
    };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, answered.durationMs / 1000);
  }

  /**
   * A gift settled by a rail's notification. `eventTime` is when the provider says the event
   * happened (null when its format does not say); `settledAt` when the settlement committed.
   */
  giftConfirmed(rail: string, eventTime: Date | null, settledAt = new Date()): void {
    this.giftsConfirmed.inc({ rail });
    if (eventTime) {
      // Providers stamp whole seconds: a lag under a second can read as slightly negative.
      const lagSeconds = Math.max(0, (settledAt.getTime() - eventTime.getTime()) / 1000);
      this.webhookLag.observe({ rail }, lagSeconds);
    }
  }

  /** A side effect's attempt failed: `retry` will be tried again, `failed` was given up. */
  jobFailed(queue: string, outcome: 'retry' | 'failed'): void {
    this.jobFailures.inc({ queue, outcome });
  }
}
