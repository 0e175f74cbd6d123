import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { installGracefulShutdown } from './common/shutdown/graceful-shutdown';
import { InFlightRequests } from './common/shutdown/in-flight-requests';
import { AppConfig } from './config/app-config';
import { ConfigValidationError, validateEnv } from './config/env.schema';
import { OutboxDispatcher } from './queue/outbox-dispatcher';

async function main(): Promise<void> {
  try {
    validateEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp();
  const config = app.get(AppConfig);
  await app.listen({ port: config.port, host: config.host });
  const url = `http://localhost:${config.port}`;
  const requests = app.get(InFlightRequests);
  const server = app.getHttpServer();
  installGracefulShutdown({
    timeoutMs: config.shutdownTimeoutMs,
    logger: new Logger('Shutdown'),
    // No new connections, idle keep-alive ones closed, requests in progress answered.
    drain: () => {
      server.close();
      return requests.drain();
    },
    close: () => app.close(),
    unfinished: () => [...requests.describe(), ...app.get(OutboxDispatcher).unfinished()],
  });
  new Logger('Lianxin').log(
    `ready (${config.databaseMode === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'})`,
  );
  console.log(
    `\n  Lianxin is running: open ${url}\n  API docs: ${url}/api/docs   health: ${url}/health\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
