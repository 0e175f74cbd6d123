import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { ConflictError } from '../common/errors';
import { words } from '../common/i18n/i18n';

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
        // Without an isolation level TypeORM skips a SET TRANSACTION round trip (READ COMMITTED).
        return await (options.isolation
          ? this.dataSource.transaction(options.isolation, fn)
          : this.dataSource.transaction(fn));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === '23505') throw conflictError(error);
        if (!code || !RETRYABLE.has(code) || attempt >= attempts) throw error;
        this.logger.debug(`retrying transaction after ${code} (attempt ${attempt})`);
        await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
      }
    }
  }

  /**
   * Runs a command in a transaction and rolls it back: what it would do now, and whether it would
   * be refused, without doing it (a confirmation page states exactly what confirming does).
   */
  async dryRun<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const rollback = new Error('dry run');
    let result: { value: T } | undefined;
    try {
      await this.run(async (m) => {
        result = { value: await fn(m) };
        throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    }
    return result!.value;
  }

  /**
   * Reads that decide no write: in the caller's transaction when given one, otherwise each
   * statement on its own in autocommit (no BEGIN/COMMIT round trips). The public pages read this
   * way; a read whose answer decides a write belongs inside that write's `run`.
   */
  read<T>(
    fn: (manager: EntityManager) => Promise<T>,
    options: Pick<TransactionOptions, 'within'> = {},
  ): Promise<T> {
    return fn(options.within ?? this.dataSource.manager);
  }

  /**
   * A transaction-scoped advisory lock on a name: serialises check-then-insert paths (creating a
   * fund, a community) so the friendly domain check, not a unique index, decides the race.
   */
  async lock(manager: EntityManager, name: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [name]);
  }
}

/** A unique violation the services did not foresee: a 409, never a 500. */
function conflictError(error: unknown): ConflictError {
  const { constraint, detail } = error as { constraint?: string; detail?: string };
  return new ConflictError(words('errors.common.conflict'), {
    ...(detail ? { detail: detail.replace(/^Key /, '') } : {}),
    ...(constraint ? { constraint } : {}),
  });
}
