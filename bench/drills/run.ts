/**
 * Fault drills (`npm run drill -- <drill>`: builds the app, compiles bench/ with swc, and runs
 * dist/bench/drills/run.js). Each drill starts the built app as an operator runs it (one web
 * process and one worker, BullMQ on a private Redis, on 127.0.0.1) on a database of its own, sets
 * up the demo foundation (`cli seed-demo`: a fund and a LIVE campaign matched 1:1), and sends a
 * sustained webhook load: signed checkout.session.completed events for pre-created PENDING
 * donations, DRILL_RATE per second for DRILL_SECONDS, every tenth delivered twice, failed
 * deliveries retried with backoff as a provider does. DRILL_FAULT_AT seconds in, the fault:
 *
 *   kill-app          SIGKILL the web process, start it again
 *   term-app          SIGTERM the web process (a deploy), start it again
 *   redis-down        stop the private Redis for 30 s, start it again (empty: no persistence)
 *   postgres-restart  pg_ctl restart -m fast of a private PostgreSQL cluster (initdb in a temp dir)
 *
 * Afterwards every event that never had a 2xx is delivered again, `cli reconcile-payments` runs,
 * and the drill waits for the outbox to drain. Verdict: gifts lost (an event sent, the gift not
 * SUCCEEDED), gifts duplicated (more than one gift or match entry per donation), the ledger check
 * (`cli ledger:check`, exit 0), emails duplicated (an outbox id, or a template to one donor, sent
 * twice; an SMTP server in this process receives them), and seconds to recover: from the end of
 * the fault until every gift whose event was sent before it is settled and every outbox row
 * written before it is done. PASS when nothing is lost or doubled, the ledger checks out and it
 * recovered within DRILL_RECOVERY_LIMIT seconds. Prints a table, then one JSON line.
 *
 * Never touches the shared servers beyond one database of its own on BENCH_DATABASE_URL's server
 * (postgres-restart not even that); everything is removed at the end, also on failure or Ctrl-C.
 *
 * Environment: DRILL_RATE (20), DRILL_SECONDS (30), DRILL_FAULT_AT (10), DRILL_REDIS_DOWN (30),
 * DRILL_RECOVERY_LIMIT (90), BENCH_DATABASE_URL.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { BenchDatabase } from '../lib/bench-database';
import { log, now, round, sleep } from '../lib/figures';
import { createPendingDonations, type PendingGift } from '../lib/pending-donations';
import { AppProcess } from './app-processes';
import { MailSink } from './mail-sink';
import { freePort, PrivatePostgres, PrivateRedis, waitFor } from './private-services';
import { WebhookLoad } from './webhook-load';

const DRILLS = ['kill-app', 'term-app', 'redis-down', 'postgres-restart'] as const;
type Drill = (typeof DRILLS)[number];

const RATE = Number(process.env.DRILL_RATE || 20);
const SECONDS = Number(process.env.DRILL_SECONDS || 30);
const FAULT_AT = Number(process.env.DRILL_FAULT_AT || 10);
const REDIS_DOWN = Number(process.env.DRILL_REDIS_DOWN || 30);
const RECOVERY_LIMIT = Number(process.env.DRILL_RECOVERY_LIMIT || 90);
const SECRET = 'whsec_drill';
const CAMPAIGN_SLUG = 'elder-meals-2026'; // seed-demo's matched campaign
const ROOT = path.resolve(__dirname, '../../..');

const drill = process.argv[2] as Drill;
if (!DRILLS.includes(drill)) {
  console.error(`Usage: npm run drill -- <${DRILLS.join(' | ')}>`);
  process.exit(2);
}

interface World {
  db: BenchDatabase;
  redis: PrivateRedis;
  postgres: PrivatePostgres | null;
  web: AppProcess;
  worker: AppProcess;
}

/** The app's environment: this drill's database, Redis, SMTP and webhook secret, nothing else. */
function appEnv(db: BenchDatabase, redis: PrivateRedis, smtpUrl: string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '8',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'drill',
    OUTBOX_POLL_MS: '200',
    SMTP_URL: smtpUrl,
    STRIPE_WEBHOOK_SECRET: SECRET,
    PAYMENTS_SANDBOX: 'true',
    DONATION_LIMIT_PER_IP: '1000000',
    DONATION_LIMIT_PER_EMAIL: '1000000',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TZ: 'Asia/Shanghai',
  };
}

