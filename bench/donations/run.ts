/**
 * Donations benchmark (`npm run bench:donations`: builds the app, compiles bench/ with swc into
 * dist/bench/, and runs dist/bench/donations/run.js, which starts the compiled app from dist/src/).
 *
 * On a throwaway database migrated with the real migrations, it measures confirmed gifts per
 * second through the webhook path into ONE campaign with 1:1 matching on:
 *  1. the real app, in this process, on a random port (sandbox provider, in-process outbox, no
 *     Redis); 64 concurrent senders in a worker thread POST signed `checkout.session.completed`
 *     events to /webhooks/stripe for pre-created PENDING donations (one event per donation). The
 *     webhook answers after the settlement transaction, so a 200 is a confirmed gift. Afterwards
 *     every total is checked: each posted donation SUCCEEDED once, one gift and one match entry
 *     each, the fund and pool balances, campaign totals, the rule's matched sum, inbox and outbox
 *     rows, LedgerService.check();
 *  2. beside it in the same run, pgbench with 64 clients running what one settlement writes, in
 *     the app's order, in one transaction: lock the donation row and the donor's advisory lock,
 *     the donation's update (status and planned match), the fee job's and the receipt's outbox
 *     rows, the gift entry and its postings (the app's insertEntry CTE), the match in one
 *     statement as the app takes it (one free pool slot that holds it, the rule's matched sum
 *     raised within its cap, the match entry), the campaign donor insert and totals slot update. The app's reads (rule, campaign lookups, velocity count, donor's day) and its
 *     webhook inbox writes are not in it: they are what the app adds.
 *  3. the least SQL a matched gift needs (bench/donations/minimal.ts), with pgbench, 64 clients:
 *     insert the gift, post one entry, take the match from one balance slot of the pool; with the
 *     pool in one slot, in 16, and in as many as the app gives a matching pool.
 * ratio = app ÷ pgbench of its own statements; and app ÷ the minimal SQL with the app's pool slot
 * count ("confirmed gifts per second vs minimal SQL"). Aim (not a gate): ≥ 0.5 for both.
 *
 * While each run goes, pg_stat_activity is sampled (what the backends are doing: running, waiting
 * for a lock, waiting for the client inside a transaction) and CPU use is measured (the app's event
 * loop, the whole machine). The app's database round trips per gift are counted.
 *
 * Prints figures for people, then one JSON line per figure:
 *   {"bench":"donations","figure":"confirmed gifts per second","value":N,"unit":"gifts/s","baseline":N,"ratio":N}
 *   {"bench":"donations","figure":"confirmed gifts per second vs minimal SQL",…}
 *
 * Environment:
 *   BENCH_DATABASE_URL  admin connection (default postgres://postgres@127.0.0.1:5432/postgres);
 *                       the bench creates, then drops, its own database on that server
 *   BENCH_SECONDS       length of the app run and of the pgbench run (default 20)
 *   BENCH_CPU_PROFILE   a file name: write a V8 CPU profile of the app thread during the timed run
 *                       (open it in Chrome DevTools); off by default
 */
import { DB_NAME, POOL_SIZE, SECRET, tempDir } from './env'; // first: sets the app's environment
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fs from 'node:fs';
import inspector from 'node:inspector';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { RequestContext } from '../../src/common/context/request-context';
import { dataSourceOptions } from '../../src/database/data-source-options';
import {
  CAMPAIGN_TOTAL_SLOTS,
  CampaignsService,
} from '../../src/modules/campaigns/campaigns.service';
import { DonationsRepository } from '../../src/modules/donations/donations.repository';
import { FoundationService } from '../../src/modules/foundation/foundation.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { entryFingerprint, inLockOrder } from '../../src/modules/ledger/journal';
import { LedgerCheckRepository } from '../../src/modules/ledger/ledger-check.repository';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { BenchDatabase } from '../lib/bench-database';
import { createPendingDonations } from '../lib/pending-donations';
import {
  checks,
  log,
  now,
  printFigures,
  quantile,
  round,
  secondsSince,
  sleep,
} from '../lib/figures';
import { runPgbench, type PgbenchResult } from '../lib/pgbench';
import { minimalScript, minimalTotals, prepareMinimal } from './minimal';
import { Senders, type Gift, type RunDone } from './senders';

const SIDE_APP_NAME = 'lianxin-bench';
const SENDERS = 64;
const PGBENCH_CLIENTS = 64;
const SECONDS = Number(process.env.BENCH_SECONDS || 20);
const WARMUP_SECONDS = 3;
/** Donations pre-created for the warm-up; the timed run's are sized from the warm-up's rate. */
const WARMUP_GIFTS = 3_000;
const SAMPLE_MS = 100;
const CURRENCY = 'CNY';
/** The matching pool is funded far beyond every possible match (10^12 fen). */
const POOL_FUNDING = 1_000_000_000_000;
const TOTAL_SLOTS = 8; // CAMPAIGN_TOTAL_SLOTS, checked against src below
/** The minimal SQL's pool split: also run with one slot and with the app's pools' count. */
const MINIMAL_SPLIT_SLOTS = 16;
const db = new BenchDatabase(DB_NAME, SIDE_APP_NAME, (client) => {
  (client as WatchedClient)[SIDE] = true;
});

// ---- the app's database round trips ---------------------------------------------------------------

/**
 * Watches the app's database round trips: every query through a pg Client that is not one of this
 * bench's own side connections (TypeORM's pool is made of pg Clients). While `queryStats.on`, it
 * also times each statement as the app sees it (from the call until its promise settles, so event
 * loop delays count) and how long each connection holds the matching pool: from the moment its
 * locked-balance read returns until its COMMIT returns.
 */
