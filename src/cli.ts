import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { seedDemo } from './cli/seed-demo.command';
import { ConfigValidationError, validateEnv } from './config/env.schema';
import { LedgerService } from './modules/ledger/ledger.service';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  seed-demo        create the demo foundation (safe to run twice)
  migrate          apply pending database migrations
  migrate:revert   undo the last migration
  ledger:check     verify every ledger invariant; exits 1 if one fails
`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (!['seed-demo', 'migrate', 'migrate:revert', 'ledger:check'].includes(command)) {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  validateEnv(process.env);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  try {
    const dataSource = app.get(DataSource);
    switch (command) {
      case 'migrate': {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        process.stdout.write(
          applied.length
            ? `Applied ${applied.map((m) => m.name).join(', ')}\n`
            : 'Database is up to date.\n',
        );
        return 0;
      }
      case 'migrate:revert':
        await dataSource.undoLastMigration({ transaction: 'each' });
        process.stdout.write('Reverted the last migration.\n');
        return 0;
      case 'seed-demo':
        await dataSource.runMigrations({ transaction: 'each' });
        await seedDemo(app);
        return 0;
      case 'ledger:check': {
        const report = await app.get(LedgerService).check();
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? 0 : 1;
      }
      default:
        return 2;
    }
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigValidationError || (error as { code?: string }).code) {
      console.error((error as Error).message);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
