import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

export interface TransactionOptions {
  /** Run inside this caller's transaction instead of opening a new one. */
  within?: EntityManager;
  isolation?: IsolationLevel;
  /** Attempts on serialization failure or deadlock (SQLSTATE 40001/40P01). */
  attempts?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);

/**
 * The one way to open a transaction. Services pass the manager down to repositories; a deadlock or
 * serialization failure is retried with jittered backoff, since the whole callback is re-run.
 */
@Injectable()
export class TransactionService {
  private readonly logger = new Logger(TransactionService.name);

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(
    fn: (manager: EntityManager) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    if (options.within) return fn(options.within);
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(options.isolation ?? 'READ COMMITTED', fn);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= attempts) throw error;
        this.logger.debug(`retrying transaction after ${code} (attempt ${attempt})`);
        await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
      }
    }
  }
}
