import { Injectable } from '@nestjs/common';
import type { OutboxMessage } from './outbox.entity';
import type { OutboxKind } from './outbox-kinds';

/**
 * Does the side effect of one outbox row. Throws to fail the attempt (it is retried with backoff);
 * throws `PermanentOutboxError` when no retry can help. It must not change the row: the executor
 * records the outcome.
 */
export interface OutboxHandler<K extends OutboxKind = OutboxKind> {
  handle(message: OutboxMessage<K>): Promise<void>;
}

/** A failure no retry can fix: the row goes straight to FAILED. */
export class PermanentOutboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentOutboxError';
  }
}

/** Processors register here (in `onModuleInit`); the queue's loops and workers look them up. */
@Injectable()
export class OutboxHandlerRegistry {
  private readonly handlers = new Map<OutboxKind, OutboxHandler>();

  register<K extends OutboxKind>(kind: K, handler: OutboxHandler<K>): void {
    if (this.handlers.has(kind))
      throw new Error(`an outbox handler for ${kind} is already registered`);
    this.handlers.set(kind, handler);
  }

  get<K extends OutboxKind>(kind: K): OutboxHandler<K> | undefined {
    return this.handlers.get(kind);
  }

  kinds(): OutboxKind[] {
    return [...this.handlers.keys()];
  }
}