const SIDE = Symbol('bench side connection');
const HOLD = Symbol('pool held since');
type WatchedClient = pg.Client & { [SIDE]?: boolean; [HOLD]?: number };
/** Statements that take the matching pool: one free slot (LedgerService.postIf), or every slot. */
const POOL_LOCK_SQL = [
  'FOR UPDATE SKIP LOCKED LIMIT 1\n         ), guard AS (',
  'FROM ledger_account_balances WHERE account_id = $1 ORDER BY slot FOR UPDATE',
];
const roundTrips = { n: 0 };
const queryStats = {
  on: false,
  statements: new Map<string, { calls: number; ms: number }>(),
  hold: { n: 0, ms: 0, trips: 0 },
  reset() {
    this.statements.clear();
    this.hold = { n: 0, ms: 0, trips: 0 };
  },
};
const statementLabel = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 72);
type AnyQuery = (this: WatchedClient, ...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with .apply(client) below
const originalQuery = pg.Client.prototype.query as unknown as AnyQuery;
(pg.Client.prototype as unknown as { query: AnyQuery }).query = function watchedQuery(
  this: WatchedClient,
  ...args: unknown[]
) {
  if (this[SIDE]) {
    return originalQuery.apply(this, args);
  }
  roundTrips.n++;
  const config = args[0] as string | { text?: string } | undefined;
  const text = typeof config === 'string' ? config : config?.text;
  const result = originalQuery.apply(this, args) as Promise<unknown> | undefined;
  if (!queryStats.on || typeof text !== 'string' || typeof result?.then !== 'function') {
    return result;
  }
  const t = performance.now();
  if (this[HOLD] !== undefined) {
    queryStats.hold.trips++;
  }
  const done = () => {
    const at = performance.now();
    const label = statementLabel(text);
    const s = queryStats.statements.get(label) ?? { calls: 0, ms: 0 };
    s.calls++;
    s.ms += at - t;
    queryStats.statements.set(label, s);
    if (this[HOLD] === undefined && POOL_LOCK_SQL.some((sql) => text.includes(sql))) {
      this[HOLD] = at;
    } else if (this[HOLD] !== undefined && (text === 'COMMIT' || text === 'ROLLBACK')) {
      queryStats.hold.n++;
      queryStats.hold.ms += at - this[HOLD];
      this[HOLD] = undefined;
    }
  };
  result.then(done, done);
  return result;
};

let app: NestFastifyApplication | null = null;
let senders: Senders | null = null;
let profiler: inspector.Session | null = null;
db.onDrop(() => profiler?.disconnect());
db.onDrop(() => senders?.stop());
db.onDrop(() => app?.close());
db.onDrop(() => fs.rmSync(tempDir, { recursive: true, force: true }));

// ---- measurement helpers ------------------------------------------------------------------------

interface CpuTimes {
  busy: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  return os.cpus().reduce(
    (acc, c) => {
      const t = c.times;
      acc.busy += t.user + t.nice + t.sys + t.irq;
      acc.total += t.user + t.nice + t.sys + t.irq + t.idle;
      return acc;
    },
    { busy: 0, total: 0 },
  );
}

/** Share of the whole machine's CPU (all cores) used between two cpuTimes() readings. */
function machineBusy(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : NaN;
}

interface Activity {
  samples: number;
  mean: { what: string; mean: number }[];
}

/**
 * Samples what the backends of `applicationName` are doing every SAMPLE_MS. Returns a stop()
 * that answers the mean number of backends per activity over the samples.
 */
function sampleActivity(client: pg.Client, applicationName: string): () => Promise<Activity> {
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t = now();
      try {
        const { rows } = await client.query<{ what: string; n: number }>(
          `SELECT CASE
                    WHEN state = 'active' AND wait_event_type = 'Lock' THEN 'waiting for a lock (' || wait_event || ')'
                    WHEN state = 'active' AND wait_event_type IS NULL THEN 'running a statement (CPU)'
                    WHEN state = 'active' THEN 'in a statement, waiting on ' || wait_event_type || ':' || wait_event
                    WHEN state = 'idle in transaction' THEN 'idle in transaction (waiting for the client)'
                    WHEN state = 'idle' THEN 'idle, no transaction'
                    ELSE coalesce(state, '?')
                  END AS what, count(*)::int AS n
             FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()
            GROUP BY 1`,
          [applicationName],
        );
        for (const r of rows) {
          counts.set(r.what, (counts.get(r.what) ?? 0) + r.n);
        }
        samples++;
      } catch (error) {
        if (!stopped && !db.closing) {
          console.error(`activity sampling: ${(error as Error).message}`);
        }
      }
      await sleep(Math.max(0, SAMPLE_MS - (now() - t)));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    const mean = [...counts.entries()]
      .map(([what, n]) => ({ what, mean: n / Math.max(1, samples) }))
      .sort((a, b) => b.mean - a.mean);
    return { samples, mean };
  };
}

function printActivity(activity: Activity): void {
  const busy = activity.mean.filter((a) => !a.what.startsWith('idle, no'));
  const total = activity.mean.reduce((s, a) => s + a.mean, 0);
  log(
    `    backends (mean of ${activity.samples} samples of pg_stat_activity, ${total.toFixed(1)} connected):`,
  );
  for (const a of busy) {
    log(`      ${a.mean.toFixed(1).padStart(5)}  ${a.what}`);
  }
  const idle = activity.mean.find((a) => a.what.startsWith('idle, no'));
  if (idle) {
    log(`      ${idle.mean.toFixed(1).padStart(5)}  ${idle.what}`);
  }
}

interface AppRunResult extends RunDone {
  gifts: number;
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  appElu: number;
  processCpu: number;
  machineShare: number;
  roundTripsPerGift: number;
  statements: { sql: string; calls: number; ms: number }[];
  hold: { n: number; ms: number; trips: number };
  activity: Activity;
}

/** The app's statements by total time, as the app saw them, and how long it held the pool. */
function printAppStatements(r: AppRunResult): void {
  const sent = Math.max(1, r.ok.length + r.failures.length);
  const total = r.statements.reduce((sum, x) => sum + x.ms, 0);
  const top = [...r.statements].sort((a, b) => b.ms - a.ms).slice(0, 14);
  log(
    '    statements as the app sees them (call to result: server time, lock waits, event loop delay), top 14 by total:',
  );
  log('      per gift   mean ms   share  statement');
  for (const x of top) {
    log(
      `      ${(x.calls / sent).toFixed(2).padStart(8)}  ${(x.ms / x.calls).toFixed(2).padStart(8)}  ` +
        `${((100 * x.ms) / total).toFixed(1).padStart(5)}%  ${x.sql}`,
    );
  }
  if (r.hold.n > 0) {
    const ms = r.hold.ms / r.hold.n;
    const trips = r.hold.trips / r.hold.n;
    log(
      `    matching pool held ${ms.toFixed(2)} ms per gift (its locked-balance read returning to COMMIT ` +
        `returning: ${trips.toFixed(1)} round trips, ~${(ms / trips).toFixed(2)} ms each): every match ` +
        `waits for the one before it, so at most ~${(1000 / ms).toFixed(0)} gifts/s`,
    );
  }
}

