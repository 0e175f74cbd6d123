import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { RequestContext } from '../common/context/request-context';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxRepository } from './outbox.repository';
import type { OutboxKind, OutboxPayloads } from './outbox-kinds';

/**
 * Writes outbox rows in the caller's transaction and, once that transaction commits, nudges the
 * relay or drainer so the side effect starts at once rather than at the next poll. (A nudge before
 * commit would find nothing: the row is not visible yet.) Registered as a TypeORM subscriber to
 * hear about commits; nothing is nudged on rollback, and nothing was ever sent.
 */
@Injectable()
export class OutboxWriter implements EntitySubscriberInterface, OnModuleInit, OnModuleDestroy {
  private readonly awaitingCommit = new WeakSet<QueryRunner>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  onModuleDestroy(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /** Donor erasure: emails that mention an address emptied (OutboxRepository.redactEmailsMentioning). */
  redactEmailsMentioning(manager: EntityManager, email: string, reason: string): Promise<string[]> {
    return this.repo.redactEmailsMentioning(manager, email, reason);
  }

  /** Inserts a row of `kind` with that kind's payload; a dedupe key seen before returns its id. */
  async add<K extends OutboxKind>(
    manager: EntityManager,
    kind: K,
    payload: OutboxPayloads[K],
    dedupeKey?: string,
  ): Promise<string> {
    // The request in progress, if any: its id follows the side effect into the job's log lines.
    const requestId = RequestContext.current()?.requestId;
    const { id, created } = await this.repo.insert(manager, {
      kind,
      payload,
      dedupeKey,
      requestId,
    });
    if (created) {
      const runner = manager.queryRunner;
      if (runner?.isTransactionActive) this.awaitingCommit.add(runner);
      else this.dispatcher.nudge();
    }
    return id;
  }

  /** Empties every email row to `email`, in the caller's transaction (an erased person). */
  redactEmailsTo(manager: EntityManager, email: string): Promise<number> {
    return this.repo.redactEmailsTo(manager, email);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    // Savepoint releases also report a commit; only the outermost one makes the row visible.
    if (runner.isTransactionActive || !this.awaitingCommit.has(runner)) return;
    this.awaitingCommit.delete(runner);
    this.dispatcher.nudge();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.awaitingCommit.delete(event.queryRunner);
  }
}
