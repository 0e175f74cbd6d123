/**
 * Receipts benchmark (`npm run bench:receipts`: builds the app, compiles bench/ with swc into
 * dist/bench/, and runs dist/bench/receipts/run.js).
 *
 * On a throwaway database migrated with the real migrations, local Redis, and an SMTP server
 * (`smtp-server`) in this process:
 *  1. receipts per second through the worker: N received gifts are written by SQL (offline bank
 *     transfers, SUCCEEDED), then one RECEIPT_SYNC outbox row each, in one statement; WORKERS real
 *     worker processes (`node dist/src/worker.js`, BullMQ on Redis) relay them, issue the receipts
 *     (`ReceiptsService.syncGift`: number, receipt, thank-you queued) and send the thank-yous with
 *     the receipt's PDF rendered at send time. Timed from the outbox insert until the SMTP server
 *     has accepted every thank-you with a PDF attached; then the receipts are checked (one per
 *     gift, numbers 1..N without gaps). A short warm-up runs first (font parsed, pools opened).
 *     Baseline: bare nodemailer sends of the same PDF to the same server from WORKERS child
 *     processes, as many in flight as the workers' email concurrency (ratio = app ÷ baseline).
 *     Peak RSS of each worker: VmHWM from /proc at the end. Aim: ≥ 100 receipts/s, RSS < 500 MB.
 *  2. annual statements for DONORS donors (two gifts each in last year, some partly refunded),
 *     issued by `AnnualStatementsService.issue` in this process with the worker processes stopped
 *     (the statements' emails wait in the outbox), timed end to end; then a second run (issues
 *     nothing). Baseline: the same writes by bare SQL from one connection (counter, receipt with
 *     the same content, outbox row, delivery; 100 per transaction) into another year: the floor
 *     the app's batching is measured against (ratio = app ÷ bare SQL; 3,000 statements, scaled
 *     to 10,000). 100,000 donors is extrapolated linearly (the work per donor is constant:
 *     fixed-size batches, indexed reads).
 *
 * Prints figures for people, then one JSON line per figure:
 *   {"bench":"receipts","figure":"receipts per second","value":N,"unit":"receipts/s","baseline":N,"ratio":N}
 *   {"bench":"receipts","figure":"annual statements for 10000 donors seconds","value":N,"unit":"s","baseline":N,"ratio":N}
 *
 * Environment:
 *   BENCH_DATABASE_URL  admin connection (default postgres://postgres@127.0.0.1:5432/postgres);
 *                       the bench creates, then drops, its own database on that server
 *   BENCH_REDIS_URL     Redis (default redis://127.0.0.1:6379); queues under a prefix of this run
 *   BENCH_RECEIPTS      gifts in the timed receipts run (default 1000)
 *   BENCH_WORKERS       worker processes (default 2: the machine has two cores)
 *   BENCH_DONORS        donors of the annual run (default 10000)
 *   BENCH_ONLY          `receipts` or `annual`: run that part only
 *   BENCH_NO_PDF        diagnosis: after the timed run, this many receipts for donors who chose
 *                       the annual statement only (thank-you without PDF); default 0 (off)
 *   BENCH_WORKER_NODE_ARGS  node options for the workers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
 */
import { APP_ENV, DB_NAME, QUEUE_PREFIX, REDIS_URL, tempDir } from './env'; // first: sets the app's environment
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { AppModule } from '../../src/app.module';
import { RequestContext } from '../../src/common/context/request-context';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { FoundationService } from '../../src/modules/foundation/foundation.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { AnnualStatementsService } from '../../src/modules/receipts/annual/annual-statements.service';
import { ReceiptDocuments } from '../../src/modules/receipts/receipt-documents';
import { shanghaiYear } from '../../src/modules/receipts/receipt-number';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import { QUEUE_NAMES } from '../../src/queue/queue.constants';
import { BenchDatabase } from '../lib/bench-database';
import { checks, log, now, printFigures, round, sleep, type Figure } from '../lib/figures';

