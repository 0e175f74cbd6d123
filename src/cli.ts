import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { parseFlags, required } from './cli/args';
import { progress } from './cli/progress';
import { seedDemo } from './cli/seed-demo.command';
import { RequestContext } from './common/context/request-context';
import { logLevelsFrom } from './common/logging/logger';
import { createNestLogger } from './common/logging/nest-logger';
import pino from 'pino';
import { TokensService } from './modules/accounts/tokens.service';
import { UsersService } from './modules/accounts/users.service';
import { validateEnv } from './config/env.schema';
import { EMBEDDED_DATABASE } from './database/database.module';
import type { EmbeddedPostgres } from './database/embedded-postgres';
import { OfflineGiftsService } from './modules/donations/offline-gifts.service';
import { ReconciliationService } from './modules/donations/reconciliation.service';
import { LedgerService } from './modules/ledger/ledger.service';
import { formatMoney } from './common/money';
import { AnnualStatementsService } from './modules/receipts/annual/annual-statements.service';
import { localServerUrl, requestSandboxRenewal } from './modules/payments/sandbox/sandbox-remote';
import { readFileSync } from 'node:fs';
import { RetentionService } from './modules/privacy/retention/retention.service';
import { retentionReportText } from './modules/privacy/retention/retention-report';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  seed-demo        create the demo foundation (safe to run twice)
  create-admin --email E --password P [--name N]
                   create an active administrator (or reset that account's password)
  create-token --email E --name N [--days D]
                   print a personal access token for Authorization: Bearer
  migrate          apply pending database migrations
  migrate:revert   undo the last migration
  ledger:check     verify every ledger invariant, and that gifts, matches and campaign
                   totals agree with the ledger; exits 1 if one fails
  reconcile-payments --since YYYY-MM-DD
                   repair gifts whose webhook never arrived (safe to run any time)
  import-offline --file gifts.csv
                   record bank transfers and cash from CSV; prints a report row by row
  simulate-renewal --subscription sub_sandbox_… [--fail true]
                   sandbox only: the running server bills one month of a monthly gift
  issue-annual-receipts --year YYYY [--force]
                   one annual statement per donor for a year (Beijing time), emailed with
                   its PDF; safe to run twice. --force: a year that has not ended yet
  retention:run    apply the personal-data retention periods now and print what was removed
                   (the web server also runs this once a day)
`;

const COMMANDS = [
  'seed-demo',
  'create-admin',
  'create-token',
  'migrate',
  'migrate:revert',
  'ledger:check',
  'reconcile-payments',
  'import-offline',
  'simulate-renewal',
  'issue-annual-receipts',
  'retention:run',
];

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  validateEnv(process.env);
  const flags = parseFlags(rest, {
    switches: command === 'issue-annual-receipts' ? ['force'] : [],
  });
  if (command === 'simulate-renewal') {
    // Asks the running server, which owns the database (a second PGlite on the same folder would
    // corrupt it) and receives the renewal's webhook anyway.
    const env = validateEnv(process.env);
    const result = await requestSandboxRenewal(
      localServerUrl({ host: env.HOST, port: env.PORT }),
      required(flags, 'subscription'),
      { fail: flags.fail === 'true' },
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  // Log lines go to stderr as JSON: stdout carries what the command prints for people and scripts.
  const app = await NestFactory.createApplicationContext(AppModule, {
    logger: createNestLogger({
      process: 'cli',
      levels: logLevelsFrom(process.env.LOG_LEVEL),
      destination: pino.destination({ dest: 2, sync: true }),
    }),
  });
  app.enableShutdownHooks();
  try {
    const embedded = app.get<symbol, EmbeddedPostgres | null>(EMBEDDED_DATABASE, { strict: false });
    if (embedded?.joined) {
      process.stderr.write(
        `The server (pid ${embedded.joined.pid}) has the embedded database open: working through it.\n`,
      );
    }
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
      case 'create-admin': {
        const user = await app
          .get(UsersService)
          .createAdmin(required(flags, 'email'), required(flags, 'password'), flags.name);
        process.stdout.write(
          `Administrator ${user.email} is ready (roles: ${user.roles.join(', ')}).\n`,
        );
        return 0;
      }
      case 'create-token': {
        const user = await app.get(UsersService).findByEmail(required(flags, 'email'));
        if (!user || user.status !== 'ACTIVE')
          throw new Error(`No active user with email ${flags.email}`);
        const days = flags.days === undefined ? undefined : Number(flags.days);
        const { token, record } = await app
          .get(TokensService)
          .create(user.id, required(flags, 'name'), days);
        process.stderr.write(
          `Token "${record.name}" for ${user.email}, expires ${record.expiresAt.toISOString()}. It is shown once:\n`,
        );
        process.stdout.write(`${token}\n`);
        return 0;
      }
      case 'reconcile-payments': {
        const since = new Date(required(flags, 'since'));
        if (Number.isNaN(since.getTime()))
          throw new Error('--since must be a date such as 2026-11-01');
        const report = await app.get(ReconciliationService).reconcile(since);
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return 0;
      }
      case 'import-offline': {
        const csv = readFileSync(required(flags, 'file'), 'utf8');
        const report = await app.get(OfflineGiftsService).importCsv(csv);
        for (const row of report.rows) {
          process.stdout.write(
            `row ${row.row}\t${row.status}\t${row.reference ?? ''}\t${row.message ?? row.donationId ?? ''}\n`,
          );
        }
        process.stdout.write(
          `${report.recorded} recorded, ${report.duplicates} already recorded, ${report.errors} with errors\n`,
        );
        return report.errors > 0 ? 1 : 0;
      }
      case 'issue-annual-receipts': {
        const annual = app.get(AnnualStatementsService);
        const force = flags.force === 'true';
        // Refused before anything is read: a bad year, or one still running without --force.
        const year = annual.checkYear(required(flags, 'year'), { force });
        let bar: ReturnType<typeof progress> | null = null;
        let shown = 0;
        const summary = await annual.issue(String(year), {
          force,
          onProgress: (done, total) => {
            bar ??= progress(process.stderr, 'statements', total);
            for (; shown < done; shown++) bar.tick();
          },
        });
        const total = formatMoney(summary.issuedMinor, summary.currency, 'en');
        process.stdout.write(
          `Annual statements for ${summary.year}: ${summary.donors} donor(s) with gifts received that year\n` +
            `  issued now          ${summary.issued} (${total} in all), each emailed with its PDF once a worker or the server sends the queue\n` +
            `  already issued      ${summary.alreadyIssued} (left as they are)\n` +
            `  nothing kept        ${summary.nothingKept} (every gift of the year refunded: no statement)\n`,
        );
        return 0;
      }
      case 'retention:run': {
        const report = await app.get(RetentionService).run('MANUAL', null);
        process.stdout.write(retentionReportText(report, 'en'));
        return 0;
      }
      case 'ledger:check': {
        const ledger = app.get(LedgerService);
        const report = await ledger.check();
        const crossModule = await ledger.checkAcrossModules();
        const ok = report.ok && crossModule.ok;
        process.stdout.write(`${JSON.stringify({ ...report, crossModule, ok }, null, 2)}\n`);
        for (const v of crossModule.violations)
          process.stderr.write(`${v.invariant}: ${v.message}\n`);
        return ok ? 0 : 1;
      }
      default:
        return 2;
    }
  } finally {
    await app.close();
  }
}

RequestContext.run({ actor: { kind: 'system', label: 'cli' } }, () =>
  main(process.argv.slice(2)),
).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // People get the message; a stack trace only when asked for (LOG_LEVEL=debug).
    console.error(error instanceof Error ? error.message : String(error));
    if (process.env.LOG_LEVEL === 'debug') console.error(error);
    process.exit(1);
  },
);
