'use strict';
/**
 * Ledger benchmark (`npm run bench:ledger`, which builds first: this file loads the compiled app
 * from dist/).
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
require('reflect-metadata');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { DataSource } = require('typeorm');

const dist = path.join(__dirname, '..', '..', 'dist', 'src');
const { dataSourceOptions } = require(path.join(dist, 'database', 'data-source-options'));
const { TransactionService } = require(path.join(dist, 'database', 'transaction.service'));
const { LedgerRepository } = require(path.join(dist, 'modules', 'ledger', 'ledger.repository'));
const { LedgerService } = require(path.join(dist, 'modules', 'ledger', 'ledger.service'));
const { entryFingerprint, inLockOrder } = require(path.join(dist, 'modules', 'ledger', 'journal'));

const ADMIN_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'lianxin_bench_ledger';
const DB_URL = withDatabase(ADMIN_URL, DB_NAME);
const APP_NAME = 'lianxin-bench';
const PGBENCH = process.env.PGBENCH || 'pgbench';

const SMALL_POSTINGS = 1_000;
const LARGE_POSTINGS = 1_000_000;
/** Postings per load entry: each load transaction is one entry, N postings of 1 and one of −N. */
const LOAD_BATCH = 10_000;
const READS = 2_000;
const READ_WARMUP = 200;
const CLIENTS = 32;
const HOT_SECONDS = Number(process.env.BENCH_HOT_SECONDS || 15);
const MAX_READ_RATIO = 1.2;
const CURRENCY = 'CNY';

let adminClient = null;
let dataSource = null;
let pgbenchChild = null;

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const log = (...args) => console.log(...args);
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const secondsSince = (t) => ((now() - t) / 1000).toFixed(1);

function quantile(sorted, q) {
  // Nearest-rank on an already sorted array.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function createDatabase() {
  adminClient = new Client({ connectionString: ADMIN_URL, application_name: `${APP_NAME}-admin` });
  await adminClient.connect();
  // A previous run killed hard may have left it behind.
  await adminClient.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await adminClient.query(`CREATE DATABASE ${DB_NAME}`);
}

async function dropDatabase() {
  if (pgbenchChild && pgbenchChild.exitCode === null) pgbenchChild.kill('SIGTERM');
  if (dataSource && dataSource.isInitialized) {
    await dataSource.destroy().catch(() => {});
  }
  dataSource = null;
  if (adminClient) {
    try {
      await adminClient.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    } catch (error) {
      console.error(`could not drop database ${DB_NAME}: ${error.message}`);
    }
    await adminClient.end().catch(() => {});
    adminClient = null;
  }
}

/**
 * Loads `count` postings of 1 into `accountId`, balanced by `sourceId`, through the real posting
 * trigger (each row updates a balance slot). Set-based: one entry per transaction with
 * LOAD_BATCH postings, because posting a million entries one by one would not fit the time budget.
 */
async function loadPostings(client, accountId, sourceId, count, label) {
  for (let done = 0, batch = 0; done < count; batch++) {
    const n = Math.min(LOAD_BATCH, count - done);
    await client.query('BEGIN');
    const { rows } = await client.query(
      `INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint)
       VALUES ($1, 'BENCH_LOAD', '', $2, 'bench-load') RETURNING id`,
      [`load:${label}:${batch}`, CURRENCY],
    );
    const entryId = rows[0].id;
    // Same account order as the app (inLockOrder) is irrelevant here: a single loader runs.
    await client.query(
      `INSERT INTO postings (entry_id, account_id, amount_minor)
       SELECT $1, $2, 1 FROM generate_series(1, $3)`,
      [entryId, accountId, n],
    );
    await client.query(
      `INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, $3)`,
      [entryId, sourceId, -n],
    );
    await client.query('COMMIT'); // the deferred trigger checks the entry balances here
    done += n;
  }
}

