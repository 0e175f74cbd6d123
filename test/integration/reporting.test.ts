import { randomUUID } from 'node:crypto';
import { AllocationsService } from '../../src/modules/allocations/allocations.service';
import type { FundView } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import {
  lastMonths,
  monthAndYearToDate,
  startOfLocalDay,
} from '../../src/modules/reporting/periods';
import { ReportingService } from '../../src/modules/reporting/reporting.service';
import {
  createFoundation,
  createFund,
  externalAccount,
  generalFund,
} from '../factories/foundation.factory';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The reporting reads on a real ledger: what counts as money raised, month-by-month flows and
 * balances (with entries back-dated by SQL, since the ledger stamps entries with now()), and the
 * statement CSV across pages.
 */

let t: TestApp;
let reporting: ReportingService;
let ledger: LedgerService;

beforeAll(async () => {
  t = await createTestApp();
  reporting = t.get(ReportingService);
  ledger = t.get(LedgerService);
  await createFoundation(t);
});
afterAll(() => t.close());

/**
 * Test-only: an entry posted at a chosen instant, written as the ledger writes it (the triggers
 * still check balance, currency and overdraft), because the service always stamps now().
 */
async function postAt(
  postedAt: Date,
  postings: { accountId: string; amountMinor: number }[],
  opts: { kind?: string; reverses?: string; description?: string } = {},
): Promise<string> {
  return t.dataSource.transaction(async (m) => {
    const [entry]: { id: string }[] = await m.query(
      `INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint, reverses_entry_id, posted_at)
       VALUES ($1, $2, $3, 'CNY', 'test', $4, $5) RETURNING id`,
      [
        `test:${randomUUID()}`,
        opts.kind ?? 'OFFLINE_CONTRIBUTION',
        opts.description ?? '',
        opts.reverses ?? null,
        postedAt,
      ],
    );
    await m.query(
      `INSERT INTO postings (entry_id, account_id, amount_minor)
       SELECT $1, a, b FROM unnest($2::uuid[], $3::bigint[]) AS x(a, b)`,
      [entry!.id, postings.map((p) => p.accountId), postings.map((p) => p.amountMinor)],
    );
    return entry!.id;
  });
}

const move = (from: string, to: string, amountMinor: number) => [
  { accountId: from, amountMinor: -amountMinor },
  { accountId: to, amountMinor },
];

