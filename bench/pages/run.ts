/**
 * Public pages benchmark (`npm run bench:pages`: builds the app, compiles bench/ with swc into
 * dist/bench/, and runs dist/bench/pages/run.js).
 *
 * On a throwaway database migrated with the real migrations, the real app (createApp, as main.ts
 * builds it; page cache on) in this process on a random port, a foundation, a funded matching
 * pool and a LIVE campaign with a 1:1 rule and SEED settled gifts (its page lists the latest).
 * autocannon, in a child process so the load stays off the server's event loop, with CONNECTIONS
 * connections for SECONDS each:
 *  a. a bare `node:http` server in this thread answering the campaign page's own bytes and headers
 *     (the floor: what Node alone costs for the same answer);
 *  b. the campaign page `/campaigns/{slug}` while gifts keep settling into that campaign: signed
 *     `checkout.session.completed` events POSTed to /webhooks/stripe at SETTLE_RATE per second
 *     (each one changes the campaign's totals, which drops the cached page: it is rendered again);
 *  c. the fund page `/funds/{code}` (skipped with a message while the app answers it 404).
 * After (b) the page must show every gift settled during the run (the cache did not keep a stale
 * total).
 *
 * Prints figures for people, then one JSON line per figure:
 *   {"bench":"pages","figure":"campaign page requests per second","value":N,"unit":"req/s","baseline":<bare>,"ratio":N}
 *   {"bench":"pages","figure":"campaign page p99 ms","value":N,"unit":"ms","baseline":<bare p99>,"ratio":N}
 *   {"bench":"pages","figure":"fund page requests per second","value":N,"unit":"req/s","baseline":<bare>,"ratio":N}
 * Aim: campaign page ≥ half the bare server's requests per second, p99 < 50 ms.
 *
 * Environment:
 *   BENCH_DATABASE_URL  admin connection (default postgres://postgres@127.0.0.1:5432/postgres);
 *                       the bench creates, then drops, its own database on that server
 *   BENCH_SECONDS       length of each autocannon run (default 10)
 *   BENCH_CONNECTIONS   autocannon connections (default 100)
 *   BENCH_SETTLE_RATE   gifts settled per second during the campaign page run (default 30)
 */
import { SECRET, tempDir } from './env'; // first: sets the app's environment
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { createApp } from '../../src/app.factory';
import { RequestContext } from '../../src/common/context/request-context';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { FoundationService } from '../../src/modules/foundation/foundation.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { BenchDatabase } from '../lib/bench-database';
import { checkoutCompletedEvent, postWebhook } from '../lib/webhook-events';
import { checks, log, now, printFigures, round, secondsSince, sleep } from '../lib/figures';
import { load } from './load';
import { DB_NAME } from './env';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 100);
const SETTLE_RATE = Number(process.env.BENCH_SETTLE_RATE || 30);
const SEED = 50;
const CURRENCY = 'CNY';
const SLUG = 'bench-giving-day';
const FUND_CODE = 'BENCH-GIVING';

const db = new BenchDatabase(DB_NAME, 'lianxin-bench-pages');
let app: NestFastifyApplication | null = null;
let bare: http.Server | null = null;
db.onDrop(() => new Promise<void>((resolve) => (bare ? bare.close(() => resolve()) : resolve())));
db.onDrop(() => app?.close());
db.onDrop(() => fs.rmSync(tempDir, { recursive: true, force: true }));

interface Context {
  campaignId: string;
  fundId: string;
}

/** Foundation, a campaign fund, a funded MATCHING pool, a LIVE campaign and a 1:1 rule. */
async function setUp(theApp: NestFastifyApplication): Promise<Context> {
  return RequestContext.run({ actor: { kind: 'system', label: 'bench' } }, async () => {
    await theApp.get(FoundationService).saveProfile({
      legalNameZh: '基准测试社区发展基金会',
      legalNameEn: 'Benchmark Community Development Foundation',
      registrationNumber: '53440300BENCH002X',
      currency: CURRENCY,
      defaultLocale: 'zh-CN',
      receiptPrefix: 'P',
    });
    const funds = theApp.get(FundsService);
    const create = async (kind: 'PROGRAM' | 'MATCHING', code: string, zh: string, en: string) =>
      funds.activate((await funds.create({ kind, code, nameZh: zh, nameEn: en })).id);
    const fund = await create('PROGRAM', FUND_CODE, '九九公益日', 'Giving Day');
    const pool = await create('MATCHING', 'BENCH-POOL', '配捐池', 'Matching pool');
    const ledger = theApp.get(LedgerService);
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
        { accountId: sponsor.id, amountMinor: -100_000_000 },
        { accountId: pool.accountId, amountMinor: 100_000_000 },
      ],
    });
    const campaigns = theApp.get(CampaignsService);
    const bench = { kind: 'system' as const, label: 'bench' };
    const draft = await campaigns.create(bench, {
      fundId: fund.id,
      slug: SLUG,
      titleZh: '九九公益日：社区长者轮椅',
      titleEn: 'Giving Day: wheelchairs for our elders',
      storyZh: '为社区长者购置**轮椅**。每一位长者都应当能够走出家门，到公园里晒晒太阳。'.repeat(4),
      storyEn: 'Wheelchairs for the **elderly** of our community. '.repeat(8),
      goalMinor: 1_000_000_000,
      minAmountMinor: 100,
      presetAmountsMinor: [5_000, 10_000, 50_000],
    });
    const campaign = await campaigns.publish(bench, draft.id);
    await theApp.get(MatchingService).setRule(campaign.id, {
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
    return { campaignId: campaign.id, fundId: fund.id };
  });
}

