import { Global, Module } from '@nestjs/common';
import { DonationsModule } from '../donations/donations.module';
import { LedgerModule } from '../ledger/ledger.module';
import { QueueModule } from '../../queue/queue.module';
import { LedgerCheckStatus } from './ledger-check-status';
import { MetricsCollectors } from './metrics-collectors';
import { MetricsController } from './metrics.controller';
import { MetricsEndpoint } from './metrics-endpoint';
import { MetricsListener } from './metrics-listener';
import { Metrics } from './metrics.service';

/**
 * The process's metrics registry, global so any module records into it (requests, gifts, jobs)
 * without importing the modules its scrape reads.
 */
@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsRegistryModule {}

/** Prometheus metrics: /metrics, the internal listener, and the gauges read on scrape. */
@Module({
  imports: [MetricsRegistryModule, DonationsModule, LedgerModule, QueueModule],
  controllers: [MetricsController],
  providers: [MetricsEndpoint, MetricsListener, MetricsCollectors, LedgerCheckStatus],
})
export class MetricsModule {}
