/**
 * Ledger benchmark (`npm run bench:ledger`: builds the app, compiles bench/ with swc into
 * dist/bench/, and runs dist/bench/ledger/run.js against the compiled app in dist/src/).
 *
 * Measures, on a throwaway database migrated with the real migrations:
 *  1. balance read latency through LedgerService.balance for a fund with 1,000 postings and for a
 *     fund with 1,000,000 postings. Balances are slot sums, so the two must be flat (ratio ≤ 1.2);
 *  2. postings per second into one hot fund account from 32 concurrent clients through
 *     LedgerService.post, beside pgbench running the same SQL (the CTE of
 *     LedgerRepository.insertEntry in a transaction) on the same database in the same run.
 *
 * Prints figures for people, then one JSON line per figure:
 *   {"bench":"ledger","figure":...,"value":N,"unit":...,"baseline":N,"ratio":N}
 *
 * Environment:
 *   BENCH_DATABASE_URL  admin connection (default postgres://postgres@127.0.0.1:5432/postgres);
 *                       the bench creates, then drops, its own database on that server
 *   BENCH_HOT_SECONDS   length of each hot-account run (default 15)
 *   BENCH_STRICT=1      exit 1 when the read-latency ratio exceeds 1.2 (default: report only)
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import type { EntryKind } from '../../src/modules/ledger/entry-kinds';
import { entryFingerprint, inLockOrder } from '../../src/modules/ledger/journal';
import type { LedgerService } from '../../src/modules/ledger/ledger.service';
import { BenchDatabase } from '../lib/bench-database';
import { checks, log, now, printFigures, quantile, round, secondsSince } from '../lib/figures';
import { runPgbench } from '../lib/pgbench';
import { ledgerServices } from '../lib/services';

const APP_NAME = 'lianxin-bench';
const db = new BenchDatabase('lianxin_bench_ledger', APP_NAME);

const SMALL_POSTINGS = 1_000;
const LARGE_POSTINGS = 1_000_000;
/**
 * Postings per load entry. Each posting's trigger updates the same slot row, and every update in
 * one transaction walks the versions the transaction already made, so big entries load
 * quadratically: 10,000 per entry ran at ~12k postings/s, 1,000 per entry at ~27k per loader.
 */
const LOAD_BATCH = 1_000;
/** Parallel loaders (on distinct slots); the machine has 2 cores. */
const LOADERS = 2;
const READS = 2_000;
const READ_WARMUP = 200;
const CLIENTS = 32;
const HOT_SECONDS = Number(process.env.BENCH_HOT_SECONDS || 15);
const MAX_READ_RATIO = 1.2;
const CURRENCY = 'CNY';

interface HotResult {
  failed?: number;
  entries: number;
  elapsed: number;
  tps: number;
  latencyMs: number;
  /** Share of one core used by this (single-threaded) process; pgbench runs have none. */
  nodeCpu?: number;
}

/**
 * Opens `n` connections whose backends write different balance slots of a 4-slot account
 * (the posting trigger picks slot pg_backend_pid() % balance_slots), so parallel loaders do not
 * queue on one slot row's lock.
 */
async function loaderConnections(n: number): Promise<Client[]> {
  const clients: Client[] = [];
  const slots = new Set<number>();
  for (let attempt = 0; clients.length < n; attempt++) {
    if (attempt > 50) {
      throw new Error('could not get backends on distinct balance slots');
    }
    const client = await db.connect('load');
    const { rows } = await client.query<{ slot: number }>('SELECT pg_backend_pid() % 4 AS slot');
    if (slots.has(rows[0]!.slot)) {
      await db.disconnect(client);
      continue;
    }
    slots.add(rows[0]!.slot);
    clients.push(client);
  }
  return clients;
}

/**
 * Loads `count` postings of 1 into `accountId`, balanced by `sourceId`, through the real posting
 * trigger (every row updates a balance slot). The one place this bench writes SQL of its own: a
 * million entries posted one by one through LedgerService would not fit the time budget, so each
 * transaction is one entry of LOAD_BATCH postings of 1 and one posting of −LOAD_BATCH, and the
 * loaders run in parallel. The accounts come from LedgerService.openAccount, and the
 * triggers check every entry balances, as they do for the app's own postings.
 */
