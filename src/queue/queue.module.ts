import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BullQueues } from './bull-queues';
import { OutboxDispatcher } from './outbox-dispatcher';
import { OutboxDrainer } from './outbox-drainer';
import { OutboxExecutor } from './outbox-executor';
import { OutboxHandlerRegistry } from './outbox-handlers';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';
import { OutboxMessage } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';
import { QueueStats } from './queue-stats';

/**
 * The outbox and its delivery: the writer business code calls inside its transaction, the relay
 * to BullMQ (REDIS_URL set) or the in-process drainer (unset), and the workers that run the
 * processors registered by feature modules (`OutboxHandlerRegistry.register`). See
 * docs/notifications.md.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessage])],
  providers: [
    OutboxRepository,
    OutboxHandlerRegistry,
    OutboxExecutor,
    BullQueues,
    OutboxRelay,
    OutboxDrainer,
    OutboxDispatcher,
    OutboxWriter,
    QueueStats,
  ],
  exports: [OutboxWriter, OutboxHandlerRegistry, OutboxDispatcher, QueueStats],
})
export class QueueModule {}