/** pgbench's per-statement mean latencies (-r), and the pool's hold time they add up to. */
function printPgbenchStatements(r: PgbenchResult): void {
  if (r.statements.length === 0) {
    return;
  }
  log('    statements (pgbench -r: mean ms per statement, lock waits included):');
  for (const x of r.statements) {
    log(`      ${x.ms.toFixed(3).padStart(9)}  ${x.sql.slice(0, 90)}`);
  }
  const lock = r.statements.findIndex((x) => x.sql.startsWith('WITH slot AS ('));
  if (lock >= 0) {
    const held = r.statements.slice(lock);
    const ms = held.reduce((sum, x) => sum + x.ms, 0);
    log(
      `    matching pool held ~${ms.toFixed(2)} ms per gift (the ${held.length} statements after its ` +
        `lock, COMMIT included, ~${(ms / held.length).toFixed(2)} ms each): at most ~${(1000 / ms).toFixed(0)} gifts/s`,
    );
  }
}

/** With BENCH_CPU_PROFILE set: starts a V8 CPU profile of this thread; returns its stop(). */
async function startProfiler(): Promise<(() => Promise<void>) | null> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) {
    return null;
  }
  const session = new inspector.Session();
  profiler = session;
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params, (error, result) =>
        error ? reject(error) : resolve(result as T),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = await post<{ profile: unknown }>('Profiler.stop');
    fs.writeFileSync(path.resolve(file), JSON.stringify(profile));
    session.disconnect();
    profiler = null;
    log(`  CPU profile of the app thread written to ${path.resolve(file)}`);
  };
}

interface BenchContext {
  fund: { id: string; accountId: string };
  pool: { id: string; accountId: string };
  campaign: { id: string };
  rule: { id: string };
}

