import 'reflect-metadata';
import { Global, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { logLevelsFrom } from './common/logging/logger';
import { createNestLogger } from './common/logging/nest-logger';
import { installGracefulShutdown } from './common/shutdown/graceful-shutdown';
import { AppConfig } from './config/app-config';
import { ConfigValidationError, validateEnv } from './config/env.schema';
import { OutboxDispatcher } from './queue/outbox-dispatcher';
import { PROCESS_ROLE, type ProcessRole } from './queue/queue.constants';

/** Declares this process a worker: the outbox dispatcher then always runs the processors. */
@Global()
@Module({
  providers: [{ provide: PROCESS_ROLE, useValue: 'worker' satisfies ProcessRole }],
  exports: [PROCESS_ROLE],
})
class WorkerRoleModule {}

@Module({ imports: [WorkerRoleModule, AppModule] })
class WorkerModule {}

/**
 * Second entry point (`npm run start:worker`): the same modules as the web app, without HTTP.
 * With REDIS_URL it relays the outbox to BullMQ and runs the queue processors; without it, it
 * drains the outbox in-process. Run the web app with QUEUE_PROCESSORS=false to leave all
 * processing to workers. SIGTERM lets jobs in progress finish (for at most
 * SHUTDOWN_TIMEOUT_SECONDS), gives back what it claimed and has not started, then exits.
 */
async function main(): Promise<void> {
  let env;
  try {
    env = validateEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (!env.DATABASE_URL) {
    // The embedded database lives inside the web process (one PGlite per data folder); the web
    // process runs the processors itself in that mode.
    console.error(
      'The worker needs DATABASE_URL: with the embedded database, the web app (npm start) runs the jobs itself.',
    );
    process.exit(1);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: createNestLogger({ process: 'worker', levels: logLevelsFrom(env.LOG_LEVEL) }),
    abortOnError: false,
  });
  installGracefulShutdown({
    timeoutMs: app.get(AppConfig).shutdownTimeoutMs,
    logger: new Logger('Shutdown'),
    close: () => app.close(),
    unfinished: () => app.get(OutboxDispatcher).unfinished(),
  });
  new Logger('Lianxin').log(
    `worker ready (${env.REDIS_URL ? 'BullMQ on Redis' : 'in-process outbox'})`,
  );
  console.log(`Lianxin worker is running (${env.REDIS_URL ? 'Redis queue' : 'in-process outbox'})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
