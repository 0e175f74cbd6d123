import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, type ConnectionTarget } from './data-source-options';
import { EmbeddedPostgres } from './embedded-postgres';
import { TransactionService } from './transaction.service';

export const CONNECTION_TARGET = Symbol('CONNECTION_TARGET');
const EMBEDDED = Symbol('EMBEDDED');

/** Where the database is: DATABASE_URL, or embedded PGlite started in DATA_DIR. */
@Module({
  providers: [
    {
      provide: EMBEDDED,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.databaseMode === 'embedded' ? new EmbeddedPostgres(config.dataDir) : null,
    },
    {
      provide: CONNECTION_TARGET,
      inject: [AppConfig, EMBEDDED],
      useFactory: async (
        config: AppConfig,
        embedded: EmbeddedPostgres | null,
      ): Promise<ConnectionTarget> => {
        if (!embedded) return { url: config.databaseUrl, poolSize: config.databasePoolSize };
        const socket = await embedded.start();
        new Logger('Database').log(`embedded PostgreSQL (PGlite) in ${config.dataDir}`);
        return { ...socket, poolSize: 1 };
      },
    },
  ],
  exports: [CONNECTION_TARGET],
})
export class DatabaseConnectionModule implements OnApplicationShutdown {
  constructor(
    @Inject(EMBEDDED) private readonly embedded: EmbeddedPostgres | null,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    // Close the pool before PGlite stops under it.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
  }
}

/**
 * PostgreSQL at DATABASE_URL, or embedded PGlite when it is unset. Embedded mode runs migrations
 * at start; against a real server they run by `npm run migration:run`. synchronize is never on.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseConnectionModule],
      inject: [CONNECTION_TARGET, AppConfig],
      useFactory: (target: ConnectionTarget, config: AppConfig) => ({
        ...dataSourceOptions(target),
        autoLoadEntities: true,
        migrationsRun: config.databaseMode === 'embedded',
        // Query errors surface as domain errors or 500s (logged once by the filter), not here.
        logging: ['warn', 'migration'],
      }),
    }),
  ],
  providers: [TransactionService],
  exports: [TransactionService],
})
export class DatabaseModule {}