/** An outbox row the app wrote once per gift: its kind, dedupe-key prefix and one payload. */
interface OutboxRow {
  kind: string;
  prefix: string;
  payload: string;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

interface PlanTop {
  Plan: PlanNode;
  'Execution Time': number;
}

const APP_DB_NAME = 'lianxin';

/** Foundation, a campaign fund, a funded MATCHING pool, a LIVE campaign and a 1:1 rule. */
async function setUp(app: NestFastifyApplication) {
  return RequestContext.run({ actor: { kind: 'system', label: 'bench' } }, async () => {
    await app.get(FoundationService).saveProfile({
      legalNameZh: '基准测试社区发展基金会',
      legalNameEn: 'Benchmark Community Development Foundation',
      registrationNumber: '53440300BENCH001X',
      currency: CURRENCY,
      defaultLocale: 'zh-CN',
      receiptPrefix: 'B',
    });
    const funds = app.get(FundsService);
    const fund = await funds.activate(
      (
        await funds.create({
          kind: 'PROGRAM',
          code: 'BENCH-GIVING',
          nameZh: '九九公益日',
          nameEn: 'Giving Day',
        })
      ).id,
    );
    const pool = await funds.activate(
      (
        await funds.create({
          kind: 'MATCHING',
          code: 'BENCH-POOL',
          nameZh: '配捐池',
          nameEn: 'Matching pool',
        })
      ).id,
    );
    const ledger = app.get(LedgerService);
    const sponsor = await ledger.ensureAccount({
      code: 'external:bench-sponsor',
      name: 'Bench sponsor',
      type: 'EXTERNAL',
      currency: CURRENCY,
      allowNegative: true,
      balanceSlots: 4,
    });
    await ledger.post({
      idempotencyKey: 'bench:pool-funding',
      kind: 'OFFLINE_CONTRIBUTION',
      currency: CURRENCY,
      postings: [
        { accountId: sponsor.id, amountMinor: -POOL_FUNDING },
        { accountId: pool.accountId, amountMinor: POOL_FUNDING },
      ],
    });
    const campaigns = app.get(CampaignsService);
    const bench = { kind: 'system' as const, label: 'bench' };
    const draft = await campaigns.create(bench, {
      fundId: fund.id,
      slug: 'bench-giving-day',
      titleZh: '九九公益日：社区长者轮椅',
      titleEn: 'Giving Day: wheelchairs for our elders',
      storyZh: '为社区长者购置**轮椅**。',
      storyEn: 'Wheelchairs for the **elderly** of our community.',
      goalMinor: 1_000_000_000,
      minAmountMinor: 100,
      presetAmountsMinor: [5_000, 10_000, 50_000],
    });
    const campaign = await campaigns.publish(bench, draft.id);
    const rule = await app.get(MatchingService).setRule(campaign.id, {
      poolFundId: pool.id,
      mode: 'RATIO',
      ratioBp: 10_000,
      randomMinMinor: null,
      randomMaxMinor: null,
      minGiftMinor: 100,
      capPerGiftMinor: null,
      capPerDonorDayMinor: null,
      totalCapMinor: null,
      startsAt: null,
      endsAt: null,
      active: true,
    });
    return { fund, pool, campaign, rule };
  });
}

function createDonations(
  side: pg.Client,
  ctx: BenchContext,
  batch: { prefix: string; from: number; count: number },
): Promise<Gift[]> {
  return createPendingDonations(side, {
    campaignId: ctx.campaign.id,
    fundId: ctx.fund.id,
    currency: CURRENCY,
    ...batch,
  });
}

// ---- the app run --------------------------------------------------------------------------------

async function appRun(side: pg.Client, gifts: Gift[], seconds: number): Promise<AppRunResult> {
  const stopSampling = sampleActivity(side, APP_DB_NAME);
  const stopProfile = await startProfiler();
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const machine = cpuTimes();
  const trips = roundTrips.n;
  queryStats.reset();
  queryStats.on = true;
  let result: RunDone;
  try {
    result = await senders!.send(gifts, seconds);
  } catch (error) {
    await stopSampling();
    throw error;
  } finally {
    queryStats.on = false;
  }
  const tripsUsed = roundTrips.n - trips;
  const { user, system } = process.cpuUsage(cpu);
  const machineShare = machineBusy(machine, cpuTimes());
  const appElu = performance.eventLoopUtilization(elu).utilization;
  if (stopProfile) {
    await stopProfile();
  }
  const activity = await stopSampling();
  const sorted = Float64Array.from(result.latencies).sort();
  return {
    ...result,
    gifts: result.ok.length,
    rate: result.ok.length / result.elapsed,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    appElu,
    processCpu: (user + system) / 1e6 / result.elapsed, // in cores, app and sender threads together
    machineShare,
    roundTripsPerGift: tripsUsed / Math.max(1, result.ok.length + result.failures.length),
    statements: [...queryStats.statements.entries()].map(([sql, s]) => ({ sql, ...s })),
    hold: { ...queryStats.hold },
    activity,
  };
}

// ---- pgbench ------------------------------------------------------------------------------------

/**
 * What one settlement writes, in the app's order, as one transaction (see SettlementService.settle,
 * MatchingService.plan and take, LedgerRepository.insertEntry and insertEntryIf,
 * CampaignsRepository.addGift, OutboxRepository.insert). :n is a per-client counter (-D n=0):
 * client c settles the donation whose id is md5('pgb:c:n'), pre-created; \gset fails the client
 * if it is missing. `outboxRows` are the outbox rows the app wrote once per gift ({kind, prefix of
 * the dedupe key, a payload}), so the script follows the app when it starts queueing more per
 * gift. A payload goes in base64: pgbench would take a ':' followed by a letter or digit inside a
 * literal for a variable.
 */
function pgbenchScript(
  ctx: BenchContext,
  clearingAccountId: string,
  outboxRows: OutboxRow[],
): string {
  const c = ctx.campaign.id;
  // Postings go in account-id order, as the app sends them; the fingerprint is a same-length
  // stand-in (the app hashes the postings; pgbench cannot).
  const sides = (from: string, to: string) => {
    const ordered = inLockOrder([
      { accountId: from, amountMinor: -1 },
      { accountId: to, amountMinor: 1 },
    ]);
    return {
      ids: `{${ordered.map((p) => p.accountId).join(',')}}`,
      amounts: `ARRAY[${ordered.map((p) => (p.amountMinor < 0 ? '-(:amount::bigint)' : ':amount::bigint')).join(', ')}]`,
      fingerprint: entryFingerprint({ kind: 'DONATION', currency: CURRENCY, postings: ordered }),
    };
  };
  const gift = sides(clearingAccountId, ctx.fund.accountId);
  const match = sides(ctx.pool.accountId, ctx.fund.accountId);
  const entry = (
    key: string,
    kind: string,
    description: string,
    metadata: string,
    s: ReturnType<typeof sides>,
    guard?: string,
  ) => `WITH ${guard ? `${guard}, ` : ''}e AS (
  INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint, reverses_entry_id, metadata)
  SELECT ${key}, '${kind}', ${description}, '${CURRENCY}', '${s.fingerprint}', NULL, (${metadata})::jsonb${guard ? ' FROM guard' : ''}
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, idempotency_key, kind, description, currency, reverses_entry_id, metadata, posted_at
), p AS (
  INSERT INTO postings (entry_id, account_id, amount_minor)
  SELECT e.id, x.account_id, x.amount_minor
  FROM e, unnest('${s.ids}'::uuid[], ${s.amounts}::bigint[]) WITH ORDINALITY AS x(account_id, amount_minor, n)
  ORDER BY x.n
  RETURNING id, entry_id, account_id, amount_minor
)
SELECT e.id, e.idempotency_key, e.kind, e.description, e.currency, e.reverses_entry_id, e.metadata,
       e.posted_at, p.id, p.account_id, p.amount_minor, a.code, a.name
FROM e JOIN p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
ORDER BY p.id;`;
  // One outbox row as the app writes it, with one of its payloads.
  const outboxInsert = (row: OutboxRow) => `INSERT INTO outbox (kind, payload, dedupe_key)
VALUES ('${row.kind}', convert_from(decode('${Buffer.from(row.payload).toString('base64')}', 'base64'), 'UTF8')::jsonb,
  '${row.prefix}' || ':' || :id::text)
ON CONFLICT (dedupe_key) DO NOTHING RETURNING id;`;
  // The match, as MatchingService.take's one statement: a free pool slot holding the match, the
  // rule's sum raised within its cap (the app also checks that the rule is unchanged), the entry.
  const pool = ctx.pool.accountId;
  const takeGuard = `slot AS (
  SELECT slot FROM ledger_account_balances WHERE account_id = '${pool}' AND balance_minor >= :amount::bigint
  ORDER BY (slot + pg_backend_pid()) % (SELECT balance_slots FROM ledger_accounts WHERE id = '${pool}')
  FOR UPDATE SKIP LOCKED LIMIT 1
), guard AS (
  UPDATE matching_rules SET matched_minor = matched_minor + :amount::bigint
  WHERE id = '${ctx.rule.id}' AND active AND (total_cap_minor IS NULL OR matched_minor + :amount::bigint <= total_cap_minor)
    AND EXISTS (SELECT 1 FROM slot)
    AND NOT EXISTS (SELECT 1 FROM journal_entries WHERE idempotency_key = 'match' || ':' || :id::text)
  RETURNING 1
)`;
  // pgbench takes :name as a variable even inside a string literal: no ':' before a letter there.
  const lines = [
    '\\set n :n + 1',
    'BEGIN;',
    // the donation row, locked
    `SELECT id, amount_minor AS amount, donor_email AS email FROM donations
 WHERE id = md5('pgb:' || :client_id::text || ':' || :n::text)::uuid FOR UPDATE \\gset`,
    // the donor's email and payment method, locked for the bot check and the daily cap
    `SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
 FROM unnest(ARRAY['gift-donor' || ':' || 'email' || ':' || :email::text]) WITH ORDINALITY AS u(k, n);`,
    // the donation settled with its (planned) match
    `UPDATE donations SET status = 'SUCCEEDED', succeeded_at = now(), matched_minor = :amount::bigint,
   provider_payment_id = 'pi_test_' || replace(:id::text, '-', ''), updated_at = now() WHERE id = :id;`,
    // the processor's fee job, the receipt (which sends the thank-you) and any other outbox rows
    ...outboxRows.filter((row) => row.kind === 'DONATION_FEE').map(outboxInsert),
    ...outboxRows.filter((row) => row.kind !== 'DONATION_FEE').map(outboxInsert),
    // the gift: processor clearing -> campaign fund
    entry(
      `'donation:' || :id::text || ':' || 'settle'`,
      'DONATION',
      `'Gift ' || :id::text`,
      `'{"donationId":"' || :id::text || '"}'`,
      gift,
    ),
    // the match: the pool's slot and the rule are held from this statement to the COMMIT
    entry(
      `'match:' || :id::text`,
      'MATCH',
      `'Match for gift ' || :id::text`,
      `'{"donationId":"' || :id::text || '","ruleId":"${ctx.rule.id}"}'`,
      match,
      takeGuard,
    ),
    // campaign totals and donor
    `WITH new_donor AS (
  INSERT INTO campaign_donors (campaign_id, donor_key) VALUES ('${c}', :email::text)
  ON CONFLICT DO NOTHING RETURNING 1
)
UPDATE campaign_totals
   SET raised_minor = raised_minor + :amount::bigint, matched_minor = matched_minor + :amount::bigint,
       gifts = gifts + 1, donors = donors + (SELECT count(*)::int FROM new_donor)
 WHERE campaign_id = '${c}' AND slot = pg_backend_pid() % ${TOTAL_SLOTS}
RETURNING slot;`,
    'COMMIT;',
  ];
  return `${lines.join('\n')}\n`;
}

async function pgbenchRun(side: pg.Client, scriptFile: string, seconds: number) {
  const stopSampling = sampleActivity(side, 'pgbench');
  const machine = cpuTimes();
  let result: PgbenchResult;
  try {
    result = await runPgbench({
      url: db.url,
      scriptFile,
      clients: PGBENCH_CLIENTS,
      seconds,
      perStatement: true,
    });
  } catch (error) {
    await stopSampling();
    throw error;
  }
  const machineShare = machineBusy(machine, cpuTimes());
  return { ...result, machineShare, activity: await stopSampling() };
}

/** Vacuums the hot rows and checkpoints, so neither run inherits the other's dead rows or dirty buffers. */
async function quiesce(side: pg.Client): Promise<void> {
  await side.query(
    'VACUUM (ANALYZE) donations, ledger_account_balances, campaign_totals, matching_rules, journal_entries, postings, outbox, payment_events',
  );
  await side.query('CHECKPOINT');
}

/**
 * The plan of the velocity check the settlement runs for every matched gift
 * (DonationsRepository.paidRecently, its SQL captured from the compiled repository), for a gift
 * with and without a payment fingerprint.
 */
async function explainVelocityCheck(side: pg.Client): Promise<void> {
  let captured: { sql: string; params: unknown[] } | undefined;
  const capture = {
    query: (sql: string, params: unknown[]) => {
      captured = { sql, params };
      return Promise.resolve([{ n: 0 }]);
    },
  } as unknown as EntityManager;
  const repo = new DonationsRepository(null as never);
  const { rows: sample } = await side.query<{
    id: string;
    donor_email: string;
    succeeded_at: Date;
  }>(
    `SELECT id, donor_email, succeeded_at FROM donations WHERE succeeded_at IS NOT NULL
     ORDER BY succeeded_at DESC LIMIT 1`,
  );
  const { rows: count } = await side.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM donations',
  );
  const plan = async (fingerprint: string | null) => {
    await repo.paidRecently(capture, {
      email: sample[0]!.donor_email,
      fingerprint,
      at: sample[0]!.succeeded_at,
      excludeId: sample[0]!.id,
    });
    const { rows } = await side.query<{ 'QUERY PLAN': [PlanTop] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${captured!.sql}`,
      captured!.params,
    );
    const top = rows[0]!['QUERY PLAN'][0];
    const scans: string[] = [];
    const walk = (node: PlanNode) => {
      if (/Scan/.test(node['Node Type'])) {
        scans.push(`${node['Node Type']}${node['Index Name'] ? ` (${node['Index Name']})` : ''}`);
      }
      for (const child of node.Plans ?? []) {
        walk(child);
      }
    };
    walk(top.Plan);
    return `${scans.join(' + ')}, ${top['Execution Time'].toFixed(2)} ms`;
  };
  log(`velocity check per gift (DonationsRepository.paidRecently) over ${count[0]!.n} donations:`);
  log(`  gift with a payment fingerprint: ${await plan('card:bench-fingerprint')}`);
  log(`  gift without one:                ${await plan(null)}`);
}

async function busyElsewhere(side: pg.Client): Promise<void> {
  const { rows } = await side.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE state = 'active' AND backend_type = 'client backend' AND datname <> current_database()`,
  );
  if (rows[0]!.n > 0) {
    log(`  (note: ${rows[0]!.n} sessions active in other databases)`);
  }
}

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = now();
  const { check, failures } = checks();
  if ((CAMPAIGN_TOTAL_SLOTS as number) !== TOTAL_SLOTS) {
    throw new Error(
      `CAMPAIGN_TOTAL_SLOTS is ${String(CAMPAIGN_TOTAL_SLOTS)}; update the pgbench script`,
    );
  }