/** PENDING donations written by SQL (intake would open a checkout for each). */
async function pendingGifts(
  ctx: Context,
  from: number,
  count: number,
): Promise<[string, number][]> {
  const side = await db.connect('seed');
  try {
    const { rows } = await side.query<{ id: string; amount: number }>(
      `INSERT INTO donations (id, campaign_id, fund_id, amount_minor, fee_cover_minor, currency,
         donor_name, donor_email, anonymous, message, dedication, monthly, status, provider,
         matched_minor, refunded_minor, ip, created_at, updated_at)
       SELECT gen_random_uuid(), $1, $2, 1000 + (i * 7919) % 9000, 0, $3, '捐赠人 ' || i,
              'donor-' || i || '@bench.example.org', false, '谢谢', '', false, 'PENDING',
              'SANDBOX', 0, 0, '10.1.' || (i / 256) % 256 || '.' || i % 256, now(), now()
         FROM generate_series($4::int, $4::int + $5::int - 1) AS i
       RETURNING id, amount_minor::int AS amount`,
      [ctx.campaignId, ctx.fundId, CURRENCY, from, count],
    );
    return rows.map((r) => [r.id, r.amount]);
  } finally {
    await db.disconnect(side);
  }
}

/** A signed checkout.session.completed for a donation, POSTed to the app's webhook. */
async function settle(port: number, [id, amountMinor]: [string, number]): Promise<number> {
  const payload = JSON.stringify(checkoutCompletedEvent(id, amountMinor));
  return (await postWebhook(http.globalAgent, port, SECRET, payload)).status;
}

/** Settles `gifts` at `rate` per second until `stop` resolves or they run out. */
async function settleSteadily(
  port: number,
  gifts: [string, number][],
  rate: number,
  until: () => boolean,
): Promise<{ settled: number; failed: number }> {
  const started = now();
  let next = 0;
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  while (!until() && next < gifts.length) {
    const due = Math.floor(((now() - started) / 1000) * rate);
    while (next < due && next < gifts.length) {
      inFlight.push(
        settle(port, gifts[next++]!).then(
          (status) => {
            if (status !== 200) failed++;
          },
          () => {
            failed++;
          },
        ),
      );
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  return { settled: next - failed, failed };
}

function get(
  url: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      })
      .on('error', reject);
  });
}

