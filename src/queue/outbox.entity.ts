import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OutboxStatus } from './outbox-status';
import type { OutboxKind, OutboxPayloads } from './outbox-kinds';

/**
 * One side effect waiting to happen, or the record of how it went (see the migration). A handler
 * of kind K receives an `OutboxMessage<K>`, whose payload is that kind's (`OutboxPayloads`).
 */
@Entity('outbox')
export class OutboxMessage<K extends OutboxKind = OutboxKind> {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  kind!: K;

  @Column({ type: 'text', nullable: true, unique: true })
  dedupeKey!: string | null;

  @Column({ type: 'jsonb' })
  payload!: OutboxPayloads[K];

  @Column({ type: 'text', default: 'PENDING' })
  status!: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  /** The request that wrote the row, for its job's log lines; null outside a request. */
  @Column({ type: 'text', nullable: true })
  requestId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  relayedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** When retention emptied a sent email's payload (its recipient, subject data and links). */
  @Column({ type: 'timestamptz', nullable: true })
  payloadRedactedAt!: Date | null;
}