  log(
    `donations bench: database ${db.name} on ${db.host}; ${os.cpus().length} CPUs, ` +
      `load average ${os.loadavg()[0]!.toFixed(2)} before start`,
  );
  await db.create();
  await db.migrate();
  const theApp = await createApp({ logger: ['error'] });
  app = theApp;
  await theApp.listen({ port: 0, host: '127.0.0.1' });
  const port = (theApp.getHttpServer().address() as AddressInfo).port;
  const ctx = await setUp(theApp);
  log(
    `migrated, started the app on 127.0.0.1:${port} (pool ${POOL_SIZE}, sandbox provider, ` +
      `in-process outbox) and set up a LIVE campaign with a 1:1 matching rule in ${secondsSince(started)} s`,
  );

  const side = await db.connect('side');
  try {
    senders = new Senders({ port, senders: SENDERS, secret: SECRET }, (error) => {
      if (!db.closing) {
        console.error(`sender thread: ${error.stack || error.message}`);
      }
    });

    // ---- warm-up: JIT, pool connections; its rate sizes the timed run ---------------------------
    const warmGifts = await createDonations(side, ctx, {
      prefix: 'warm',
      from: 1,
      count: WARMUP_GIFTS,
    });
    const warm = await senders.send(warmGifts, WARMUP_SECONDS);
    const warmRate = warm.ok.length / warm.elapsed;
    log(
      `warm-up: ${warm.ok.length} gifts in ${warm.elapsed.toFixed(1)} s (${warmRate.toFixed(0)} gifts/s), ` +
        `${warm.failures.length} failed`,
    );
    if (warm.failures.length > 0) {
      log(`  first failure: ${JSON.stringify(warm.failures[0])}`);
    }

    // ---- timed app run ---------------------------------------------------------------------------
    const appCount = Math.max(2_000, Math.ceil(warmRate * SECONDS * 3) + SENDERS);
    const gifts = await createDonations(side, ctx, {
      prefix: 'app',
      from: WARMUP_GIFTS + 1,
      count: appCount,
    });
    await quiesce(side);
    log('');
    log(
      `app: ${SENDERS} senders POST signed checkout.session.completed events to /webhooks/stripe, ` +
        `${SECONDS} s, ${appCount} PENDING donations ready`,
    );
    await busyElsewhere(side);
    const appResult = await appRun(side, gifts, SECONDS);
    log(
      `  ${appResult.gifts} gifts confirmed (200) in ${appResult.elapsed.toFixed(1)} s: ` +
        `${appResult.rate.toFixed(1)} gifts/s${appResult.exhausted ? ' (ran out of donations: raise the count)' : ''}`,
    );
    log(
      `  webhook latency p50 ${appResult.p50.toFixed(1)} ms, p95 ${appResult.p95.toFixed(1)} ms, ` +
        `p99 ${appResult.p99.toFixed(1)} ms; ${appResult.failures.length} non-200 or duplicate answers; ` +
        `events of ${appResult.meanEventBytes.toFixed(0)} bytes`,
    );
    for (const f of appResult.failures.slice(0, 3)) {
      log(`    ${JSON.stringify(f)}`);
    }
    log(
      `  CPU: app event loop busy ${(100 * appResult.appElu).toFixed(0)}%, sender thread ` +
        `${(100 * appResult.senderElu).toFixed(0)}%, node process ${(100 * appResult.processCpu).toFixed(0)}% of one core, ` +
        `machine ${(100 * appResult.machineShare).toFixed(0)}% of ${os.cpus().length} cores`,
    );
    log(`  database round trips per gift (app pool): ${appResult.roundTripsPerGift.toFixed(1)}`);
    printActivity(appResult.activity);
    printAppStatements(appResult);

    // ---- totals --------------------------------------------------------------------------------
    log('');
    log('app totals:');
    let t = now();
    const posted = [...warm.ok, ...appResult.ok];
    const [d] = (
      await side.query(
        `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
                count(*) FILTER (WHERE status = 'SUCCEEDED' AND id = ANY($2::uuid[]))::int AS posted_succeeded,
                count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
                count(*) FILTER (WHERE status NOT IN ('SUCCEEDED', 'PENDING'))::int AS other,
                coalesce(sum(amount_minor) FILTER (WHERE status = 'SUCCEEDED'), 0)::bigint AS raised,
                coalesce(sum(matched_minor), 0)::bigint AS matched,
                count(*) FILTER (WHERE status = 'SUCCEEDED' AND matched_minor <> amount_minor)::int AS mismatched
           FROM donations WHERE campaign_id = $1`,
        [ctx.campaign.id, posted],
      )
    ).rows;
    const raised = Number(d.raised);
    const matched = Number(d.matched);
    const all = warmGifts.length + gifts.length;
    check(
      d.posted_succeeded === posted.length && d.succeeded === posted.length,
      `donations SUCCEEDED = ${d.succeeded}, all of them posted (${posted.length} confirmed by a 200); ` +
        `${d.pending} still PENDING, ${d.other} other (of ${all})`,
    );
    check(d.pending + d.succeeded === all, 'every unposted donation is still PENDING');
    check(
      d.mismatched === 0 && matched === raised,
      `every gift matched 1:1: matched ${matched} = raised ${raised}`,
    );
    const [e] = (
      await side.query(
        `SELECT count(*) FILTER (WHERE kind = 'DONATION')::int AS gifts,
                count(DISTINCT idempotency_key) FILTER (WHERE kind = 'DONATION')::int AS gift_keys,
                count(*) FILTER (WHERE kind = 'MATCH')::int AS matches,
                count(DISTINCT idempotency_key) FILTER (WHERE kind = 'MATCH')::int AS match_keys
           FROM journal_entries`,
      )
    ).rows;
    check(
      e.gifts === posted.length &&
        e.gift_keys === posted.length &&
        e.matches === posted.length &&
        e.match_keys === posted.length,
      `one gift entry and one match entry per donation: ${e.gifts} DONATION, ${e.matches} MATCH entries`,
    );
    const funds = theApp.get(FundsService);
    const poolBalance = (await funds.get(ctx.pool.id)).balanceMinor;
    // The in-process outbox may book processor fees out of the fund (DONATION_FEE jobs) while
    // this runs: read the balance and the fees booked in one snapshot.
    const [f] = (
      await side.query(
        `SELECT (SELECT sum(balance_minor) FROM ledger_account_balances WHERE account_id = $1)::bigint AS balance,
                (SELECT coalesce(sum(fee_minor), 0) FROM donations WHERE campaign_id = $2)::bigint AS fees`,
        [ctx.fund.accountId, ctx.campaign.id],
      )
    ).rows;
    const fundBalance = Number(f.balance);
    const fees = Number(f.fees);
    check(
      fundBalance === raised + matched - fees,
      `campaign fund balance ${fundBalance} = gifts ${raised} + matches ${matched}` +
        (fees > 0 ? ` - processor fees booked so far ${fees}` : ''),
    );
    check(
      poolBalance === POOL_FUNDING - matched,
      `matching pool balance ${poolBalance} = funding ${POOL_FUNDING} - matches ${matched}`,
    );
    const totals = await theApp.get(CampaignsService).totals(ctx.campaign.id);
    check(
      totals.raisedMinor === raised &&
        totals.matchedMinor === matched &&
        totals.gifts === posted.length &&
        totals.donors === posted.length,
      `CampaignsService.totals: raised ${totals.raisedMinor}, matched ${totals.matchedMinor}, ` +
        `${totals.gifts} gifts, ${totals.donors} donors`,
    );
    const rule = await theApp.get(MatchingService).getRule(ctx.campaign.id);
    check(
      rule?.matchedMinor === matched,
      `matching rule's matched sum ${rule?.matchedMinor} = ${matched}`,
    );
    const [inbox] = (
      await side.query(
        `SELECT count(*)::int AS stored, count(*) FILTER (WHERE processed_at IS NULL)::int AS pending,
                count(*) FILTER (WHERE last_error IS NOT NULL)::int AS errored
           FROM payment_events`,
      )
    ).rows;
    check(
      inbox.stored === posted.length && inbox.pending === 0 && inbox.errored === 0,
      `webhook inbox: ${inbox.stored} events stored, ${inbox.pending} unprocessed, ${inbox.errored} with errors`,
    );
    const [outbox] = (
      await side.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'SENT')::int AS sent
           FROM outbox WHERE kind = 'RECEIPT_SYNC' AND dedupe_key LIKE 'receipt-sync:%:received'`,
      )
    ).rows;
    check(
      outbox.n === posted.length,
      `receipts (and the thank-you carrying each) in the outbox: ${outbox.n} ` +
        `(${outbox.sent} already handled by the in-process drainer)`,
    );
    const ledger = theApp.get(LedgerService);
    let report = await ledger.check();
    check(
      report.ok,
      `LedgerService.check over ${report.entries} entries and ${report.postings} postings: ` +
        `${report.unbalancedEntries.length} unbalanced, ${report.balanceMismatches.length} slot/posting ` +
        `mismatches, ${report.negativeAccounts.length} negative`,
    );
    log(`  (checked in ${secondsSince(t)} s)`);
    // What the app wrote once per gift, for the pgbench script; and a warning if it now writes
    // ledger entries the script does not.
    const { rows: outboxRows } = await side.query(
      `SELECT kind, split_part(dedupe_key, ':', 1) AS prefix, (array_agg(payload::text))[1] AS payload
         FROM outbox WHERE dedupe_key LIKE '%:%'
        GROUP BY 1, 2 HAVING count(*) >= $1 ORDER BY 2 DESC`,
      [posted.length],
    );
    log(
      `  outbox rows per gift, mirrored in the pgbench script: ` +
        outboxRows.map((r) => `${r.kind} ${r.prefix}:<donation>`).join(', '),
    );
    const { rows: otherEntries } = await side.query(
      `SELECT kind, count(*)::int AS n FROM journal_entries
        WHERE kind NOT IN ('DONATION', 'MATCH', 'OFFLINE_CONTRIBUTION') GROUP BY 1`,
    );
    for (const r of otherEntries) {
      log(`  note: the app also wrote ${r.n} ${r.kind} entries; the pgbench script does not`);
    }
    const clearing = await ledger.ensureAccount({
      code: 'processor:clearing',
      name: '支付渠道待清算 / Payment processor clearing',
      type: 'CLEARING',
      currency: CURRENCY,
      allowNegative: true,
      balanceSlots: 16,
    });

    // The app's pool leaves before pgbench's 64 clients arrive (max_connections).
    await senders.stop();
    senders = null;
    await theApp.close();
    app = null;

    // ---- pgbench -------------------------------------------------------------------------------
    log('');
    // Enough rows per client for 8x the app's rate (pgbench fails loudly if it runs out).
    const perClient = Math.max(
      500,
      Math.ceil((Math.max(appResult.rate, 150) * 8 * SECONDS) / PGBENCH_CLIENTS),
    );
    t = now();
    await side.query(
      `INSERT INTO donations (id, campaign_id, fund_id, amount_minor, fee_cover_minor, currency, donor_name,
         donor_email, anonymous, message, dedication, monthly, status, provider, matched_minor,
         refunded_minor, ip, created_at, updated_at)
       SELECT md5('pgb:' || c || ':' || n)::uuid, $1, $2, 1000 + ((c * 100003 + n)::bigint * 7919) % 9000, 0, $3,
              '捐赠人 ' || c || '-' || n, 'pgb-' || c || '-' || n || '@bench.example.org', false, '', '',
              false, 'PENDING', 'SANDBOX', 0, 0, '10.' || c || '.' || (n / 256) % 256 || '.' || n % 256,
              now() - (n % 600) * interval '1 second', now()
         FROM generate_series(0, $4::int - 1) AS c, generate_series(1, $5::int) AS n`,
      [ctx.campaign.id, ctx.fund.id, CURRENCY, PGBENCH_CLIENTS, perClient],
    );
    await quiesce(side);
    log(
      `pgbench: ${PGBENCH_CLIENTS} clients (-j 2), ${SECONDS} s, the same writes per gift in one ` +
        `transaction; ${PGBENCH_CLIENTS * perClient} PENDING donations ready (${secondsSince(t)} s)`,
    );
    const { rows: conns } = await side.query(
      `SELECT current_setting('max_connections')::int - count(*)::int AS free FROM pg_stat_activity`,
    );
    if (conns[0]!.free < PGBENCH_CLIENTS + 5) {
      log(`  (note: only ${conns[0]!.free} connections free on the server)`);
    }
    await busyElsewhere(side);
    const scriptFile = path.join(tempDir, 'settle.sql');
    fs.writeFileSync(scriptFile, pgbenchScript(ctx, clearing.id, outboxRows));
    const bench = await pgbenchRun(side, scriptFile, SECONDS);
    log(
      `  ${bench.transactions} gifts in ${SECONDS} s: ${bench.tps.toFixed(1)} gifts/s, mean latency ` +
        `${bench.latencyMs.toFixed(1)} ms, ${bench.failed} failed; machine CPU ${(100 * bench.machineShare).toFixed(0)}%`,
    );
    printActivity(bench.activity);
    printPgbenchStatements(bench);

    log('');
    log('pgbench totals:');
    const [b] = (
      await side.query(
        `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
                coalesce(sum(amount_minor) FILTER (WHERE status = 'SUCCEEDED'), 0)::bigint AS raised,
                coalesce(sum(matched_minor), 0)::bigint AS matched
           FROM donations WHERE donor_email LIKE 'pgb-%'`,
      )
    ).rows;
    check(
      b.succeeded === bench.transactions && Number(b.matched) === Number(b.raised),
      `pgbench donations SUCCEEDED = ${b.succeeded} (pgbench reports ${bench.transactions}), matched = raised`,
    );
    const [pe] = (
      await side.query(
        `SELECT count(*) FILTER (WHERE kind = 'DONATION')::int AS gifts, count(*) FILTER (WHERE kind = 'MATCH')::int AS matches
           FROM journal_entries`,
      )
    ).rows;
    check(
      pe.gifts === posted.length + bench.transactions &&
        pe.matches === posted.length + bench.transactions,
      `journal: ${pe.gifts} DONATION and ${pe.matches} MATCH entries (app ${posted.length} + pgbench ${bench.transactions})`,
    );
    // The app has closed: the invariants once more, with the repository's own SQL.
    const checkSource = new DataSource(
      dataSourceOptions({ url: db.url, poolSize: 1, applicationName: `${SIDE_APP_NAME}-check` }),
    );
    await checkSource.initialize();
    try {
      report = await new LedgerCheckRepository().check(checkSource.manager);
      check(
        report.ok,
        `ledger check over ${report.entries} entries and ${report.postings} postings after pgbench: ` +
          `${report.unbalancedEntries.length} unbalanced, ${report.balanceMismatches.length} mismatches, ` +
          `${report.negativeAccounts.length} negative`,
      );
    } finally {
      await checkSource.destroy();
    }

    // ---- the least SQL a matched gift needs ---------------------------------------------------
    const { rows: poolSlots } = await side.query<{ n: number }>(
      'SELECT balance_slots::int AS n FROM ledger_accounts WHERE id = $1',
      [ctx.pool.accountId],
    );
    const appSlots = poolSlots[0]!.n;
    const minimal = new Map<number, PgbenchResult & { machineShare: number }>();
    for (const slots of [...new Set([1, appSlots, MINIMAL_SPLIT_SLOTS])].sort((a, b) => a - b)) {
      log('');
      const mctx = {
        campaignId: ctx.campaign.id,
        fundId: ctx.fund.id,
        currency: CURRENCY,
        perSlotFunding: POOL_FUNDING,
      };
      await prepareMinimal(side, mctx, slots);
      await quiesce(side);
      log(
        `minimal SQL: ${PGBENCH_CLIENTS} clients (-j 2), ${SECONDS} s: insert the gift, post one entry, ` +
          `take the match from one of the pool's ${slots} balance slot${slots > 1 ? 's' : ''}` +
          `${slots === appSlots ? ` (the app's pools have ${appSlots})` : ''}`,
      );
      await busyElsewhere(side);
      const minimalFile = path.join(tempDir, `minimal-${slots}.sql`);
      fs.writeFileSync(minimalFile, minimalScript(mctx, slots));
      const run = await pgbenchRun(side, minimalFile, SECONDS);
      minimal.set(slots, run);
      log(
        `  ${run.transactions} gifts in ${SECONDS} s: ${run.tps.toFixed(1)} gifts/s, mean latency ` +
          `${run.latencyMs.toFixed(1)} ms, ${run.failed} failed; machine CPU ${(100 * run.machineShare).toFixed(0)}%`,
      );
      printActivity(run.activity);
      const totals = await minimalTotals(side, mctx, slots);
      check(
        totals.gifts === run.transactions && totals.entries === run.transactions && totals.balanced,
        `minimal SQL: ${totals.gifts} gifts, ${totals.entries} entries (pgbench reports ` +
          `${run.transactions}); each entry balances; the pool's slots hold its funding less the matches`,
      );
    }