const ROOT = path.resolve(__dirname, '../../..');
const RECEIPTS = Number(process.env.BENCH_RECEIPTS || 1_000);
const WARMUP = 60;
const WORKERS = Number(process.env.BENCH_WORKERS || 2);
/** BullQueues' WORKER_CONCURRENCY: jobs of one kind in progress per worker process. */
const JOBS_PER_WORKER = 5;
const DONORS = Number(process.env.BENCH_DONORS || 10_000);
const BATCH = 100;
const ONLY = process.env.BENCH_ONLY;
/** Diagnosis (off by default): this many more receipts for annual-only donors (no PDF). */
const NO_PDF_RUN = Number(process.env.BENCH_NO_PDF || 0);
/** Statements the bare-SQL baseline writes (its time is scaled to 10,000). */
const FLOOR_SAMPLE = 3_000;

const db = new BenchDatabase(DB_NAME, 'lianxin-bench-receipts');
const workers: ChildProcess[] = [];
let app: INestApplicationContext | null = null;
let smtp: SMTPServer | null = null;
db.onDrop(() => Promise.all(workers.map(stopWorker)));
db.onDrop(() => app?.close());
db.onDrop(() => new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve())));
db.onDrop(cleanQueues);
db.onDrop(() => fs.rmSync(tempDir, { recursive: true, force: true }));

// ---- the SMTP server ----------------------------------------------------------------------------

/** What the server accepted, by X-Lianxin-Template; `withPdf` counts messages carrying a PDF. */
const accepted = new Map<string, { n: number; withPdf: number; lastAt: number }>();
const PDF_PART = Buffer.from('Content-Type: application/pdf');