/** A node:http server answering `body` with `headers` to every request: the floor. */
async function startBare(body: Buffer, headers: http.IncomingHttpHeaders): Promise<number> {
  const kept = Object.entries(headers).filter(
    ([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name),
  ) as [string, string | string[]][];
  bare = http.createServer((_req, res) => {
    res.writeHead(200, Object.fromEntries(kept));
    res.end(body);
  });
  await new Promise<void>((resolve) => bare!.listen(0, '127.0.0.1', resolve));
  return (bare.address() as AddressInfo).port;
}

async function main(): Promise<number> {
  const started = now();
  const { check, failures } = checks();
  log(
    `pages bench: database ${db.name} on ${db.host}; ${os.cpus().length} CPUs, load average ` +
      `${os.loadavg()[0]!.toFixed(2)} before start; ${CONNECTIONS} connections, ${SECONDS} s per run`,
  );
  await db.create();
  await db.migrate();
  const theApp = await createApp({ logger: ['error'] });
  app = theApp;
  await theApp.listen({ port: 0, host: '127.0.0.1' });
  const port = (theApp.getHttpServer().address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const ctx = await setUp(theApp);
  const seeded = await pendingGifts(ctx, 1, SEED);
  let seedFailures = 0;
  for (const gift of seeded) if ((await settle(port, gift)) !== 200) seedFailures++;
  check(seedFailures === 0, `${SEED} seed gifts settled (${seedFailures} failed)`);
  const during = await pendingGifts(ctx, SEED + 1, Math.ceil(SETTLE_RATE * (SECONDS + 5)));
  const pageUrl = `${origin}/campaigns/${SLUG}`;
  const page = await get(pageUrl);
  check(page.status === 200, `campaign page answers 200 (got ${page.status})`);
  log(
    `set up in ${secondsSince(started)} s: app on ${origin}, a LIVE campaign with ${SEED} settled ` +
      `gifts; its page is ${page.body.length} bytes (page cache: ${String(page.headers['x-page-cache'])})`,
  );

  // a. the floor
  const barePort = await startBare(page.body, page.headers);
  await load({ url: `http://127.0.0.1:${barePort}/`, connections: 10, seconds: 1 }); // warm-up
  const floor = await load({
    url: `http://127.0.0.1:${barePort}/`,
    connections: CONNECTIONS,
    seconds: SECONDS,
  });
  await new Promise<void>((resolve) => bare!.close(() => resolve()));
  bare = null;
  log(
    `a. bare node:http, same ${page.body.length} bytes: ${Math.round(floor.rps)} req/s, ` +
      `p50 ${floor.p50} ms, p99 ${floor.p99} ms`,
  );

  // b. the campaign page while gifts settle into it
  await load({ url: pageUrl, connections: 10, seconds: 1 }); // warm-up
  let loading = true;
  const settling = settleSteadily(port, during, SETTLE_RATE, () => !loading);
  const campaignRun = await load({ url: pageUrl, connections: CONNECTIONS, seconds: SECONDS });
  loading = false;
  const settled = await settling;
  log(
    `b. campaign page, ${settled.settled} gifts settled meanwhile (${round(settled.settled / SECONDS, 1)}/s): ` +
      `${Math.round(campaignRun.rps)} req/s, p50 ${campaignRun.p50} ms, p99 ${campaignRun.p99} ms, ` +
      `${campaignRun.non2xx} non-2xx, ${campaignRun.errors} errors`,
  );
  check(
    settled.failed === 0,
    `every webhook during the run answered 200 (${settled.failed} did not)`,
  );
  check(
    campaignRun.non2xx === 0 && campaignRun.errors === 0,
    'every campaign page answer was a 200',
  );
  const totals = await theApp.get(CampaignsService).totals(ctx.campaignId);
  const after = await (async () => {
    // The change notice of the last gift arrives a moment after its commit.
    for (let i = 0; i < 100; i++) {
      const res = await get(`${pageUrl}?lang=en`);
      if (res.body.toString().includes(`>${totals.donors}<`)) return res;
      await sleep(20);
    }
    return null;
  })();
  check(
    after !== null,
    `the page shows all ${totals.donors} donors after the run (no stale total kept)`,
  );

  // c. the fund page
  const figures = [
    {
      figure: 'campaign page requests per second',
      value: Math.round(campaignRun.rps),
      unit: 'req/s',
      baseline: Math.round(floor.rps),
      ratio: round(campaignRun.rps / floor.rps, 3),
    },
    {
      figure: 'campaign page p99 ms',
      value: campaignRun.p99,
      unit: 'ms',
      baseline: floor.p99,
      ratio: round(campaignRun.p99 / Math.max(floor.p99, 1), 2),
    },
  ];
  const fundUrl = `${origin}/funds/${FUND_CODE}`;
  const fundPage = await get(fundUrl);
  if (fundPage.status === 404) {
    log(`c. fund page: ${fundUrl} answers 404 on this build; skipped (rerun once /funds exists)`);
  } else {
    check(fundPage.status === 200, `fund page answers 200 (got ${fundPage.status})`);
    await load({ url: fundUrl, connections: 10, seconds: 1 });
    const fundRun = await load({ url: fundUrl, connections: CONNECTIONS, seconds: SECONDS });
    log(
      `c. fund page (${fundPage.body.length} bytes): ${Math.round(fundRun.rps)} req/s, ` +
        `p50 ${fundRun.p50} ms, p99 ${fundRun.p99} ms`,
    );
    figures.push({
      figure: 'fund page requests per second',
      value: Math.round(fundRun.rps),
      unit: 'req/s',
      baseline: Math.round(floor.rps),
      ratio: round(fundRun.rps / floor.rps, 3),
    });
  }
  log(
    `aim: campaign page ≥ 0.5 of the bare server (got ${figures[0]!.ratio}), p99 < 50 ms ` +
      `(got ${campaignRun.p99} ms); total ${secondsSince(started)} s`,
  );
  printFigures('pages', figures);
  return failures.length === 0 ? 0 : 1;
}

db.run(main);