    log('');
    await explainVelocityCheck(side);

    const ratio = appResult.rate / bench.tps;
    const least = minimal.get(appSlots)!;
    const leastRatio = appResult.rate / least.tps;
    log('');
    log(
      `confirmed gifts per second: app ${appResult.rate.toFixed(1)}, pgbench ${bench.tps.toFixed(1)}, ` +
        `ratio ${ratio.toFixed(3)} (aim >= 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
    );
    log(
      `confirmed gifts per second vs minimal SQL: app ${appResult.rate.toFixed(1)}, minimal SQL ` +
        [...minimal.entries()]
          .map(([n, r]) => `${r.tps.toFixed(1)} (${n} pool slot${n > 1 ? 's' : ''})`)
          .join(', ') +
        `; ratio ${leastRatio.toFixed(3)} against ${appSlots} slot${appSlots > 1 ? 's' : ''} as the app's pools ` +
        `(aim >= 0.5: ${leastRatio >= 0.5 ? 'met' : 'NOT met'})`,
    );
    log(
      `load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(', ')} at the end`,
    );
    log(`done in ${secondsSince(started)} s (after the build)`);
    printFigures('donations', [
      {
        figure: 'confirmed gifts per second',
        value: round(appResult.rate, 1),
        unit: 'gifts/s',
        baseline: round(bench.tps, 1),
        ratio: round(ratio, 3),
      },
      {
        figure: 'confirmed gifts per second vs minimal SQL',
        value: round(appResult.rate, 1),
        unit: 'gifts/s',
        baseline: round(least.tps, 1),
        ratio: round(leastRatio, 3),
      },
    ]);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await db.disconnect(side);
  }
}

// Requests in flight fail as the app closes under them: not worth a stack trace each.
db.run(main, () => Logger.overrideLogger(false));
