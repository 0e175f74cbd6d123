import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import type { InboxCounts } from '../donations/payment-events.repository';
import { PaymentInboxService } from '../donations/payment-inbox.service';

export type DependencyStatus =
  | { status: 'up'; latencyMs: number; detail?: string }
  | { status: 'down'; error: string }
  | { status: 'not_configured'; detail: string };

export interface HealthReport {
  status: 'ok' | 'degraded';
  mode: { database: 'embedded' | 'external'; queue: 'redis' | 'in-process' };
  checks: { database: DependencyStatus; queue: DependencyStatus };
  /**
   * The webhook inbox: events waiting (retries included), those failing, and dead letters that
   * wait for FINANCE; null when the database could not say.
   */
  paymentInbox: InboxCounts | null;
}

/** One check of readiness: passed, or failed with what an operator should look at. */
export type ReadyCheck = { status: 'up'; detail?: string } | { status: 'down'; error: string };

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  /** The checks that failed, by name (empty when ready). */
  failed: string[];
  checks: {
    database: ReadyCheck;
    migrations: ReadyCheck;
    redis: ReadyCheck | { status: 'not_configured' };
  };
}

const TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

/** Status of each dependency: the database always, Redis when REDIS_URL is configured. */
@Injectable()
export class HealthService implements OnApplicationShutdown {
  private redis?: Redis;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly inbox: PaymentInboxService,
  ) {}

  async report(): Promise<HealthReport> {
    const [database, queue, paymentInbox] = await Promise.all([
      this.checkDatabase(),
      this.checkQueue(),
      withTimeout(this.inbox.counts(), 'PostgreSQL').catch(() => null),
    ]);
    return {
      status: database.status === 'up' && queue.status !== 'down' ? 'ok' : 'degraded',
      mode: {
        database: this.config.databaseMode,
        queue: this.config.redisUrl ? 'redis' : 'in-process',
      },
      checks: { database, queue },
      paymentInbox,
    };
  }

  /**
   * Whether this process should get traffic: the database answers, every migration this build
   * knows is applied (a database behind the code would fail its queries), and Redis answers when
   * REDIS_URL is set. A database ahead of the code (a newer build migrated it during a rolling
   * deploy) is ready: migrations only add what older builds can ignore (docs/migrations.md).
   */
  async readiness(): Promise<ReadinessReport> {
    const [database, queue] = await Promise.all([this.checkDatabase(), this.checkQueue()]);
    const migrations: ReadyCheck =
      database.status === 'up'
        ? await this.checkMigrations()
        : { status: 'down', error: 'the database did not answer' };
    const checks: ReadinessReport['checks'] = {
      database:
        database.status === 'up'
          ? { status: 'up', ...(database.detail ? { detail: database.detail } : {}) }
          : { status: 'down', error: database.status === 'down' ? database.error : '' },
      migrations,
      redis:
        queue.status === 'not_configured'
          ? { status: 'not_configured' }
          : queue.status === 'up'
            ? { status: 'up' }
            : { status: 'down', error: queue.error },
    };
    const failed = Object.entries(checks)
      .filter(([, check]) => check.status === 'down')
      .map(([name]) => name);
    return { status: failed.length === 0 ? 'ready' : 'not_ready', failed, checks };
  }

  private async checkMigrations(): Promise<ReadyCheck> {
    const known = this.dataSource.migrations.map((m) => m.name ?? m.constructor.name);
    try {
      const rows = await withTimeout<{ name: string }[]>(
        this.dataSource.query(
          `SELECT name FROM ${this.dataSource.options.migrationsTableName ?? 'migrations'}`,
        ),
        'PostgreSQL',
      );
      const applied = new Set(rows.map((r) => r.name));
      const missing = known.filter((name) => !applied.has(name));
      if (missing.length === 0) return { status: 'up', detail: `${known.length} applied` };
      return {
        status: 'down',
        error: `${missing.length} migration(s) not applied: ${missing.join(', ')}; run npm run migration:run`,
      };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  }

  private async checkDatabase(): Promise<DependencyStatus> {
    const started = performance.now();
    try {
      const [row] = await withTimeout<{ version: string }[]>(
        this.dataSource.query('SELECT version() AS version'),
        'PostgreSQL',
      );
      return {
        status: 'up',
        latencyMs: Math.round(performance.now() - started),
        detail: String(row?.version).split(' on ')[0],
      };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  }

  private async checkQueue(): Promise<DependencyStatus> {
    if (!this.config.redisUrl)
      return { status: 'not_configured', detail: 'no REDIS_URL: jobs run in-process' };
    this.redis ??= new Redis(this.config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      // Closing must not wait on a Redis that is down.
      disconnectTimeout: 200,
    });
    const started = performance.now();
    try {
      if (this.redis.status === 'wait' || this.redis.status === 'end')
        await withTimeout(this.redis.connect(), 'Redis');
      await withTimeout(this.redis.ping(), 'Redis');
      return { status: 'up', latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