describe('money raised (inflows from outside into funds)', () => {
  let donors: string;
  let expenses: string;
  let a: FundView;
  let b: FundView;
  const now = new Date();
  const { monthStart, end } = monthAndYearToDate(now);
  const period = { from: monthStart, to: end };
  const raised = async () =>
    (await ledger.fundTotals({ currency: 'CNY', periods: [period] })).raisedMinor[0];

  beforeAll(async () => {
    donors = (await externalAccount(t, 'external:raised-donors')).id;
    expenses = (await externalAccount(t, 'external:raised-expenses')).id;
    // Allocations leave the general fund (restricted money moves only by a release).
    a = await generalFund(t);
    b = await createFund(t);
  });

  it('follows the documented rule entry by entry', async () => {
    const base = await raised();
    const steps: [string, () => Promise<unknown>, number][] = [
      ['a gift from outside counts', () => postAt(now, move(donors, a.accountId, 10_000)), 10_000],
      [
        'a transfer between funds does not',
        () =>
          t
            .get(AllocationsService)
            .transfer({ fromFundId: a.id, toFundId: b.id, amountMinor: 4_000 }),
        0,
      ],
      [
        'money paid out of a fund does not',
        () => postAt(now, move(b.accountId, expenses, 1_000), { kind: 'EXPENSE' }),
        0,
      ],
      [
        'a gift split over two funds counts once, whole',
        () =>
          postAt(now, [
            { accountId: donors, amountMinor: -3_000 },
            { accountId: a.accountId, amountMinor: 1_000 },
            { accountId: b.accountId, amountMinor: 2_000 },
          ]),
        3_000,
      ],
      [
        'a gift net of a fee counts the net',
        () =>
          postAt(now, [
            { accountId: donors, amountMinor: -1_000 },
            { accountId: a.accountId, amountMinor: 970 },
            { accountId: expenses, amountMinor: 30 },
          ]),
        970,
      ],
      [
        'an opening balance (money held before) does not',
        () => postAt(now, move(donors, a.accountId, 50_000), { kind: 'OPENING_BALANCE' }),
        0,
      ],
      [
        'reversing an opening balance (typed wrong) takes nothing off',
        async () => {
          const opening = await postAt(now, move(donors, a.accountId, 1_234), {
            kind: 'OPENING_BALANCE',
          });
          await ledger.reverse(opening, 'typed wrong');
        },
        0,
      ],
      [
        'a refund of a gift takes it off',
        () => postAt(now, move(a.accountId, donors, 600), { kind: 'REFUND' }),
        -600,
      ],
      [
        'a processing fee does not',
        () => postAt(now, move(a.accountId, expenses, 6), { kind: 'PROCESSOR_FEE' }),
        0,
      ],
      [
        'a gift posted before this month does not',
        () => postAt(new Date(monthStart.getTime() - 1), move(donors, a.accountId, 500)),
        0,
      ],
    ];
    let expected = base!;
    for (const [name, step, delta] of steps) {
      await step();
      expected += delta;
      expect({ name, raised: await raised() }).toEqual({ name, raised: expected });
    }
  });

  it('subtracts a reversed gift, and ignores a reversed expense', async () => {
    const gift = await postAt(now, move(donors, a.accountId, 700));
    const spent = await postAt(now, move(a.accountId, expenses, 200), { kind: 'EXPENSE' });
    const before = await raised();
    await ledger.reverse(gift, 'refund');
    expect(await raised()).toBe(before! - 700);
    await ledger.reverse(spent, 'expense booked twice');
    expect(await raised()).toBe(before! - 700);
  });

  it('holds what the FUND accounts hold, whatever moved between them', async () => {
    const { heldMinor } = await ledger.fundTotals({ currency: 'CNY', periods: [] });
    const balances = await ledger.balances([a.accountId, b.accountId]);
    const page = await ledger.listAccounts({ type: 'FUND', limit: 500 });
    expect(heldMinor).toBe(page.items.reduce((sum, acc) => sum + acc.balanceMinor, 0));
    expect(heldMinor).toBeGreaterThanOrEqual(
      (balances.get(a.accountId) ?? 0) + (balances.get(b.accountId) ?? 0),
    );
  });
});