/** Times `READS` balance reads of each account, interleaved ABBA so drift hits both alike. */
async function measureReads(ledger, small, large) {
  for (let i = 0; i < READ_WARMUP; i++) {
    await ledger.balance(small);
    await ledger.balance(large);
  }
  const times = { [small]: [], [large]: [] };
  for (let i = 0; i < READS; i++) {
    const order = i % 2 === 0 ? [small, large] : [large, small];
    for (const id of order) {
      const t = now();
      await ledger.balance(id);
      times[id].push(now() - t);
    }
  }
  const stats = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
  };
  return { small: stats(times[small]), large: stats(times[large]) };
}

function hotEntry(key, sourceId, hotId) {
  return {
    idempotencyKey: key,
    kind: 'BENCH',
    description: '',
    currency: CURRENCY,
    postings: [
      { accountId: sourceId, amountMinor: -1 },
      { accountId: hotId, amountMinor: 1 },
    ],
  };
}

/** CLIENTS concurrent loops posting S → H through LedgerService.post for `seconds`. */
async function hotApp(ledger, sourceId, hotId, seconds) {
  // Warm the pool: one post per client, so connection setup is not timed (pgbench excludes it too).
  await Promise.all(
    Array.from({ length: CLIENTS }, (_, c) => ledger.post(hotEntry(`warm:${c}`, sourceId, hotId))),
  );
  let entries = 0;
  let latencySum = 0;
  const start = now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; now() < deadline; i++) {
        const t = now();
        const result = await ledger.post(hotEntry(`app:${c}:${i}`, sourceId, hotId));
        if (result.replayed) throw new Error(`unexpected replay of app:${c}:${i}`);
        latencySum += now() - t;
        entries++;
      }
    }),
  );
  const elapsed = (now() - start) / 1000;
  return {
    entries: entries + CLIENTS,
    timedEntries: entries,
    elapsed,
    tps: entries / elapsed,
    latencyMs: latencySum / entries,
  };
}

