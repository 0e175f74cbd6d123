import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { OutboxKind } from '../../queue/outbox-kinds';
import { QueueStats } from '../../queue/queue-stats';
import { QUEUE_NAMES } from '../../queue/queue.constants';
import { PaymentInboxService } from '../donations/payment-inbox.service';
import { LedgerCheckStatus } from './ledger-check-status';
import { Metrics } from './metrics.service';

const KINDS = Object.keys(QUEUE_NAMES) as OutboxKind[];

/**
 * Gauges read when Prometheus scrapes: the webhook inbox, the outbox, the queue's depth, the
 * ledger check and the database pool. prom-client collects every gauge of a scrape at once, so
 * gauges fed by one query share it (`perScrape`). A source that fails leaves its gauges empty for
 * that scrape (and logs why) rather than failing the scrape or repeating a stale value.
 */
@Injectable()
export class MetricsCollectors implements OnModuleInit {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly metrics: Metrics,
    private readonly inbox: PaymentInboxService,
    private readonly queues: QueueStats,
    private readonly ledgerCheck: LedgerCheckStatus,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      set: (gauge: Gauge<L>) => Promise<void> | void,
    ) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          this.reset();
          await set(this);
        },
      });

    const inbox = this.perScrape('payment inbox', () => this.inbox.counts());
    gauge(
      'lianxin_payment_inbox_backlog',
      'Payment notifications stored and not yet processed (retries included, dead letters not).',
      [],
      async (g) => {
        const c = await inbox();
        if (c) g.set(c.backlog);
      },
    );
    gauge(
      'lianxin_payment_inbox_failing',
      'Of the backlog, notifications whose last attempt failed.',
      [],
      async (g) => {
        const c = await inbox();
        if (c) g.set(c.failing);
      },
    );
    gauge(
      'lianxin_payment_inbox_dead_letters',
      'Payment notifications no longer retried, waiting for FINANCE at /admin/payment-events.',
      [],
      async (g) => {
        const c = await inbox();
        if (c) g.set(c.deadLetters);
      },
    );

    const outbox = this.perScrape('outbox', () => this.queues.outboxStats());
    const byKind = async (g: Gauge<'kind'>, count: (row: OutboxRow) => number) => {
      const stats = await outbox();
      if (!stats) return;
      // Every kind has a series, 0 when nothing waits: alerts compare numbers, not absences.
      for (const kind of KINDS) {
        const row = stats.find((s) => s.kind === kind);
        g.set({ kind }, row ? count(row) : 0);
      }
    };
    gauge(
      'lianxin_outbox_backlog',
      'Side effects (outbox rows) not yet done: due, delayed for a retry, or in the queue; by kind.',
      ['kind'],
      (g) => byKind(g, (row) => row.due + row.delayed + row.relayed),
    );
    gauge(
      'lianxin_outbox_failed',
      'Side effects given up after their last attempt, by kind.',
      ['kind'],
      (g) => byKind(g, (row) => row.failed),
    );
    gauge(
      'lianxin_outbox_oldest_age_seconds',
      'Age of the oldest side effect not yet done (0 when none waits).',
      [],
      async (g) => {
        const stats = await outbox();
        if (stats) g.set(Math.max(0, ...stats.map((s) => s.oldestOpenSeconds ?? 0)));
      },
    );
    gauge(
      'lianxin_queue_jobs',
      'Jobs by queue and state: BullMQ with REDIS_URL, else the in-process outbox queue.',
      ['queue', 'state'],
      async (g) => {
        const stats = await outbox();
        const depth = stats && (await this.queues.depth(stats));
        for (const d of depth ?? []) g.set({ queue: d.queue, state: d.state }, d.count);
      },
    );

    const ledger = this.perScrape('ledger check', () => this.ledgerCheck.current());
    gauge(
      'lianxin_ledger_check_ok',
      '1 when the last ledger check passed (every entry balances, balances equal postings, no fund below zero), 0 when it failed.',
      [],
      async (g) => {
        const last = await ledger();
        if (last) g.set(last.ok ? 1 : 0);
      },
    );
    gauge(
      'lianxin_ledger_check_violations',
      'Violations the last ledger check found.',
      [],
      async (g) => {
        const last = await ledger();
        if (last) g.set(last.violations);
      },
    );
    gauge(
      'lianxin_ledger_check_age_seconds',
      'Seconds since the last ledger check finished (scrapes run one at most every 5 minutes).',
      [],
      async (g) => {
        const last = await ledger();
        if (last) g.set((Date.now() - last.finishedAt.getTime()) / 1000);
      },
    );

    gauge(
      'lianxin_db_pool_connections',
      "This process's PostgreSQL pool: open connections (total), idle ones, callers waiting for one (waiting), and its size (max).",
      ['state'],
      (g) => {
        const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
        if (!pool) return;
        g.set({ state: 'total' }, pool.totalCount);
        g.set({ state: 'idle' }, pool.idleCount);
        g.set({ state: 'waiting' }, pool.waitingCount);
        g.set({ state: 'max' }, pool.options.max ?? 0);
      },
    );
  }

  /**
   * `load` once per scrape, shared by the gauges that read it (they are collected together); null
   * when it failed, which is logged once.
   */
  private perScrape<T>(what: string, load: () => Promise<T>): () => Promise<T | null> {
    let inFlight: Promise<T | null> | null = null;
    return () =>
      (inFlight ??= load()
        .catch((error: unknown) => {
          this.logger.warn(`metrics: could not read the ${what}: ${(error as Error).message}`);
          return null;
        })
        .finally(() => {
          inFlight = null;
        }));
  }
}

type OutboxRow = Awaited<ReturnType<QueueStats['outboxStats']>>[number];