describe('monthly series', () => {
  it('has 12 calendar months with inflow, outflow and month-end balance, held money included', async () => {
    const donors = (await externalAccount(t, 'external:series-donors')).id;
    const fund = await createFund(t);
    const other = await createFund(t);
    const now = new Date();
    const window = lastMonths(now, 12);
    const [y, m] = window.months[0]!.split('-').map(Number) as [number, number];
    const monthStart = (offset: number) => startOfLocalDay(y, m + offset, 1);
    const inMonth = (offset: number, hours = 12) =>
      new Date(monthStart(offset).getTime() + hours * 3_600_000);

    await postAt(new Date(monthStart(0).getTime() - 1), move(donors, fund.accountId, 5_000)); // before the window
    await postAt(monthStart(0), move(donors, fund.accountId, 1_000)); // first instant of month 0
    await postAt(inMonth(3), move(donors, fund.accountId, 2_000));
    await postAt(inMonth(3, 20), move(fund.accountId, other.accountId, 500), {
      kind: 'ALLOCATION',
    });
    await postAt(
      new Date(monthStart(5).getTime() - 1),
      move(fund.accountId, other.accountId, 1_500),
      { kind: 'ALLOCATION' },
    ); // last instant of month 4

    const series = await reporting.fundSeries(fund.id, now);
    expect(series.points.map((p) => p.month)).toEqual(window.months);
    const rows = series.points.map((p) => [p.inflowMinor, p.outflowMinor, p.balanceMinor]);
    expect(rows.slice(0, 6)).toEqual([
      [1_000, 0, 6_000],
      [0, 0, 6_000],
      [0, 0, 6_000],
      [2_000, 500, 7_500],
      [0, 1_500, 6_000],
      [0, 0, 6_000],
    ]);
    expect(rows.at(-1)).toEqual([0, 0, 6_000]);
    expect(series.fund.balanceMinor).toBe(6_000);

    const svg = reporting.chart(series, 'zh-CN', '测试基金');
    expect(svg.match(/<rect class="chart-bar /g)).toHaveLength(24);
    expect(svg).toContain('测试基金');
  });
});

describe('a gift received before it was recorded', () => {
  it('counts in the month the money arrived, while the ledger posts it now', async () => {
    const fund = await createFund(t);
    // The fund was set up a year ago (a gift cannot be dated before its fund existed).
    await t.dataSource.query(
      `UPDATE funds SET created_at = now() - interval '1 year' WHERE id = $1`,
      [fund.id],
    );
    const campaign = await createCampaign(t, {
      fundId: fund.id,
      slug: `received-${fund.code.toLowerCase()}`,
    });
    const now = new Date();
    const window = lastMonths(now, 12);
    const [y, m] = window.months[8]!.split('-').map(Number) as [number, number];
    const receivedAt = new Date(startOfLocalDay(y, m, 10).getTime() + 10 * 3_600_000);
    const { donation } = await t.get(OfflineGiftsService).record({
      campaignSlug: campaign.slug,
      amountMinor: 88_800,
      donorName: '刘建华',
      method: 'BANK',
      reference: `received-${randomUUID()}`,
      receivedAt,
    });

    const series = await reporting.fundSeries(fund.id, now);
    const rows = series.points.map((p) => [p.inflowMinor, p.balanceMinor]);
    expect(rows.slice(7, 10)).toEqual([
      [0, 0],
      [88_800, 88_800],
      [0, 88_800],
    ]);
    expect(rows.at(-1)).toEqual([0, 88_800]);
    // The entry itself is posted now (statements stay in posting order), dated by the gift.
    const [entry]: { posted_at: Date; occurred_at: Date }[] = await t.dataSource.query(
      `SELECT posted_at, occurred_at FROM journal_entries WHERE idempotency_key = $1`,
      [`donation:${donation.id}:settle`],
    );
    expect(entry!.occurred_at.getTime()).toBe(receivedAt.getTime());
    expect(entry!.posted_at.getTime()).toBeGreaterThan(now.getTime() - 60_000);
  });
});

describe('statement CSV', () => {
  it('pages through every line, newest first, with running balances that add up', async () => {
    const donors = (await externalAccount(t, 'external:csv-donors')).id;
    const fund = await createFund(t);
    // 510 gifts of 1..510 fen in one statement: more than one page of the export.
    await t.dataSource.transaction(async (m) => {
      for (let i = 1; i <= 510; i++) {
        const [entry]: { id: string }[] = await m.query(
          `INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint, posted_at)
           VALUES ($1, 'OFFLINE_CONTRIBUTION', $2, 'CNY', 'test', now() - make_interval(secs => $3)) RETURNING id`,
          [
            `test:csv:${fund.id}:${i}`,
            i === 7 ? '=HYPERLINK("http://evil")' : `gift ${i}`,
            1000 - i,
          ],
        );
        await m.query(
          `INSERT INTO postings (entry_id, account_id, amount_minor) VALUES ($1, $2, $3), ($1, $4, $5)`,
          [entry!.id, donors, -i, fund.accountId, i],
        );
      }
    });
    let csv = '';
    for await (const chunk of reporting.statementCsv(fund.id, {}, 'zh-CN', { donorData: true })) {
      csv += chunk;
    }
    const rows = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows).toHaveLength(511);
    expect(rows[0]).toBe('记账时间（北京时间）,事项,金额（元）,余额（元）,币种,分录编号');
    const cells = rows.slice(1).map((r) => r.split(','));
    // Amounts in yuan only: fen are counted here from the decimals, never read from a column.
    const fen = (yuan: string) => Math.round(Number(yuan) * 100);
    const amounts = cells.map((c) => fen(c.at(-4)!));
    const after = cells.map((c) => fen(c.at(-3)!));
    expect(amounts.slice(0, 3)).toEqual([510, 509, 508]);
    expect(after[0]).toBe((510 * 511) / 2);
    for (let i = 1; i < after.length; i++) expect(after[i]).toBe(after[i - 1]! - amounts[i - 1]!);
    expect(after.at(-1)).toBe(1);
    expect(cells[0]!.slice(0, 5)).toEqual([
      cells[0]![0],
      '线下捐赠 · gift 510',
      '5.10',
      '1303.05',
      'CNY',
    ]);
    expect(cells[0]![0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // A staff-typed formula is words after the kind, never a cell a spreadsheet would run.
    expect(rows.find((r) => r.includes('HYPERLINK'))).toContain(
      '"线下捐赠 · =HYPERLINK(""http://evil"")"',
    );
    expect(cells.every((c) => c.every((cell) => !/^[=+@]/.test(cell)))).toBe(true);
  });
});