async function loadPostings(
  loaders: Client[],
  accountId: string,
  sourceId: string,
  count: number,
  label: string,
): Promise<void> {
  const batches = Math.ceil(count / LOAD_BATCH);
  let next = 0;
  await Promise.all(
    loaders.map(async (client) => {
      for (let batch; (batch = next++) < batches;) {
        const n = Math.min(LOAD_BATCH, count - batch * LOAD_BATCH);
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint)
           VALUES ($1, 'BENCH_LOAD', '', $2, 'bench-load') RETURNING id`,
          [`load:${label}:${batch}`, CURRENCY],
        );
        // Postings must be added in the transaction that created their entry (trigger-enforced).
        await client.query(
          `INSERT INTO postings (entry_id, account_id, amount_minor)
           SELECT $1, $2, 1 FROM generate_series(1, $3)`,
          [rows[0]!.id, accountId, n],
        );
        await client.query(
          'INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, $3)',
          [rows[0]!.id, sourceId, -n],
        );
        await client.query('COMMIT'); // the deferred constraint trigger checks the entry balances here
      }
    }),
  );
}

/** Times `READS` balance reads of each account, interleaved ABBA so drift hits both alike. */
async function measureReads(ledger: LedgerService, small: string, large: string) {
  for (let i = 0; i < READ_WARMUP; i++) {
    await ledger.balance(small);
    await ledger.balance(large);
  }
  const times = new Map<string, number[]>([
    [small, []],
    [large, []],
  ]);
  for (let i = 0; i < READS; i++) {
    const order = i % 2 === 0 ? [small, large] : [large, small];
    for (const id of order) {
      const t = now();
      await ledger.balance(id);
      times.get(id)!.push(now() - t);
    }
  }
  const stats = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
  };
  return { small: stats(times.get(small)!), large: stats(times.get(large)!) };
}

function hotEntry(key: string, sourceId: string, hotId: string) {
  return {
    idempotencyKey: key,
    // The benchmark's own kind, so its entries are counted apart; never posted in a real ledger.
    kind: 'BENCH' as EntryKind,
    description: '',
    currency: CURRENCY,
    postings: [
      { accountId: sourceId, amountMinor: -1 },
      { accountId: hotId, amountMinor: 1 },
    ],
  };
}

/**
 * CLIENTS concurrent loops, each awaiting `postOne(key)` back to back for `seconds`; entries/s
 * counts the entries committed between the start and the moment the last loop finishes.
 */
async function hotRun(
  prefix: string,
  postOne: (key: string) => Promise<void>,
  seconds: number,
): Promise<HotResult> {
  let entries = 0;
  let latencySum = 0;
  const start = now();
  const cpu = process.cpuUsage();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; now() < deadline; i++) {
        const t = now();
        await postOne(`${prefix}:${c}:${i}`);
        latencySum += now() - t;
        entries++;
      }
    }),
  );
  const elapsed = (now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  return {
    entries,
    elapsed,
    tps: entries / elapsed,
    latencyMs: latencySum / entries,
    nodeCpu: (user + system) / 1e6 / elapsed,
  };
}

/** The app's insertEntry statement, with the app's parameters written in as pgbench sees them. */
function pgbenchScript(sourceId: string, hotId: string): string {
  const input = hotEntry('unused', sourceId, hotId);
  const postings = inLockOrder(input.postings);
  const fingerprint = entryFingerprint(input);
  const ids = `{${postings.map((p) => p.accountId).join(',')}}`;
  const amounts = `{${postings.map((p) => p.amountMinor).join(',')}}`;
  // :n is a per-client counter (started by -D n=0), so 'pgbench:<client>:<n>' is unique.
  return `\\set n :n + 1
BEGIN;
WITH e AS (
  INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint, reverses_entry_id, metadata)
  VALUES ('pgbench:' || :client_id || ':' || :n, 'BENCH', '', '${CURRENCY}', '${fingerprint}', NULL, '{}')
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, idempotency_key, kind, description, currency, reverses_entry_id, metadata, posted_at
), p AS (
  INSERT INTO postings (entry_id, account_id, amount_minor)
  SELECT e.id, x.account_id, x.amount_minor
  FROM e, unnest('${ids}'::uuid[], '${amounts}'::bigint[]) WITH ORDINALITY AS x(account_id, amount_minor, n)
  ORDER BY x.n
  RETURNING id, entry_id, account_id, amount_minor
)
SELECT e.id, e.idempotency_key, e.kind, e.description, e.currency, e.reverses_entry_id, e.metadata,
       e.posted_at, p.id, p.account_id, p.amount_minor, a.code, a.name
FROM e JOIN p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
ORDER BY p.id;
COMMIT;
`;
}

async function slotBalances(client: Client, accountId: string): Promise<number[]> {
  const { rows } = await client.query<{ b: string }>(
    'SELECT balance_minor::bigint AS b FROM ledger_account_balances WHERE account_id = $1 ORDER BY slot',
    [accountId],
  );
  return rows.map((r) => Number(r.b));
}

async function main(): Promise<number> {
  const started = now();
  const { check, failures } = checks();

  log(
    `ledger bench: database ${db.name} on ${db.host}; ${os.cpus().length} CPUs, ` +
      `load average ${os.loadavg()[0]!.toFixed(2)} before start`,
  );
  await db.create();
  await db.migrate();
  const dataSource = new DataSource(
    dataSourceOptions({ url: db.url, poolSize: CLIENTS + 8, applicationName: APP_NAME }),
  );
  await dataSource.initialize();
  db.onDrop(() => dataSource.destroy());
  const { ledger } = ledgerServices(dataSource);

  const open = (
    code: string,
    name: string,
    type: 'FUND' | 'EXTERNAL',
    allowNegative: boolean,
    balanceSlots: number,
  ) => ledger.openAccount({ code, name, type, currency: CURRENCY, allowNegative, balanceSlots });
  const small = await open('fund:bench-small', 'Bench fund, 1e3 postings', 'FUND', false, 4);
  const large = await open('fund:bench-large', 'Bench fund, 1e6 postings', 'FUND', false, 4);
  const hot = await open('fund:bench-hot', 'Bench hot fund', 'FUND', false, 4);
  const source = await open('external:bench-source', 'Bench donors', 'EXTERNAL', true, 16);
  log(`migrated and opened 4 accounts in ${secondsSince(started)} s`);

  // A side connection for maintenance and checks, outside the app's pool.
  const side = await db.connect('side');
  try {
    // ---- load ---------------------------------------------------------------------------------
    let t = now();
    const loaders = await loaderConnections(LOADERS);
    try {
      await loadPostings(loaders, small.id, source.id, SMALL_POSTINGS, 'small');
      await loadPostings(loaders, large.id, source.id, LARGE_POSTINGS, 'large');
    } finally {
      await Promise.all(loaders.map((c) => db.disconnect(c)));
    }
    const loaded = SMALL_POSTINGS + LARGE_POSTINGS;
    const loadSeconds = (now() - t) / 1000;
    log(
      `loaded ${loaded} postings through the posting trigger in ${loadSeconds.toFixed(1)} s ` +
        `(${Math.round(loaded / loadSeconds)} postings/s; ${LOADERS} loaders, ` +
        `${LOAD_BATCH} postings per entry)`,
    );
    const smallBalance = await ledger.balance(small.id);
    const largeBalance = await ledger.balance(large.id);
    check(smallBalance === SMALL_POSTINGS, `balance of the 1e3 fund = ${smallBalance}`);
    check(largeBalance === LARGE_POSTINGS, `balance of the 1e6 fund = ${largeBalance}`);

    // The load updated each slot row up to LOAD_BATCH times per transaction; vacuum the dead
    // versions as autovacuum would, so the reads measure the design and not the loader.
    t = now();
    await side.query(
      'VACUUM (ANALYZE) ledger_accounts, ledger_account_balances, journal_entries, postings',
    );
    log(`VACUUM (ANALYZE) in ${secondsSince(t)} s`);

    // ---- balance reads ------------------------------------------------------------------------
    const reads = await measureReads(ledger, small.id, large.id);
    const readRatio = reads.large.median / reads.small.median;
    const ms = (x: number) => `${x.toFixed(3)} ms`;
    log('');
    log(`balance read: LedgerService.balance, ${READS} reads of each fund, interleaved`);
    log(`  fund with 1e3 postings   median ${ms(reads.small.median)}   p95 ${ms(reads.small.p95)}`);
    log(`  fund with 1e6 postings   median ${ms(reads.large.median)}   p95 ${ms(reads.large.p95)}`);
    log(
      `  ratio of medians ${readRatio.toFixed(3)} ` +
        `(limit ${MAX_READ_RATIO}: ${readRatio <= MAX_READ_RATIO ? 'ok' : 'EXCEEDED'})`,
    );

    // ---- hot account --------------------------------------------------------------------------
    log('');
    log(
      `hot account: ${CLIENTS} concurrent clients posting S -> H (1 minor unit), ${HOT_SECONDS} s per run`,
    );
    log('  postings/s = 2 x committed entries/s (every entry is one debit and one credit posting)');
    // Each run starts from a vacuumed slot table, so no run inherits another's dead versions.
    const measure = async (label: string, run: () => Promise<HotResult>) => {
      await side.query('VACUUM ledger_account_balances');
      // Figures are only comparable on a quiet server: say so when someone else is busy on it.
      const { rows: busy } = await side.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE state = 'active' AND backend_type = 'client backend' AND datname <> current_database()`,
      );
      if (busy[0]!.n > 0) {
        log(`  (note: ${busy[0]!.n} sessions active in other databases)`);
      }
      const before = await slotBalances(side, hot.id);
      const result = await run();
      const after = await slotBalances(side, hot.id);
      const shares = after.map((b, i) => b - before[i]!).join('/');
      const postings = 2 * result.tps;
      const cpu =
        result.nodeCpu === undefined ? '' : `  node CPU ${(100 * result.nodeCpu).toFixed(0)}%`;
      log(
        `  ${label.padEnd(40)} ${postings.toFixed(0).padStart(6)} postings/s  ` +
          `mean latency ${result.latencyMs.toFixed(1).padStart(5)} ms  H slots ${shares}${cpu}`,
      );
      return { ...result, postings };
    };

    // Warm the pool (one post per client) so connecting is not timed; pgbench excludes it too.
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) =>
        ledger.post(hotEntry(`warm:${c}`, source.id, hot.id)),
      ),
    );
    const app = await measure('app: LedgerService.post', () =>
      hotRun(
        'app',
        async (key) => {
          const result = await ledger.post(hotEntry(key, source.id, hot.id));
          if (result.replayed) {
            throw new Error(`unexpected replay of ${key}`);
          }
        },
        HOT_SECONDS,
      ),
    );
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianxin-bench-'));
    const scriptFile = path.join(tempDir, 'hot-post.sql');
    fs.writeFileSync(scriptFile, pgbenchScript(source.id, hot.id));
    let bench;
    try {
      bench = await measure('pgbench: same SQL in BEGIN/COMMIT', async () => {
        const r = await runPgbench({
          url: db.url,
          scriptFile,
          clients: CLIENTS,
          seconds: HOT_SECONDS,
        });
        return {
          entries: r.transactions,
          elapsed: HOT_SECONDS,
          tps: r.tps,
          latencyMs: r.latencyMs,
          failed: r.failed,
        };
      });
    } finally {
      fs.rmSync(tempDir, { recursive: true, force: true });
    }
    const hotRatio = app.postings / bench.postings;
    log(`  ratio app / pgbench ${hotRatio.toFixed(3)}`);

    // ---- sanity -------------------------------------------------------------------------------
    log('');
    log('sanity:');
    const { rows } = await side.query<{
      warm: number;
      app: number;
      pgbench: number;
      total: number;
    }>(
      `SELECT count(*) FILTER (WHERE idempotency_key LIKE 'warm:%')::int AS warm,
              count(*) FILTER (WHERE idempotency_key LIKE 'app:%')::int AS app,
              count(*) FILTER (WHERE idempotency_key LIKE 'pgbench:%')::int AS pgbench,
              count(*)::int AS total
       FROM journal_entries WHERE kind = 'BENCH'`,
    );
    const counted = rows[0]!;
    check(counted.warm === CLIENTS, `warm-up entries in the journal = ${counted.warm}`);
    check(
      counted.app === app.entries,
      `app entries in the journal = ${counted.app} (posted ${app.entries})`,
    );
    check(
      counted.pgbench === bench.entries,
      `pgbench entries in the journal = ${counted.pgbench} (pgbench reports ${bench.entries}, ${bench.failed ?? 0} failed)`,
    );
    const hotBalance = await ledger.balance(hot.id);
    check(
      hotBalance === counted.total,
      `balance of H = ${hotBalance} = BENCH entries (${counted.total})`,
    );
    t = now();
    const report = await ledger.check();
    check(
      report.ok,
      `LedgerService.check over ${report.entries} entries and ${report.postings} postings ` +
        `(${secondsSince(t)} s): ${report.unbalancedEntries.length} unbalanced, ` +
        `${report.balanceMismatches.length} slot/posting mismatches, ` +
        `${report.negativeAccounts.length} negative`,
    );

    log('');
    log(`done in ${secondsSince(started)} s (after the build)`);
    printFigures('ledger', [
      {
        figure: 'balance read latency 1e6 vs 1e3 postings',
        value: round(reads.large.median, 3),
        unit: 'ms',
        baseline: round(reads.small.median, 3),
        ratio: round(readRatio, 3),
      },
      {
        figure: 'hot account postings per second',
        value: round(app.postings, 1),
        unit: 'postings/s',
        baseline: round(bench.postings, 1),
        ratio: round(hotRatio, 3),
      },
    ]);

    if (failures.length > 0) {
      return 1;
    }
    return process.env.BENCH_STRICT === '1' && readRatio > MAX_READ_RATIO ? 1 : 0;
  } finally {
    await db.disconnect(side);
  }
}

db.run(main);
