import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Client } from 'pg';
import { AppConfig } from '../../config/app-config';
import { DatabaseConnectionModule, EMBEDDED_DATABASE } from '../../database/database.module';
import type { EmbeddedPostgres } from '../../database/embedded-postgres';
import type { CachedPage } from './page-cache.hooks';
import { PageStore } from './page-store';

/** The channel the triggers of migration 1764500100000-page-change-notices notify on. */
export const PAGE_CHANGES_CHANNEL = 'lianxin_page_changes';

const MAX_ENTRIES = 500;
const MAX_BYTES = 50 * 1024 * 1024;
const RECONNECT_MAX_MS = 30_000;

/** This process's page cache; null when PAGE_CACHE_TTL_SECONDS=0 turns it off. */
@Injectable()
export class PageCache {
  readonly store: PageStore<CachedPage> | null;
  /** The latest notice heard (tests wait for a marker of their own to know earlier ones arrived). */
  lastNotice = '';

  constructor(config: AppConfig) {
    const ttlMs = config.pageCacheTtlSeconds * 1000;
    this.store =
      ttlMs > 0 ? new PageStore({ ttlMs, maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES }) : null;
  }

  /** A NOTIFY payload: comma-separated PAGE_TAG values. */
  changed(payload: string): void {
    this.lastNotice = payload;
    const tags = payload.split(',').filter(Boolean);
    if (tags.length > 0) this.store?.invalidate(tags);
  }
}

/**
 * Listens for the database's change notices and drops the pages they name. NOTIFY is delivered at
 * commit to every listening process, so every web process of a deployment hears every change.
 * While the connection is down nothing is heard: on reconnecting the whole cache is dropped, and
 * in between the TTL bounds how stale a page can be.
 */
@Injectable()
export class PageChangeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PageCache');
  private client?: Client;
  private retryTimer?: NodeJS.Timeout;
  private retryMs = 500;
  private closed = false;

  constructor(
    private readonly cache: PageCache,
    private readonly config: AppConfig,
    private readonly host: HttpAdapterHost,
    @Inject(EMBEDDED_DATABASE) private readonly embedded: EmbeddedPostgres | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Only a web process serves pages (a worker or a CLI command has no HTTP adapter).
    if (!this.cache.store || !this.host.httpAdapter) return;
    if (this.embedded) {
      // PGlite's socket hands a notice, raw, to whichever connection's query comes next, and its
      // own listen() never sees notices sent over the socket: embedded, pages expire by TTL only.
      this.logger.log('embedded database: cached pages are refreshed by their TTL only');
      return;
    }
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'lianxin page cache',
    });
    client.on('notification', (message) => {
      if (message.channel === PAGE_CHANGES_CHANNEL) this.cache.changed(message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${PAGE_CHANGES_CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 500;
    // Changes made while nobody listened were not heard: start from nothing.
    this.cache.store?.clear();
  }

  private lost(client: Client, error?: Error): void {
    if (this.closed || (this.client && this.client !== client)) return;
    this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.retryTimer) return;
    this.logger.warn(
      `change notices interrupted (${error?.message ?? 'connection ended'}); pages expire by their TTL until it reconnects`,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }
}

@Global()
@Module({
  imports: [DatabaseConnectionModule],
  providers: [PageCache, PageChangeListener],
  exports: [PageCache],
})
export class PageCacheModule {}