async function startSmtp(): Promise<string> {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const head = raw.subarray(0, 4096).toString('latin1');
        const template = /X-Lianxin-Template: ([\w-]+)/.exec(head)?.[1] ?? 'unknown';
        const entry = accepted.get(template) ?? { n: 0, withPdf: 0, lastAt: 0 };
        entry.n++;
        if (raw.includes(PDF_PART)) entry.withPdf++;
        entry.lastAt = now();
        accepted.set(template, entry);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp!.listen(0, '127.0.0.1', resolve));
  return `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
}

const thanksWithPdf = () => accepted.get('donation-thanks')?.withPdf ?? 0;

// ---- worker processes ---------------------------------------------------------------------------

async function startWorker(smtpUrl: string, n: number): Promise<ChildProcess> {
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/worker.js'], {
    cwd: ROOT,
    env: { ...process.env, ...APP_ENV, SMTP_URL: smtpUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${n} did not start:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Lianxin worker is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${n} exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  // Errors a worker logs while the bench runs are shown (they would explain a slow figure).
  child.stderr.on('data', (chunk: Buffer) => {
    if (!db.closing) process.stderr.write(`worker ${n}: ${chunk.toString()}`);
  });
  return child;
}

function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Peak resident set size of a process so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** `perProcess` bare sends of the PDF from each of WORKERS child processes (smtp-baseline.ts). */
function bareSends(
  smtpUrl: string,
  pdfFile: string,
  perProcess: number,
  pooled: boolean,
): Promise<{ sent: number; ms: number }[]> {
  return Promise.all(
    Array.from(
      { length: WORKERS },
      () =>
        new Promise<{ sent: number; ms: number }>((resolve, reject) => {
          let out = '';
          const child = spawn(
            process.execPath,
            [
              path.join(__dirname, 'smtp-baseline.js'),
              smtpUrl,
              pdfFile,
              String(perProcess),
              String(JOBS_PER_WORKER),
              ...(pooled ? ['pool'] : []),
            ],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', (code) =>
            code === 0
              ? resolve(JSON.parse(out) as { sent: number; ms: number })
              : reject(new Error(`baseline sender exited with ${code}`)),
          );
        }),
    ),
  );
}

const sendRate = (runs: { sent: number; ms: number }[]): number =>
  runs.reduce((s, r) => s + r.sent, 0) / (Math.max(...runs.map((r) => r.ms)) / 1000);

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The whole machine's CPU time so far, busy and in all, in ms (all cores). */
function machineCpuMs(): { busy: number; total: number } {
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

async function cleanQueues(): Promise<void> {
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close().catch(() => undefined);
  }
}

// ---- data ---------------------------------------------------------------------------------------

async function setUp(context: INestApplicationContext) {
  return RequestContext.run({ actor: { kind: 'system', label: 'bench' } }, async () => {
    await context.get(FoundationService).saveProfile({
      legalNameZh: '基准测试社区发展基金会',
      legalNameEn: 'Benchmark Community Development Foundation',
      registrationNumber: '53440300BENCH001X',
      currency: 'CNY',
      defaultLocale: 'zh-CN',
      receiptPrefix: 'B',
    });
    const funds = context.get(FundsService);
    const fund = await funds.activate(
      (
        await funds.create({
          kind: 'PROGRAM',
          code: 'BENCH-ELDERS',
          nameZh: '长者助餐基金',
          nameEn: 'Meals for elders fund',
        })
      ).id,
    );
    const bench = { kind: 'system' as const, label: 'bench' };
    const campaigns = context.get(CampaignsService);
    const draft = await campaigns.create(bench, {
      fundId: fund.id,
      slug: 'bench-elder-meals',
      titleZh: '社区长者助餐',
      titleEn: 'Meals for our elders',
      storyZh: '为社区长者提供午餐。',
      storyEn: 'Lunch for the elderly of our community.',
      goalMinor: 1_000_000_000,
      minAmountMinor: 100,
      presetAmountsMinor: [5_000, 10_000, 50_000],
    });
    const campaign = await campaigns.publish(bench, draft.id);
    return { fundId: fund.id, campaignId: campaign.id };
  });
}

/** `count` received bank transfers from distinct donors, `tag` naming them; returns nothing. */
async function insertGifts(
  client: Client,
  ids: { fundId: string; campaignId: string },
  tag: string,
  count: number,
): Promise<void> {
  await client.query(
    `INSERT INTO donations (campaign_id, fund_id, amount_minor, currency, donor_name, donor_email,
            status, provider, provider_payment_id, succeeded_at, locale)
     SELECT $1, $2, 1000 + (i % 97) * 100, 'CNY', '捐赠人' || i, $3 || '-' || i || '@bench.example.org',
            'SUCCEEDED', 'OFFLINE', 'offline:' || $3 || '-' || i, now(),
            CASE WHEN i % 5 = 0 THEN 'en' ELSE 'zh-CN' END
       FROM generate_series(1, $4::int) AS i`,
    [ids.campaignId, ids.fundId, tag, count],
  );
}

/** One RECEIPT_SYNC outbox row per gift of `tag`, as settlement writes them. */
async function enqueueSyncs(client: Client, tag: string): Promise<void> {
  await client.query(
    `INSERT INTO outbox (kind, payload, dedupe_key)
     SELECT 'RECEIPT_SYNC', jsonb_build_object('donationId', id), 'receipt-sync:' || id || ':received'
       FROM donations WHERE provider_payment_id LIKE 'offline:' || $1 || '-%'`,
    [tag],
  );
}

async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = now() + timeoutMs;
  while (!(await done())) {
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// ---- the bench ----------------------------------------------------------------------------------

async function main(): Promise<number> {
  const { check, failures } = checks();
  const figures: Figure[] = [];
  log(
    `receipts bench: ${RECEIPTS} receipts through ${WORKERS} worker process(es), annual statements for ${DONORS} donors`,
  );
  await db.create();
  await db.migrate();
  await cleanQueues();
  const smtpUrl = await startSmtp();
  app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
  const ids = await setUp(app);
  const sql = await db.connect('data');

  if (ONLY !== 'annual') await receiptsPerSecond(smtpUrl, ids, sql, figures, check);
  if (ONLY !== 'receipts') await annualStatements(ids, sql, figures, check);

  log('');
  printFigures('receipts', figures);
  return failures.length > 0 ? 1 : 0;
}

type Check = ReturnType<typeof checks>['check'];
type Ids = { fundId: string; campaignId: string };

// ---- 1. receipts per second through the workers ---------------------------------------------

async function receiptsPerSecond(
  smtpUrl: string,
  ids: Ids,
  sql: Client,
  figures: Figure[],
  check: Check,
): Promise<void> {
  const t0Workers = now();
  for (let i = 0; i < WORKERS; i++) await startWorker(smtpUrl, i + 1);
  log(`  ${WORKERS} worker(s) ready in ${((now() - t0Workers) / 1000).toFixed(1)} s`);

  await insertGifts(sql, ids, 'warm', WARMUP);
  await enqueueSyncs(sql, 'warm');
  await waitFor('the warm-up emails', () => thanksWithPdf() >= WARMUP, 60_000);

  await insertGifts(sql, ids, 'timed', RECEIPTS);
  const cpuBefore = workers.map((w) => cpuMs(w.pid!));
  const machineBefore = machineCpuMs();
  const t0 = now();
  await enqueueSyncs(sql, 'timed');
  // When the last receipt was issued (polled), and when the last email was accepted.
  let issuedAt = 0;
  await waitFor(
    'every thank-you with its PDF',
    async () => {
      if (issuedAt === 0) {
        const [row] = (
          await sql.query(
            `SELECT count(*)::int AS n FROM receipts WHERE series = 'GIFT' AND donation_id IN
               (SELECT id FROM donations WHERE provider_payment_id LIKE 'offline:timed-%')`,
          )
        ).rows as { n: number }[];
        if (row!.n >= RECEIPTS) issuedAt = now();
      }
      return thanksWithPdf() >= WARMUP + RECEIPTS;
    },
    150_000,
  );
  const seconds = (accepted.get('donation-thanks')!.lastAt - t0) / 1000;
  const rate = RECEIPTS / seconds;
  const rss = workers.map((w) => peakRssMb(w.pid!));
  const workerCpu = workers.reduce((sum, w, i) => sum + cpuMs(w.pid!) - cpuBefore[i]!, 0);
  const machine = machineCpuMs();
  const busyShare =
    (machine.busy - machineBefore.busy) / (machine.total - machineBefore.total || 1);

  const receipts: { n: number; max: number; gifts: number }[] = (
    await sql.query(
      `SELECT count(*)::int AS n, max(seq)::int AS max, count(DISTINCT donation_id)::int AS gifts
         FROM receipts WHERE series = 'GIFT'`,
    )
  ).rows;
  const total = WARMUP + RECEIPTS;
  check(
    receipts[0]!.n === total && receipts[0]!.max === total && receipts[0]!.gifts === total,
    `${total} gift receipts, one per gift, numbered 1..${total} (${receipts[0]!.n}, max ${receipts[0]!.max})`,
  );
  check(
    accepted.get('donation-thanks')!.n === total,
    `${total} thank-yous accepted by the SMTP server, each with its PDF`,
  );
  log(
    `  ${RECEIPTS} receipts issued and emailed with the PDF in ${seconds.toFixed(2)} s: ${rate.toFixed(1)} receipts/s`,
  );
  log(
    `  all receipts issued after ${((issuedAt - t0) / 1000).toFixed(2)} s (the emails with their PDFs are the rest)`,
  );
  log(
    `  worker CPU: ${(workerCpu / RECEIPTS).toFixed(1)} ms per receipt (sync + email + PDF), ` +
      `${((workerCpu / 1000 / seconds) * 100).toFixed(0)}% of one core; the machine was ${(busyShare * 100).toFixed(0)}% busy (all processes, both cores)`,
  );
  log(`  peak RSS per worker: ${rss.map((r) => `${r.toFixed(0)} MB`).join(', ')}`);
  if (NO_PDF_RUN > 0) {
    // Diagnosis: the same pipeline for donors who chose the annual statement only (their
    // thank-you carries the number, no PDF): what the receipts cost without the PDF.
    await insertGifts(sql, ids, 'nopdf', NO_PDF_RUN);
    await sql.query(
      `INSERT INTO receipt_preferences (donor_email, mode)
       SELECT donor_email, 'ANNUAL_ONLY' FROM donations WHERE provider_payment_id LIKE 'offline:nopdf-%'`,
    );
    const sent = accepted.get('donation-thanks')!.n;
    const t1 = now();
    await enqueueSyncs(sql, 'nopdf');
    await waitFor(
      'the thank-yous without PDF',
      () => accepted.get('donation-thanks')!.n >= sent + NO_PDF_RUN,
      150_000,
    );
    const noPdfRate = NO_PDF_RUN / ((accepted.get('donation-thanks')!.lastAt - t1) / 1000);
    log(`  diagnosis: without the PDF (annual-only donors): ${noPdfRate.toFixed(1)} receipts/s`);
  }
  await Promise.all(workers.map(stopWorker));

  // Baseline: the same PDF (a receipt of this run) sent bare, from as many processes, as many in flight.
  const [sample] = await app!.get(ReceiptsService).listForDonor('timed-1@bench.example.org');
  const pdf = await app!.get(ReceiptDocuments).pdf(sample!);
  const pdfFile = path.join(tempDir, 'receipt.pdf');
  fs.writeFileSync(pdfFile, pdf);
  const perProcess = Math.ceil(RECEIPTS / WORKERS);
  const baselineRuns = await bareSends(smtpUrl, pdfFile, perProcess, false);
  const baselineRate = sendRate(baselineRuns);
  check(
    (accepted.get('baseline')?.withPdf ?? 0) === perProcess * WORKERS,
    `baseline: ${perProcess * WORKERS} bare sends accepted with the PDF`,
  );
  // What one PDF costs here (the same receipt, rendered 20 times in this process).
  const tPdf = now();
  for (let i = 0; i < 20; i++) await app!.get(ReceiptDocuments).pdf(sample!);
  log(`  one receipt PDF rendered in ${((now() - tPdf) / 20).toFixed(1)} ms (this process, warm)`);
  log(
    `  baseline: bare nodemailer sends of the same ${(pdf.length / 1024).toFixed(0)} kB PDF: ${baselineRate.toFixed(1)} messages/s`,
  );
  const pooledRate = sendRate(await bareSends(smtpUrl, pdfFile, perProcess, true));
  log(
    `  for comparison, the same sends over pooled connections: ${pooledRate.toFixed(1)} messages/s (MailTransport opens a connection per message)`,
  );
  check(rate >= 100, `aim: at least 100 receipts/s (${rate.toFixed(1)})`);
  check(
    Math.max(...rss) < 500,
    `aim: peak RSS of each worker under 500 MB (${Math.max(...rss).toFixed(0)} MB)`,
  );
  figures.push({
    figure: 'receipts per second',
    value: round(rate, 1),
    unit: 'receipts/s',
    baseline: round(baselineRate, 1),
    ratio: round(rate / baselineRate, 3),
  });
  figures.push({
    figure: 'worker peak RSS',
    value: round(Math.max(...rss), 0),
    unit: 'MB',
    baseline: 500,
    ratio: round(Math.max(...rss) / 500, 3),
  });
}

// ---- 2. annual statements --------------------------------------------------------------------

async function annualStatements(
  ids: Ids,
  sql: Client,
  figures: Figure[],
  check: Check,
): Promise<void> {
  const year = shanghaiYear(new Date()) - 1;
  await sql.query(
    `INSERT INTO donations (campaign_id, fund_id, amount_minor, refunded_minor, currency, donor_name,
            donor_email, status, provider, provider_payment_id, succeeded_at, locale)
     SELECT $1, $2, 2000 + (i % 89) * 100, CASE WHEN i % 10 = 0 THEN 500 ELSE 0 END, 'CNY',
            '年度捐赠人' || (i % $4), 'annual-' || (i % $4) || '@bench.example.org',
            CASE WHEN i % 10 = 0 THEN 'PARTIALLY_REFUNDED' ELSE 'SUCCEEDED' END, 'OFFLINE',
            'offline:annual-' || i,
            make_timestamptz($3, 1 + i % 12, 1 + i % 28, 10, 0, 0, 'Asia/Shanghai'), 'zh-CN'
       FROM generate_series(1, $4 * 2) AS i`,
    [ids.campaignId, ids.fundId, year, DONORS],
  );
  await sql.query('ANALYZE donations');
  const annual = app!.get(AnnualStatementsService);
  const ta = now();
  const summary = await annual.issue(String(year));
  const annualSeconds = (now() - ta) / 1000;
  const tb = now();
  const again = await annual.issue(String(year));
  const againSeconds = (now() - tb) / 1000;
  check(
    summary.issued === DONORS && summary.donors === DONORS,
    `${DONORS} statements issued for ${year} (${summary.issued})`,
  );
  const counter: { last_seq: number }[] = (
    await sql.query(`SELECT last_seq FROM receipt_counters WHERE series = 'ANNUAL' AND year = $1`, [
      year,
    ])
  ).rows;
  check(counter[0]?.last_seq === DONORS, `annual numbers 1..${DONORS} (${counter[0]?.last_seq})`);
  check(
    again.issued === 0 && again.alreadyIssued === DONORS,
    `a second run issues nothing (${again.issued})`,
  );
  log(
    `  annual statements for ${DONORS} donors (${DONORS * 2} gifts): ${annualSeconds.toFixed(2)} s; second run ${againSeconds.toFixed(2)} s`,
  );
  log(`  extrapolated to 100,000 donors: ${((annualSeconds * 100_000) / DONORS).toFixed(0)} s`);

  // Baseline: the same writes by bare SQL, 100 statements per transaction, into another year.
  const floorYear = year - 1;
  const rows: { content: unknown; donor_email: string; amount_minor: string; locale: string }[] = (
    await sql.query(
      `SELECT content, donor_email, amount_minor, locale FROM receipts
        WHERE series = 'ANNUAL' AND year = $1 ORDER BY seq LIMIT $2`,
      [year, FLOOR_SAMPLE],
    )
  ).rows;
  const tf = now();
  for (let i = 0; i < rows.length; i += BATCH) {
    await sql.query('BEGIN');
    for (const r of rows.slice(i, i + BATCH)) {
      const seq = (
        await sql.query(
          `INSERT INTO receipt_counters (series, year, last_seq) VALUES ('ANNUAL', $1, 1)
           ON CONFLICT (series, year) DO UPDATE SET last_seq = receipt_counters.last_seq + 1
           RETURNING last_seq`,
          [floorYear],
        )
      ).rows[0].last_seq as number;
      const id = (
        await sql.query(
          `INSERT INTO receipts (number, series, year, seq, kind, issue_key, donor_email, amount_minor,
                  currency, locale, verify_code, content)
           VALUES ($1, 'ANNUAL', $2, $3, 'ANNUAL', $4, $5, $6, 'CNY', $7, 'ABCDEFGH', $8) RETURNING id`,
          [
            `F-${floorYear}-Y${seq}`,
            floorYear,
            seq,
            `floor:${floorYear}:${r.donor_email}`,
            r.donor_email,
            r.amount_minor,
            r.locale,
            JSON.stringify(r.content),
          ],
        )
      ).rows[0].id as string;
      const outboxId = (
        await sql.query(
          `INSERT INTO outbox (kind, payload, dedupe_key) VALUES ('EMAIL', $1, $2) RETURNING id`,
          [
            JSON.stringify({
              template: 'receipt-annual',
              to: r.donor_email,
              locale: r.locale,
              data: {},
            }),
            `floor:${id}`,
          ],
        )
      ).rows[0].id as string;
      await sql.query(
        `INSERT INTO receipt_deliveries (receipt_id, purpose, recipient, outbox_id) VALUES ($1, 'ISSUED', $2, $3)`,
        [id, r.donor_email, outboxId],
      );
    }
    await sql.query('COMMIT');
  }
  const floorSeconds = (now() - tf) / 1000;
  const per10k = (annualSeconds * 10_000) / DONORS;
  const floorPer10k = (floorSeconds * 10_000) / rows.length;
  log(
    `  baseline: the same writes by bare SQL (${BATCH} per transaction), ${rows.length} statements in ${floorSeconds.toFixed(2)} s: ${floorPer10k.toFixed(2)} s per 10,000`,
  );
  figures.push({
    figure: 'annual statements for 10000 donors seconds',
    value: round(per10k, 2),
    unit: 's',
    baseline: round(floorPer10k, 2),
    ratio: round(per10k / floorPer10k, 3),
  });
  figures.push({
    figure: 'annual statements for 100000 donors seconds (extrapolated)',
    value: round(per10k * 10, 0),
    unit: 's',
    baseline: round(floorPer10k * 10, 0),
    ratio: round(per10k / floorPer10k, 3),
  });
}

db.run(main);
