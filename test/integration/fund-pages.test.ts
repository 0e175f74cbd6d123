import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { FoundationService } from '../../src/modules/foundation/foundation.service';
import { FundsService, type FundView } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { NAMES_PER_DAY, PUBLIC_LEDGER_PAGE_SIZE } from '../../src/modules/reporting/public-ledger';
import { createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import {
  createFoundation,
  createFund,
  externalAccount,
  fundFromOutside,
  generalFund,
} from '../factories/foundation.factory';
import {
  insightsApplication,
  insightsAward,
  insightsExpense,
  insightsRound,
  insightsTranche,
} from '../factories/grants-insights.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The public fund directory, fund page, public ledger and its CSV: what is public (one rule:
 * donations/public-donor.ts), days in Beijing time, exact roll-ups, and bad input as 4xx pages.
 */
let t: TestApp;
let donors: string;

beforeAll(async () => {
  t = await createTestApp();
  await createFoundation(t);
  donors = (await externalAccount(t)).id;
});
afterAll(() => t.close());

/** Handlebars escapes '=' in attributes; browsers read it back: so does this. */
const html = (text: string) => text.replace(/&#x3D;/g, '=');

/**
 * Test-only: an entry posted at a chosen instant, written as the ledger writes it (its triggers
 * still check balance and currency), because the ledger service always stamps now().
 */
async function postAt(
  postedAt: Date,
  postings: { accountId: string; amountMinor: number }[],
  opts: { kind: string; description?: string; metadata?: Record<string, unknown> },
): Promise<string> {
  return t.dataSource.transaction(async (m) => {
    const [entry]: { id: string }[] = await m.query(
      `INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint, metadata, posted_at)
       VALUES ($1, $2, $3, 'CNY', 'test', $4, $5) RETURNING id`,
      [
        `test:${randomUUID()}`,
        opts.kind,
        opts.description ?? '',
        JSON.stringify(opts.metadata ?? {}),
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

/** A settled online (or offline-typed) gift whose ledger entry is posted at `at`. */
async function giftAt(
  campaign: { id: string; fundId: string },
  fund: FundView,
  at: Date,
  gift: { amountMinor: number; name: string; email: string; anonymous?: boolean; message?: string },
) {
  const [row]: { id: string }[] = await t.dataSource.query(
    `INSERT INTO donations (campaign_id, fund_id, amount_minor, currency, donor_name, donor_email,
                            anonymous, message, status, provider, provider_payment_id, succeeded_at)
     VALUES ($1, $2, $3, 'CNY', $4, $5, $6, $7, 'SUCCEEDED', 'SANDBOX', $8, $9) RETURNING id`,
    [
      campaign.id,
      fund.id,
      gift.amountMinor,
      gift.name,
      gift.email,
      gift.anonymous ?? false,
      gift.message ?? '',
      `pi_test_${randomUUID()}`,
      at,
    ],
  );
  await postAt(
    at,
    [
      { accountId: donors, amountMinor: -gift.amountMinor },
      { accountId: fund.accountId, amountMinor: gift.amountMinor },
    ],
    { kind: 'DONATION', metadata: { donationId: row!.id } },
  );
}

describe('the fund directory', () => {
  let maple: FundView;
  let birch: FundView;

  beforeAll(async () => {
    const foundation = t.get(FoundationService);
    const funds = t.get(FundsService);
    const east = await foundation.createSubdistrict({
      code: 'SD-EAST',
      nameZh: '东湖街道',
      nameEn: 'East Lake',
    });
    const west = await foundation.createSubdistrict({
      code: 'SD-WEST',
      nameZh: '西山街道',
      nameEn: 'West Hill',
    });
    const community = (code: string, nameZh: string, nameEn: string, subdistrictId: string) =>
      foundation.createCommunity({ code, nameZh, nameEn, subdistrictId });
    const [c1, c2, c3] = [
      await community('EAST-1', '枫林社区', 'Maple Court', east.id),
      await community('EAST-2', '白桦社区', 'Birch Row', east.id),
      await community('EAST-3', '松竹社区', 'Pine Yard', east.id),
    ];
    await community('WEST-1', '云杉社区', 'Spruce Gate', west.id);
    const communityFund = async (code: string, communityId: string, active: boolean) => {
      const fund = await funds.create({
        kind: 'COMMUNITY',
        code,
        nameZh: `${code}基金`,
        nameEn: `${code} fund`,
        communityId,
      });
      return active ? funds.activate(fund.id) : fund;
    };
    maple = await communityFund('C-MAPLE', c1.id, true);
    birch = await communityFund('C-BIRCH', c2.id, true);
    await communityFund('C-PINE', c3.id, false);

    // This year (now): money raised, paid out, and moved between funds (which raises nothing).
    await fundFromOutside(t, maple, 100_000);
    await fundFromOutside(t, birch, 50_000);
    const general = await generalFund(t);
    await fundFromOutside(t, general, 30_000);
    const ledger = t.get(LedgerService);
    await ledger.post({
      idempotencyKey: `test:expense:${randomUUID()}`,
      kind: 'EXPENSE',
      description: 'Staff-typed expense memo NEVER-PUBLIC',
      currency: 'CNY',
      postings: [
        { accountId: maple.accountId, amountMinor: -20_000 },
        { accountId: donors, amountMinor: 20_000 },
      ],
    });
    await ledger.post({
      idempotencyKey: `test:allocation:${randomUUID()}`,
      kind: 'ALLOCATION',
      description: '',
      currency: 'CNY',
      postings: [
        { accountId: general.accountId, amountMinor: -30_000 },
        { accountId: birch.accountId, amountMinor: 30_000 },
      ],
      metadata: { fromFundId: general.id, toFundId: birch.id },
    });
  });

  it('groups funds by subdistrict with exact roll-ups, and says how many communities have a fund', async () => {
    const zh = html((await request(t.server).get('/funds?lang=zh-CN').expect(200)).text);
    expect(zh).toContain('4 个社区中 2 个已设立社区基金');
    const east = zh.slice(zh.indexOf('id="sd-SD-EAST"'), zh.indexOf('id="sd-SD-WEST"'));
    expect(east).toContain('东湖街道');
    expect(east).toMatch(/data-figure="funds">3</);
    expect(east).toMatch(/data-figure="communities">3 个中 2 个</);
    // Held: 1,000 − 200 (expense) + 500 + 300 (allocation) = 1,600.
    expect(east).toMatch(/data-figure="held">¥1,600\.00</);
    // Raised: gifts from outside only; the allocation moved money, it raised none.
    expect(east).toMatch(/data-figure="raised-year">¥1,500\.00</);
    expect(east).toMatch(/data-figure="paid-out-year">¥200\.00</);
    expect(east).toContain('href="/funds/C-MAPLE?lang=zh-CN"');
    expect(east).toMatch(/data-code="C-PINE" data-status="PREPARING"/);
    expect(east).toContain('筹备中');

    const west = zh.slice(zh.indexOf('id="sd-SD-WEST"'));
    expect(west).toMatch(/data-figure="funds">0</);
    expect(west).toMatch(/data-figure="communities">1 个中 0 个</);

    // The general fund has its own group.
    const wide = zh.slice(zh.indexOf('id="foundation-wide"'), zh.indexOf('id="sd-SD-EAST"'));
    expect(wide).toContain('data-code="GENERAL"');

    const en = (await request(t.server).get('/funds?lang=en').expect(200)).text;
    expect(en).toContain('2 of 4 communities have a fund');
    expect(en).toContain('East Lake');
  });

  it('itemises outflows and transfers: the other fund named, staff-typed text never shown', async () => {
    const general = await generalFund(t);
    const birchPage = (await request(t.server).get('/funds/C-BIRCH?lang=en').expect(200)).text;
    expect(birchPage).toContain(`Allocation from ${general.nameEn}`);
    // The figures add up: ¥500 raised, nothing paid out, ¥300 from the general fund = ¥800 held.
    expect(birchPage).toMatch(/data-figure="raised">¥500\.00</);
    expect(birchPage).toMatch(/data-figure="other-net">¥300\.00</);
    expect(birchPage).toMatch(/data-figure="balance">¥800\.00</);
    const generalPage = (await request(t.server).get('/funds/GENERAL?lang=en').expect(200)).text;
    expect(generalPage).toContain('Allocation to C-BIRCH fund');
    const maplePage = (await request(t.server).get('/funds/C-MAPLE?lang=zh-CN').expect(200)).text;
    expect(maplePage).toMatch(/>支出<\/td>/);
    expect(maplePage).not.toContain('NEVER-PUBLIC');
    expect(maplePage).toMatch(/data-figure="paid-out">¥200\.00</);
    expect(maplePage).toMatch(/data-figure="raised">¥1,000\.00</);
    expect(maplePage).toMatch(/data-figure="other-net">¥0\.00</);
  });

  it('finds funds by community name and kind; a bad kind or query is a 400 page', async () => {
    const byName = (await request(t.server).get('/funds?q=maple&lang=en').expect(200)).text;
    expect(byName).toContain('data-code="C-MAPLE"');
    expect(byName).not.toContain('data-code="C-BIRCH"');
    expect(byName).not.toContain('data-code="GENERAL"');
    const byZhName = (
      await request(t.server)
        .get(`/funds?q=${encodeURIComponent('白桦')}`)
        .expect(200)
    ).text;
    expect(byZhName).toContain('data-code="C-BIRCH"');
    expect(byZhName).not.toContain('data-code="C-MAPLE"');

    const byKind = (await request(t.server).get('/funds?kind=GENERAL&lang=en').expect(200)).text;
    expect(byKind).toContain('data-code="GENERAL"');
    expect(byKind).not.toContain('data-code="C-MAPLE"');

    const bad = await request(t.server).get('/funds?kind=SECRET&lang=en').expect(400);
    expect(bad.text).toContain('That kind of fund does not exist. Choose one of: General fund');
    const badZh = await request(t.server).get('/funds?kind=SECRET&lang=zh-CN').expect(400);
    expect(badZh.text).toContain('没有这种基金类型');
    expect(badZh.text).toContain('lang="zh-CN"');
    await request(t.server).get('/funds?kind=COMMUNITY&kind=GENERAL').expect(400);
    await request(t.server)
      .get(`/funds?q=${'x'.repeat(101)}`)
      .expect(400);
  });
});

describe('a fund page and its public ledger', () => {
  let fund: FundView;
  let campaign: { id: string; fundId: string; slug: string };
  let poolCode: string;

  beforeAll(async () => {
    const created = await createCampaign(t, { titleEn: 'Benches for the park' });
    campaign = created;
    fund = await t.get(FundsService).get(created.fundId);
    const named = {
      name: 'Wang <script>alert(1)</script>',
      email: 'named-donor@example.org',
      message: 'Hello <img src=x onerror=alert(2)>',
    };
    // Beijing day 2026-03-01: 18:00 and 23:59:59 local; day 2026-03-02: 00:00:00 and 23:59:59.
    await giftAt(campaign, fund, new Date('2026-03-01T10:00:00Z'), {
      amountMinor: 5_000,
      name: 'Hidden Anonymous Zhou',
      email: 'anon-donor@example.org',
      anonymous: true,
      message: 'please do not name me',
    });
    await giftAt(campaign, fund, new Date('2026-03-01T15:59:59Z'), {
      amountMinor: 10_000,
      ...named,
    });
    await giftAt(campaign, fund, new Date('2026-03-01T16:00:00Z'), {
      amountMinor: 2_000,
      name: 'Li Morning',
      email: 'li-morning@example.org',
    });
    await giftAt(campaign, fund, new Date('2026-03-02T15:59:59Z'), {
      amountMinor: 500,
      name: 'Chen Late',
      email: 'chen-late@example.org',
    });
    // Matched money from a sponsor's pool, summed per day and per pool.
    const pool = await createFund(t, {
      kind: 'MATCHING',
      nameEn: 'Sponsor Pool',
      nameZh: '赞助配捐池',
    });
    await fundFromOutside(t, pool, 10_000);
    await postAt(
      new Date('2026-03-01T12:00:00Z'),
      [
        { accountId: pool.accountId, amountMinor: -3_000 },
        { accountId: fund.accountId, amountMinor: 3_000 },
      ],
      { kind: 'MATCH' },
    );
    poolCode = pool.code;
    // An offline gift: the name and memo are typed by staff.
    await t.get(OfflineGiftsService).record({
      campaignSlug: campaign.slug,
      amountMinor: 30_000,
      donorName: 'Offline Donor Zhao',
      donorEmail: 'offline-donor@example.org',
      method: 'BANK',
      reference: `REF-${randomUUID().slice(0, 8)}`,
      message: 'bank memo SECRET-MEMO',
    });
    // A manual adjustment with a staff-typed description: shown by its kind only.
    await postAt(
      new Date('2026-03-03T02:00:00Z'),
      [
        { accountId: donors, amountMinor: -700 },
        { accountId: fund.accountId, amountMinor: 700 },
      ],
      { kind: 'ADJUSTMENT', description: 'Staff note: STAFF-TYPED-SECRET' },
    );
  });

  const never = [
    'named-donor@example.org',
    'anon-donor@example.org',
    'offline-donor@example.org',
    'Hidden Anonymous Zhou',
    'Offline Donor Zhao',
    'SECRET-MEMO',
    'STAFF-TYPED-SECRET',
    'please do not name me',
    'onerror',
  ];

  it('sums gifts per Beijing day, names only online donors who did not ask for anonymity, escaped', async () => {
    const res = await request(t.server).get(`/funds/${fund.code}?lang=en`).expect(200);
    const page = res.text;
    for (const secret of never) expect([secret, page.includes(secret)]).toEqual([secret, false]);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('Wang &lt;script&gt;alert(1)&lt;/script&gt;');

    const rows = [
      ...page.matchAll(/<tr>\s*<td data-label="Date">([^<]+)<\/td>([\s\S]*?)<\/tr>/g),
    ].map((m) => [
      m[1],
      m[2]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ]);
    const day = (d: string) => rows.filter(([date]) => date === d).map(([, text]) => text);
    // 15:59:59Z is still 1 March in Beijing; 16:00:00Z is 2 March.
    expect(day('2026-03-01')).toEqual([
      'Gifts (2) Wang &lt;script&gt;alert(1)&lt;/script&gt; ¥150.00',
      'Matched by Sponsor Pool (1) ¥30.00',
    ]);
    expect(day('2026-03-02')).toEqual(['Gifts (2) Li Morning, Chen Late ¥25.00']);
    expect(day('2026-03-03')).toEqual(['Adjustment ¥7.00']);
    // The offline gift (today): counted, never named.
    expect(rows.some(([, text]) => text === 'Gifts (1) ¥300.00')).toBe(true);

    expect(html(page)).toContain(`href="/funds/${fund.code}/ledger.csv?lang=en"`);
    expect(html(page)).toContain(`href="/campaigns/${campaign.slug}?lang=en"`);
    expect(page).toContain('Benches for the park');
    expect(page).toContain('<svg');

    // The pool's own ledger says where its money went.
    const poolPage = (await request(t.server).get(`/funds/${poolCode}?lang=en`).expect(200)).text;
    expect(poolPage).toContain(`Matching for ${fund.nameEn} (1)`);
  });

  it("gives the same rows as CSV, in the reader's language, with decimal yuan and the fund code in its name", async () => {
    const res = await request(t.server)
      .get(`/funds/${fund.code}/ledger.csv?lang=zh-CN`)
      .expect(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="ledger-${fund.code}.csv"`,
    );
    const csv = res.text;
    for (const secret of never) expect([secret, csv.includes(secret)]).toEqual([secret, false]);
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('日期（北京时间）,事项,公开的捐赠人,收入,支出,币种');
    expect(lines).toContain('2026-03-01,捐赠（2 笔）,Wang <script>alert(1)</script>,150.00,,CNY');
    expect(lines).toContain('2026-03-02,捐赠（2 笔）,Li Morning、Chen Late,25.00,,CNY');
    expect(lines).toContain('2026-03-03,调整,,7.00,,CNY');
    expect(lines).toContain('2026-03-01,赞助配捐池 配捐（1 笔）,,30.00,,CNY');
    expect(lines).toHaveLength(1 + 5);
  });

  it("pages the ledger; a page past the end or not a whole number is a 400 in the reader's language", async () => {
    const busy = await createCampaign(t);
    const busyFund = await t.get(FundsService).get(busy.fundId);
    for (let i = 0; i < PUBLIC_LEDGER_PAGE_SIZE + 3; i++) {
      await postAt(
        new Date(Date.UTC(2026, 0, 1 + i, 4)),
        [
          { accountId: donors, amountMinor: -(100 + i) },
          { accountId: busyFund.accountId, amountMinor: 100 + i },
        ],
        { kind: 'ADJUSTMENT' },
      );
    }
    const first = html(
      (await request(t.server).get(`/funds/${busyFund.code}?lang=en`).expect(200)).text,
    );
    expect(first).toContain('Page 1 of 2');
    expect(first).toContain(`href="/funds/${busyFund.code}?page=2&amp;lang=en#ledger"`);
    expect(first).toContain('2026-01-28'); // newest first
    const second = html(
      (await request(t.server).get(`/funds/${busyFund.code}?page=2&lang=en`).expect(200)).text,
    );
    expect(second).toContain('Page 2 of 2');
    expect(second.match(/<td data-label="Date">/g)).toHaveLength(3);
    expect(second).toContain('2026-01-01');
    expect(second).not.toContain('2026-01-28');

    const past = await request(t.server).get(`/funds/${busyFund.code}?page=3&lang=en`).expect(400);
    expect(past.text).toContain('There is no page 3: this ledger has 2 page(s).');
    const pastZh = await request(t.server)
      .get(`/funds/${busyFund.code}?page=3&lang=zh-CN`)
      .expect(400);
    expect(pastZh.text).toContain('没有第 3 页：本账目共 2 页。');
    for (const bad of ['0', '-1', 'abc', '1.5', '9999999'])
      await request(t.server).get(`/funds/${busyFund.code}?page=${bad}`).expect(400);
    await request(t.server).get(`/funds/${busyFund.code}?page=1&page=2`).expect(400);
  });

  it('names at most 20 donors a day and counts the rest', async () => {
    const busy = await createCampaign(t);
    const busyFund = await t.get(FundsService).get(busy.fundId);
    for (let i = 1; i <= NAMES_PER_DAY + 3; i++) {
      await giftAt(busy, busyFund, new Date(Date.UTC(2026, 4, 1, 1, 0, i)), {
        amountMinor: 100,
        name: `Donor${String(i).padStart(2, '0')}`,
        email: `donor${i}@example.org`,
      });
    }
    const page = (await request(t.server).get(`/funds/${busyFund.code}?lang=en`).expect(200)).text;
    expect(page).toContain(`Gifts (${NAMES_PER_DAY + 3})`);
    expect(page).toContain(`Donor01, Donor02,`);
    expect(page).toContain(`Donor${NAMES_PER_DAY} and 3 more`);
    expect(page).not.toContain(`Donor${NAMES_PER_DAY + 1}`);
  });

  it('answers hostile query strings with a 4xx, never a 500, and never echoes script', async () => {
    const probes: [string, number][] = [
      ['/funds?q=%ED%A0%80', 400],
      ['/funds?q[]=a', 200], // "q[]" is not "q": ignored
      ['/funds?q=a&q=b', 400],
      ['/funds?kind=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 400],
      [`/funds/${fund.code}?page=%00`, 400],
      [`/funds/${fund.code}?page=1e3`, 400],
      [`/funds/${fund.code}?page=%ED%A0%80`, 400],
      ['/funds/%3Cscript%3Ealert(1)%3C%2Fscript%3E/ledger.csv', 404],
      [`/funds/${'A'.repeat(300)}`, 414], // the input guard's limit on a path segment
    ];
    for (const [path, status] of probes) {
      const res = await request(t.server).get(path);
      expect([path, res.status]).toEqual([path, status]);
      expect(res.text).not.toContain('<script>alert(1)');
    }
    // A search for markup is text: shown escaped, matching nothing.
    const search = await request(t.server).get('/funds?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(search.status).toBe(200);
    expect(search.text).not.toContain('<script>alert(1)');
    expect(search.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it("answers an unknown fund code with the 404 page in the visitor's language", async () => {
    const en = await request(t.server).get('/funds/NO-SUCH-FUND?lang=en').expect(404);
    expect(en.headers['content-type']).toContain('text/html');
    expect(en.text).toContain('There is no fund with the code “NO-SUCH-FUND”.');
    expect(en.text).toContain('lang="en"');
    const zh = await request(t.server)
      .get('/funds/NO-SUCH-FUND')
      .set('accept-language', 'zh-CN,zh;q=0.9')
      .expect(404);
    expect(zh.text).toContain('没有代码为“NO-SUCH-FUND”的基金');
    expect(zh.text).toContain('lang="zh-CN"');
    await request(t.server).get('/funds/NO-SUCH-FUND/ledger.csv?lang=en').expect(404);
    const hostile = await request(t.server)
      .get(`/funds/${encodeURIComponent('<script>x')}`)
      .expect(404);
    expect(hostile.text).not.toContain('<script>x');
  });
});

describe('grants and expenses on the public ledger', () => {
  it('itemises design awards and tranches with the project (linked once approved) and expenses with purpose and payee', async () => {
    const staff = await createUser(t, ['ADMIN']);
    const approver = await createUser(t, ['ADMIN']);
    const fund = await createFund(t, { kind: 'COMMUNITY' });
    await fundFromOutside(t, fund, 10_000_000);
    const round = await insightsRound(t, fund, { year: 2026, createdBy: staff.id });
    const application = await insightsApplication(t, round, {
      communityId: fund.communityId!,
      applicantId: staff.id,
      title: 'Rain garden <em>now</em>',
      status: 'AWARDED',
    });
    const award = await insightsAward(t, round, application, {
      proposedBy: staff.id,
      approvedBy: approver.id,
      designMinor: 50_000,
      constructionMinor: 200_000,
    });
    await insightsTranche(t, award, {
      seq: 1,
      amountMinor: 80_000,
      status: 'PAID',
      requestedBy: staff.id,
      decidedBy: approver.id,
    });
    await insightsExpense(t, fund, {
      requestedBy: staff.id,
      decidedBy: approver.id,
      amountMinor: 12_345,
      purpose: 'Seeds for the garden',
      payee: 'Green Shop',
      status: 'PAID',
    });

    const page = html(
      (await request(t.server).get(`/funds/${fund.code}?lang=en`).expect(200)).text,
    );
    const link = `<a href="/projects/${award.id}?lang=en">`;
    expect(page).toContain(`${link}Design award: Rain garden &lt;em&gt;now&lt;/em&gt;</a>`);
    expect(page).toContain(
      `${link}Construction tranche 1: Rain garden &lt;em&gt;now&lt;/em&gt;</a>`,
    );
    expect(page).toContain('Expense: Seeds for the garden (paid to Green Shop)');
    expect(page).not.toContain('<em>now</em>');
    // Paid out: design award + tranche + expense.
    expect(page).toMatch(/data-figure="paid-out">¥1,423\.45</);
  });
});