function cli(env: Record<string, string>, args: string[]): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, ['dist/src/cli.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** Does the fault; resolves at its end (the app or the server is back). */
async function fault(world: World): Promise<string> {
  switch (drill) {
    case 'kill-app':
    case 'term-app': {
      const signal = drill === 'kill-app' ? 'SIGKILL' : 'SIGTERM';
      const exit = await world.web.stop(signal);
      await world.web.start();
      return `web process ${signal} (exit ${exit}), started again`;
    }
    case 'redis-down':
      await world.redis.down();
      await sleep(REDIS_DOWN * 1000);
      await world.redis.up();
      return `Redis stopped ${REDIS_DOWN} s, started again empty`;
    case 'postgres-restart':
      await world.postgres!.restart();
      return 'PostgreSQL restarted (pg_ctl restart -m fast)';
  }
}

async function count(side: pg.Client, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await side.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? 0;
}

/** Gifts among `ids` not SUCCEEDED yet. */
function unsettled(side: pg.Client, ids: string[]): Promise<number> {
  return count(
    side,
    `SELECT count(*)::int AS n FROM donations WHERE id = ANY($1::uuid[]) AND status <> 'SUCCEEDED'`,
    [ids],
  );
}

/**
 * The processor-fee job of each gift asks the sandbox for the fee of a payment it never saw (the
 * drill's gifts are inserted, not paid through the sandbox's checkout): it waits forever, so the
 * drain leaves that kind out and the verdict reports it apart.
 */
const UNPAYABLE_KIND = 'DONATION_FEE';

/** Outbox rows not done yet (PENDING or RELAYED), written before `before` (all when null). */
function openOutbox(side: pg.Client, before: Date | null): Promise<number> {
  return count(
    side,
    `SELECT count(*)::int AS n FROM outbox
      WHERE status IN ('PENDING', 'RELAYED') AND kind <> $2
        AND ($1::timestamptz IS NULL OR created_at < $1)`,
    [before, UNPAYABLE_KIND],
  );
}

/**
 * Polls from the end of the fault until the backlog it left is cleared: every gift whose event
 * was first sent before then is settled, and every outbox row written before then is done.
 */
async function timeToRecover(
  side: pg.Client,
  load: WebhookLoad,
  faultEnd: { t: number; at: Date },
): Promise<{ settled: number | null; drained: number | null }> {
  const ids = load.sentBefore(faultEnd.t).map(([id]) => id);
  let settled: number | null = null;
  let drained: number | null = null;
  const deadline = faultEnd.t + RECOVERY_LIMIT * 1000;
  while (now() < deadline && (settled === null || drained === null)) {
    const seconds = (now() - faultEnd.t) / 1000;
    if (settled === null && (await unsettled(side, ids)) === 0) settled = seconds;
    if (drained === null && (await openOutbox(side, faultEnd.at)) === 0) drained = seconds;
    await sleep(250);
  }
  return { settled, drained };
}

async function main(db: BenchDatabase, world: Omit<World, 'db' | 'web' | 'worker'>) {
  const t0 = now();
  const mail = await MailSink.start();
  db.onDrop(() => mail.close());
  await db.create();
  const env = appEnv(db, world.redis, mail.url);
  const seeded = cli(env, ['seed-demo']);
  if (seeded.status !== 0) throw new Error(`seed-demo failed:\n${seeded.out}`);
  const side = await db.connect('side');
  const {
    rows: [campaign],
  } = await side.query<{ id: string; fund_id: string }>(
    `SELECT id, fund_id FROM campaigns WHERE slug = $1`,
    [CAMPAIGN_SLUG],
  );
  if (!campaign) throw new Error(`seed-demo made no campaign ${CAMPAIGN_SLUG}`);
  const gifts: PendingGift[] = await createPendingDonations(side, {
    campaignId: campaign.id,
    fundId: campaign.fund_id,
    currency: 'CNY',
    prefix: `drill-${drill}`,
    from: 1,
    count: Math.ceil(RATE * SECONDS) + 50,
  });
  const port = await freePort();
  const web = new AppProcess('web', { ...env, PORT: String(port) });
  const worker = new AppProcess('worker', env);
  db.onDrop(() => web.stop('SIGKILL'));
  db.onDrop(() => worker.stop('SIGKILL'));
  await Promise.all([web.start(), worker.start()]);
  const full: World = { ...world, db, web, worker };
  log(
    `${drill}: database ${db.name} on ${new URL(db.adminUrl).host}, Redis ${world.redis.url}; ` +
      `seeded, ${gifts.length} PENDING gifts, web :${port} and a worker up in ${((now() - t0) / 1000).toFixed(1)} s`,
  );

  // ---- load, and the fault in the middle of it ------------------------------------------------
  const load = new WebhookLoad(port, SECRET, gifts);
  const loadStart = now();
  const sending = load.run(RATE, SECONDS, 10);
  await sleep(FAULT_AT * 1000);
  const faultStart = now();
  const what = await fault(full);
  // The side connection may not have survived a PostgreSQL restart: a fresh one reads the clock.
  const clock = await db.connect('clock');
  const { rows } = await clock.query<{ at: Date }>(`SELECT now() AS at`);
  await db.disconnect(clock);
  const at = rows[0]!.at;
  const faultEnd = { t: now(), at };
  log(
    `  ${((faultStart - loadStart) / 1000).toFixed(1)} s into the load: ${what}; ` +
      `the fault lasted ${((faultEnd.t - faultStart) / 1000).toFixed(1)} s`,
  );
  await db.disconnect(side);
  const probe = await db.connect('probe');
  const recovery = timeToRecover(probe, load, faultEnd);
  await sending;
  log(`  load done: ${JSON.stringify(load.summary())}`);

  // ---- afterwards: what a provider and an operator do -----------------------------------------
  const redelivered = await load.redeliverUnacknowledged(60_000);
  await load.stop();
  const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10);
  const reconciled = cli(env, ['reconcile-payments', '--since', yesterday]);
  const { settled, drained } = await recovery;
  const sent = load.sent().map(([id]) => id);
  await waitFor(
    async () => (await unsettled(probe, sent)) === 0 && (await openOutbox(probe, null)) === 0,
    'every gift settled and the outbox drained',
    60_000,
  ).catch((error: Error) => log(`  ${error.message}`));
  // The worker may still be sending the last emails it took: let it finish.
  await sleep(2_000);

  // ---- verdict --------------------------------------------------------------------------------
  const lost = await unsettled(probe, sent);
  const {
    rows: [entries],
  } = await probe.query<{ gifts: number; matches: number; gift_ids: number; match_ids: number }>(
    `SELECT count(*) FILTER (WHERE kind = 'DONATION')::int AS gifts,
            count(DISTINCT metadata->>'donationId') FILTER (WHERE kind = 'DONATION')::int AS gift_ids,
            count(*) FILTER (WHERE kind = 'MATCH')::int AS matches,
            count(DISTINCT metadata->>'donationId') FILTER (WHERE kind = 'MATCH')::int AS match_ids
       FROM journal_entries WHERE metadata->>'donationId' = ANY($1::text[])`,
    [sent],
  );
  const duplicated = entries!.gifts - entries!.gift_ids + (entries!.matches - entries!.match_ids);
  const ledger = cli(env, ['ledger:check']);
  const {
    rows: [outbox],
  } = await probe.query<{ failed: number; open: number; fees: number }>(
    `SELECT count(*) FILTER (WHERE status = 'FAILED' AND kind <> $1)::int AS failed,
            count(*) FILTER (WHERE status IN ('PENDING', 'RELAYED') AND kind <> $1)::int AS open,
            count(*) FILTER (WHERE kind = $1)::int AS fees
       FROM outbox`,
    [UNPAYABLE_KIND],
  );
  const doubled = mail.duplicates((to) => to.startsWith(`drill-${drill}-`));
  const emailsDuplicated = doubled.sameEmail;
  const recoverSeconds =
    settled === null || drained === null ? null : round(Math.max(settled, drained), 1);
  const verdict = {
    drill,
    giftsSent: sent.length,
    giftsLost: lost,
    giftsDuplicated: duplicated,
    ledgerCheckOk: ledger.status === 0,
    emailsSent: mail.messages.length,
    emailsDuplicated,
    emailsResent: doubled.sameRow,
    outboxFailed: outbox!.failed,
    outboxOpen: outbox!.open,
    secondsToSettle: settled === null ? null : round(settled, 1),
    secondsToDrainOutbox: drained === null ? null : round(drained, 1),
    secondsToRecover: recoverSeconds,
    redelivered,
    reconcileExit: reconciled.status,
    pass:
      lost === 0 &&
      duplicated === 0 &&
      ledger.status === 0 &&
      emailsDuplicated === 0 &&
      outbox!.open === 0 &&
      recoverSeconds !== null,
  };
  const row = (label: string, value: unknown) => log(`  ${label.padEnd(38)} ${String(value)}`);
  log('');
  log(`verdict of ${drill}:`);
  row('gifts sent (events)', verdict.giftsSent);
  row('gifts lost', verdict.giftsLost);
  row('gifts duplicated', verdict.giftsDuplicated);
  row('ledger check', verdict.ledgerCheckOk ? 'ok' : `FAILED\n${ledger.out}`);
  row('emails sent', verdict.emailsSent);
  row('emails duplicated (a second row)', verdict.emailsDuplicated);
  row('emails re-sent (same row, same Message-ID)', verdict.emailsResent);
  row('outbox rows failed / still open', `${verdict.outboxFailed} / ${verdict.outboxOpen}`);
  row(`${UNPAYABLE_KIND} jobs (left out, see above)`, outbox!.fees);
  row('events re-delivered afterwards', verdict.redelivered);
  row('reconcile-payments exit', verdict.reconcileExit);
  row(
    's from fault end: gifts settled',
    verdict.secondsToSettle ?? `not within ${RECOVERY_LIMIT} s`,
  );
  row(
    's from fault end: outbox drained',
    verdict.secondsToDrainOutbox ?? `not within ${RECOVERY_LIMIT} s`,
  );
  row('seconds to recover', verdict.secondsToRecover ?? `not within ${RECOVERY_LIMIT} s`);
  row('VERDICT', verdict.pass ? 'PASS' : 'FAIL');
  if (!verdict.pass) {
    log(
      `\nweb output (tail):\n${web.output.slice(-3000)}\nworker output (tail):\n${worker.output.slice(-3000)}`,
    );
  }
  console.log(JSON.stringify(verdict));
  return verdict.pass ? 0 : 1;
}

async function setUp(): Promise<void> {
  log(`drill ${drill} on ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}`);
  const redis = await PrivateRedis.start();
  let postgres: PrivatePostgres | null = null;
  try {
    if (drill === 'postgres-restart') postgres = await PrivatePostgres.start();
  } catch (error) {
    await redis.down();
    throw error;
  }
  const db = new BenchDatabase(
    `lianxin_drill_${drill.replace('-', '_')}`,
    'lianxin-drill',
    undefined,
    postgres?.adminUrl,
  );
  db.onDropped(() => redis.down());
  db.onDropped(() => postgres?.remove());
  const servers = { redis, postgres };
  db.run(() => main(db, servers));
}

setUp().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