/** The app's insertEntry statement, with the app's parameters written in as pgbench sees them. */
function pgbenchScript(sourceId, hotId) {
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
  RETURNING id
), p AS (
  INSERT INTO postings (entry_id, account_id, amount_minor)
  SELECT e.id, x.account_id, x.amount_minor
  FROM e, unnest('${ids}'::uuid[], '${amounts}'::bigint[]) WITH ORDINALITY AS x(account_id, amount_minor, n)
  ORDER BY x.n
  RETURNING 1
)
SELECT id FROM e;
COMMIT;
`;
}

function runPgbench(scriptFile, seconds) {
  // -M extended: node-pg sends parameterised queries with the extended protocol too.
  const args = [
    '-n',
    '-c',
    String(CLIENTS),
    '-j',
    '2',
    '-T',
    String(seconds),
    '-M',
    'extended',
    '-D',
    'n=0',
    '-f',
    scriptFile,
    DB_URL,
  ];
  return new Promise((resolve, reject) => {
    let out = '';
    pgbenchChild = spawn(PGBENCH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    pgbenchChild.stdout.on('data', (d) => (out += d));
    pgbenchChild.stderr.on('data', (d) => (out += d));
    pgbenchChild.on('error', reject);
    pgbenchChild.on('close', (code) => {
      pgbenchChild = null;
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
      const processed = /number of transactions actually processed: (\d+)/.exec(out);
      const failed = /number of failed transactions: (\d+)/.exec(out);
      const latency = /latency average = ([\d.]+) ms/.exec(out);
      if (code !== 0 || !tps || !processed) {
        reject(new Error(`pgbench exited with ${code}:\n${out}`));
        return;
      }
      resolve({
        tps: Number(tps[1]),
        entries: Number(processed[1]),
        failed: failed ? Number(failed[1]) : 0,
        latencyMs: latency ? Number(latency[1]) : NaN,
      });
    });
  });
}

async function slotBalances(client, accountId) {
  const { rows } = await client.query(
    'SELECT balance_minor::bigint AS b FROM ledger_account_balances WHERE account_id = $1 ORDER BY slot',
    [accountId],
  );
  return rows.map((r) => Number(r.b));
}

async function main() {
  const started = now();
  const failures = [];
  const check = (ok, message) => {
    if (!ok) failures.push(message);
    log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
  };

  log(`ledger bench: database ${DB_NAME} on ${new URL(ADMIN_URL).host}, ${os.cpus().length} CPUs`);
  await createDatabase();
  dataSource = new DataSource({
    ...dataSourceOptions({ url: DB_URL, poolSize: CLIENTS + 8, applicationName: APP_NAME }),
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  const ledger = new LedgerService(new TransactionService(dataSource), new LedgerRepository());

  const open = (code, name, type, allowNegative, balanceSlots) =>
    ledger.openAccount({ code, name, type, currency: CURRENCY, allowNegative, balanceSlots });
  const small = await open('fund:bench-small', 'Bench fund, 1e3 postings', 'FUND', false, 4);
  const large = await open('fund:bench-large', 'Bench fund, 1e6 postings', 'FUND', false, 4);
  const hot = await open('fund:bench-hot', 'Bench hot fund', 'FUND', false, 4);
  const source = await open('external:bench-source', 'Bench donors', 'EXTERNAL', true, 16);
  log(`migrated and opened 4 accounts in ${secondsSince(started)} s`);

  // ---- load -------------------------------------------------------------------------------
  const db = new Client({ connectionString: DB_URL, application_name: `${APP_NAME}-load` });
  await db.connect();
  try {
    let t = now();
    await loadPostings(db, small.id, source.id, SMALL_POSTINGS, 'small');
    await loadPostings(db, large.id, source.id, LARGE_POSTINGS, 'large');
    const loadSeconds = (now() - t) / 1000;
    log(
      `loaded ${SMALL_POSTINGS + LARGE_POSTINGS} postings through the posting trigger in ` +
        `${loadSeconds.toFixed(1)} s (${Math.round((SMALL_POSTINGS + LARGE_POSTINGS) / loadSeconds)} postings/s, ` +
        `${LOAD_BATCH} postings per entry)`,
    );
    log('sanity:');
    check(
      (await ledger.balance(small.id)) === SMALL_POSTINGS,
      `balance of the 1e3 fund = ${await ledger.balance(small.id)}`,
    );
    check(
      (await ledger.balance(large.id)) === LARGE_POSTINGS,
      `balance of the 1e6 fund = ${await ledger.balance(large.id)}`,
    );

    // The bulk load updates one balance slot 10,000 times per transaction, leaving dead row
    // versions that normal one-entry-per-transaction traffic (pruned as it goes) and autovacuum
    // would not leave; vacuum so the read measures the design, not the loader's leftovers.
    t = now();
    await db.query(
      'VACUUM (ANALYZE) ledger_accounts, ledger_account_balances, journal_entries, postings',
    );
    log(`VACUUM (ANALYZE) in ${secondsSince(t)} s`);

    // ---- balance reads ----------------------------------------------------------------------
    const reads = await measureReads(ledger, small.id, large.id);
    const readRatio = reads.large.median / reads.small.median;
    log('');
    log(
      `balance read, LedgerService.balance (own READ COMMITTED transaction), ${READS} reads each, interleaved:`,
    );
    log(
      `  fund with 1e3 postings: median ${reads.small.median.toFixed(3)} ms, p95 ${reads.small.p95.toFixed(3)} ms`,
    );
    log(
      `  fund with 1e6 postings: median ${reads.large.median.toFixed(3)} ms, p95 ${reads.large.p95.toFixed(3)} ms`,
    );
    log(
      `  ratio of medians 1e6/1e3: ${readRatio.toFixed(3)} (must stay <= ${MAX_READ_RATIO}: ${readRatio <= MAX_READ_RATIO ? 'ok' : 'EXCEEDED'})`,
    );

    // ---- hot account ------------------------------------------------------------------------
    log('');
    log(
      `hot account: ${CLIENTS} concurrent clients posting S -> H (1 minor unit), ${HOT_SECONDS} s each;`,
    );
    log(
      '  counted: postings/s = 2 x committed entries/s (each entry is one debit and one credit posting)',
    );
    const before = await slotBalances(db, hot.id);
    const app = await hotApp(ledger, source.id, hot.id, HOT_SECONDS);
    const afterApp = await slotBalances(db, hot.id);
    const appPostings = 2 * app.tps;
    log(
      `  app (LedgerService.post): ${app.timedEntries} entries in ${app.elapsed.toFixed(1)} s = ` +
        `${appPostings.toFixed(1)} postings/s, mean latency ${app.latencyMs.toFixed(2)} ms; ` +
        `H slot shares ${afterApp.map((b, i) => b - before[i]).join('/')}`,
    );

    // Same starting state for both runs: clear the dead slot versions the app run left.
    await db.query('VACUUM ledger_account_balances');
    const scriptFile = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'lianxin-bench-')),
      'hot-post.sql',
    );
    fs.writeFileSync(scriptFile, pgbenchScript(source.id, hot.id));
    let bench;
    try {
      bench = await runPgbench(scriptFile, HOT_SECONDS);
    } finally {
      fs.rmSync(path.dirname(scriptFile), { recursive: true, force: true });
    }
    const afterBench = await slotBalances(db, hot.id);
    const benchPostings = 2 * bench.tps;
    log(
      `  pgbench (same CTE, BEGIN/COMMIT, -M extended): ${bench.entries} entries, tps ${bench.tps.toFixed(1)} = ` +
        `${benchPostings.toFixed(1)} postings/s, mean latency ${bench.latencyMs.toFixed(2)} ms; ` +
        `H slot shares ${afterBench.map((b, i) => b - afterApp[i]).join('/')}`,
    );
    const hotRatio = appPostings / benchPostings;
    log(`  ratio app / pgbench: ${hotRatio.toFixed(3)}`);

    // ---- sanity -----------------------------------------------------------------------------
    log('');
    log('sanity:');
    const { rows: counted } = await db.query(
      `SELECT count(*) FILTER (WHERE idempotency_key LIKE 'app:%' OR idempotency_key LIKE 'warm:%')::int AS app,
              count(*) FILTER (WHERE idempotency_key LIKE 'pgbench:%')::int AS pgbench
       FROM journal_entries WHERE kind = 'BENCH'`,
    );
    const hotBalance = await ledger.balance(hot.id);
    check(
      counted[0].app === app.entries,
      `app entries in the journal = ${counted[0].app} (posted ${app.entries})`,
    );
    check(
      counted[0].pgbench === bench.entries,
      `pgbench entries in the journal = ${counted[0].pgbench} (pgbench reports ${bench.entries}, failed ${bench.failed})`,
    );
    check(hotBalance === counted[0].app + counted[0].pgbench, `balance of H = ${hotBalance}`);
    t = now();
    const report = await ledger.check();
    check(
      report.ok,
      `LedgerService.check over ${report.entries} entries / ${report.postings} postings ` +
        `(${secondsSince(t)} s): ${report.unbalancedEntries.length} unbalanced, ` +
        `${report.balanceMismatches.length} slot/posting mismatches, ${report.negativeAccounts.length} negative`,
    );

    const total = (now() - started) / 1000;
    log('');
    log(`total ${total.toFixed(1)} s (excluding build)`);
    const figures = [
      {
        bench: 'ledger',
        figure: 'balance read latency 1e6 vs 1e3 postings',
        value: round(reads.large.median, 3),
        unit: 'ms',
        baseline: round(reads.small.median, 3),
        ratio: round(readRatio, 3),
      },
      {
        bench: 'ledger',
        figure: 'hot account postings per second',
        value: round(appPostings, 1),
        unit: 'postings/s',
        baseline: round(benchPostings, 1),
        ratio: round(hotRatio, 3),
      },
    ];
    for (const f of figures) console.log(JSON.stringify(f));

    if (failures.length > 0) return 1;
    if (process.env.BENCH_STRICT === '1' && readRatio > MAX_READ_RATIO) return 1;
    return 0;
  } finally {
    await db.end().catch(() => {});
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: dropping ${DB_NAME}`);
    dropDatabase().finally(() => process.exit(130));
  });
}

main()
  .then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  )
  .finally(() => dropDatabase());
