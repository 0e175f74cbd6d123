import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, type ConnectionTarget } from './data-source-options';
import { PROCESS_ROLE, type ProcessRole } from '../queue/queue.constants';
import { EmbeddedPostgres } from './embedded-postgres';
import { TransactionService } from './transaction.service';

export const CONNECTION_TARGET = Symbol('CONNECTION_TARGET');
export const EMBEDDED_DATABASE = Symbol('EMBEDDED_DATABASE');

/** Where the database is: DATABASE_URL, or embedded PGlite started in DATA_DIR. */
@Module({
  providers: [
    {
      provide: EMBEDDED_DATABASE,
      inject: [AppConfig, HttpAdapterHost, { token: PROCESS_ROLE, optional: true }],
      useFactory: (config: AppConfig, host: HttpAdapterHost, declared?: ProcessRole) => {
        if (config.databaseMode !== 'embedded') return null;
        // The same rule as the outbox dispatcher's: no HTTP server and no declared role is a CLI.
        const role = declared ?? (host.httpAdapter ? 'web' : 'cli');
        return new EmbeddedPostgres(
          config.dataDir,
          // process.argv[2] is the CLI's command, named in messages to whoever waits for it.
          role === 'cli' ? { kind: 'cli', command: process.argv[2] } : { kind: 'server' },
        );
      },
    },
    {
      provide: CONNECTION_TARGET,
      inject: [AppConfig, EMBEDDED_DATABASE],
      useFactory: async (
        config: AppConfig,
        embedded: EmbeddedPostgres | null,
      ): Promise<ConnectionTarget> => {
        if (!embedded) return { url: config.databaseUrl, poolSize: config.databasePoolSize };
        const { owner, ...socket } = await embedded.start();
        new Logger('Database').log(
          owner
            ? `embedded PostgreSQL (PGlite) in ${config.dataDir}`
            : `embedded PostgreSQL through the running server (pid ${embedded.joined?.pid})`,
        );
        // The folder's owner migrates at start; a process going through it leaves that to it.
        return { ...socket, poolSize: 1, migrationsRun: owner };
      },
    },
  ],
  exports: [CONNECTION_TARGET, EMBEDDED_DATABASE],
})
export class DatabaseConnectionModule implements OnApplicationShutdown {
  constructor(
    @Inject(EMBEDDED_DATABASE) private readonly embedded: EmbeddedPostgres | null,
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
      inject: [CONNECTION_TARGET],
      useFactory: (target: ConnectionTarget) => ({
        ...dataSourceOptions(target),
        autoLoadEntities: true,
        migrationsRun: target.migrationsRun ?? false,
        // Query errors surface as domain errors or 500s (logged once by the filter), not here.
        logging: ['warn', 'migration'],
      }),
    }),
  ],
  providers: [TransactionService],
  exports: [TransactionService],
})
export class DatabaseModule {}
