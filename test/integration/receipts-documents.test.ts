import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TransactionService } from '../../src/database/transaction.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import type { FundView } from '../../src/modules/funds/funds.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { amountInChineseCapitals } from '../../src/modules/receipts/chinese-capitals';
import { ReceiptsRepository } from '../../src/modules/receipts/receipts.repository';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import type { Receipt, StatementGift } from '../../src/modules/receipts/receipts.types';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import {
  createCommunity,
  createFoundation,
  createFund,
  fundFromOutside,
} from '../factories/foundation.factory';
import {
  insightsApplication,
  insightsAward,
  insightsEvaluation,
  insightsRound,
} from '../factories/grants-insights.factory';
import { formSession } from '../utils/form-session';
import { solidImage } from '../utils/images';
import { pdfText } from '../utils/pdf-text';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';

type User = Awaited<ReturnType<typeof createUser>>;

/** Reads a PDF response body as a Buffer (supertest buffers only text by default). */
function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/**
 * A receipt as a document: the PDF (text extracted as a reader would), its web page for the donor
 * and for staff, the void mark, an annual statement over several pages, and where the gift went.
 */
describe('receipt documents', () => {
  let t: TestApp;
  let finance: User;
  let officer: User;
  let planner: User;
  let community: { id: string };
  let fund: FundView;
  let campaignSlug: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t, { receiptPrefix: 'LX' });
    finance = await createUser(t, ['FINANCE']);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    community = await createCommunity(t);
    planner = await createUser(t, ['PLANNER'], { communityIds: [community.id] });
    fund = await createFund(t, { kind: 'PROGRAM' });
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 10_000_000);
    const campaign = await createCampaign(t, { fundId: fund.id });
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    campaignSlug = campaign.slug;
  });
  afterAll(() => t.close());

  async function paidGift(amountMinor: number, donorName: string) {
    const email = `d-${randomUUID().slice(0, 8)}@example.org`;
    const gift = await t
      .get(DonationsService)
      .start(campaignSlug, { amountMinor, donorName, donorEmail: email }, {});
    await deliver(
      t.server,
      stripeEvent(
        `evt_doc_${gift.id}`,
        'checkout.session.completed',
        paidSession(gift.id, amountMinor),
      ),
    ).expect(200);
    const receipt = await waitUntil(
      async () =>
        (await t.get(ReceiptsService).listForDonation(gift.id)).find((r) => r.voidedAt === null),
      'a live receipt',
    );
    return { gift, email, receipt };
  }

  async function donorSession(address: string) {
    const browser = formSession(t.server);
    await browser.post('/donor/login', { email: address });
    const [{ url }] = await t.dataSource.query(
      `SELECT payload->'data'->>'url' AS url FROM outbox WHERE payload->>'template' = 'donor-magic-link'
       AND payload->>'to' = $1 ORDER BY created_at DESC LIMIT 1`,
      [address],
    );
    const token = new URL(url as string).searchParams.get('token')!;
    expect((await browser.post('/donor/verify', { token })).status).toBe(303);
    return browser;
  }

  async function staffSession(user: User) {
    const browser = formSession(t.server);
    expect((await browser.signIn(user.email, TEST_PASSWORD)).status).toBe(303);
    return browser;
  }

  const pdfOf = async (agent: request.Agent, path: string) => {
    const res = await agent.get(path).buffer(true).parse(binary).expect(200);
    return { res, text: await pdfText(res.body as Buffer) };
  };

  it('gives the donor the receipt as a page and a PDF stating the facts, and nobody else', async () => {
    const { email, receipt } = await paidGift(123_450, '张三丰');
    const donor = await donorSession(email);

    const page = await donor.agent.get(`/donor/receipts/${receipt.id}?lang=zh-CN`).expect(200);
    expect(page.headers['cache-control']).toContain('no-store');
    expect(page.text).toContain(receipt.number);
    expect(page.text).toContain('张三丰');
    expect(page.text).toContain('¥1,234.50');
    expect(page.text).toContain('壹仟贰佰叁拾肆元伍角整');
    expect(page.text).toContain(receipt.verifyCode);
    expect(page.text).toContain(`href="/donor/receipts/${receipt.id}/pdf"`);
    expect(page.text).toContain('src="data:image/svg+xml;base64,');
    // Gift to outcome: the fund's public page and the match (1:1 from the pool) the gift earned.
    // (Handlebars writes = in attributes as &#x3D;.)
    expect(page.text).toContain(`id="fund-link" href="/funds/${fund.code}?lang&#x3D;zh-CN"`);
    expect(page.text).toMatch(/id="gift-match">[^<]*¥1,234\.50/);

    const { res, text } = await pdfOf(donor.agent, `/donor/receipts/${receipt.id}/pdf`);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(
      `attachment; filename="${receipt.number}.pdf"`,
    );
    expect(text).toContain('张三丰');
    expect(text).toContain(receipt.number);
    expect(text).toContain('壹仟贰佰叁拾肆元伍角整');
    expect(text).toContain('¥1,234.50');
    expect(text).toContain(receipt.verifyCode);
    expect(text).toContain(fund.nameZh);
    // The match is stated, and stated as not the donor's.
    expect(text).toContain('不属于捐赠人的捐赠');
    expect(text).toContain("the match is not part of the donor's gift");
    expect(text).toContain('盖章 / Seal');

    // Another donor, and nobody signed in, cannot read it.
    const stranger = await donorSession(`other-${randomUUID().slice(0, 6)}@example.org`);
    await stranger.agent.get(`/donor/receipts/${receipt.id}`).expect(404);
    await stranger.agent.get(`/donor/receipts/${receipt.id}/pdf`).expect(404);
    const anonymous = await request(t.server).get(`/donor/receipts/${receipt.id}`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toContain('/donor/login');
    await donor.agent.get(`/donor/receipts/${randomUUID()}`).expect(404);
    await donor.agent.get('/donor/receipts/not-a-uuid').expect(400);

    // Staff (FINANCE) see the same page and PDF; other staff roles do not.
    const staff = await staffSession(finance);
    const staffPage = await staff.agent.get(`/admin/receipts/${receipt.id}?lang=en`).expect(200);
    expect(staffPage.text).toContain(receipt.number);
    expect(staffPage.text).toContain('Donation receipt');
    expect(staffPage.text).toContain(`/admin/donations/${receipt.donationId}`);
    expect((await pdfOf(staff.agent, `/admin/receipts/${receipt.id}/pdf`)).text).toContain(
      '张三丰',
    );
    const officerSession = await staffSession(officer);
    await officerSession.agent.get(`/admin/receipts/${receipt.id}`).expect(403);
  });

  it('escapes a hostile donor name on the page', async () => {
    const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const { email, receipt } = await paidGift(5_000, hostile);
    const donor = await donorSession(email);
    const page = await donor.agent.get(`/donor/receipts/${receipt.id}`).expect(200);
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // The PDF prints it as text.
    expect((await pdfOf(donor.agent, `/donor/receipts/${receipt.id}/pdf`)).text).toContain(
      '<script>alert("x")</script>',
    );
  });

  it('marks a void receipt 作废 / VOID with its reason, on the PDF and the page', async () => {
    const { email, receipt } = await paidGift(8_800, '李四');
    await t.get(ReceiptsService).voidByStaff(receipt.id, '重复开具 issued twice', finance.id);
    const donor = await donorSession(email);
    const { text } = await pdfOf(donor.agent, `/donor/receipts/${receipt.id}/pdf`);
    expect(text).toContain('作废');
    expect(text).toContain('VOID');
    expect(text).toContain('票据开具有误，已由基金会作废');
    expect(text).toContain('it was issued in error and voided by the foundation');
    expect(text).toContain('重复开具 issued twice');
    const page = await donor.agent.get(`/donor/receipts/${receipt.id}?lang=en`).expect(200);
    expect(page.text).toContain('id="receipt-void"');
    expect(page.text).toContain('This receipt is void');
    expect(page.text).toContain('it was issued in error and voided by the foundation');

    // A live receipt carries no mark.
    const live = await paidGift(8_800, '王五');
    const liveText = (
      await pdfOf((await donorSession(live.email)).agent, `/donor/receipts/${live.receipt.id}/pdf`)
    ).text;
    expect(liveText).not.toContain('作废');
    expect(liveText).not.toContain('VOID');
  });

  it('prints a correction after a partial refund naming the receipt it replaces', async () => {
    const { gift, email, receipt: first } = await paidGift(10_000, '周九');
    await deliver(
      t.server,
      stripeEvent(`evt_doc_rf_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 2_500)),
    ).expect(200);
    const correction = await waitUntil(async () => {
      const live = (await t.get(ReceiptsService).listForDonation(gift.id)).find(
        (r) => r.voidedAt === null,
      );
      return live && live.id !== first.id ? live : undefined;
    }, 'the correction');
    const donor = await donorSession(email);
    const { text } = await pdfOf(donor.agent, `/donor/receipts/${correction.id}/pdf`);
    expect(text).toContain('更正票据');
    expect(text).toContain('Corrected receipt');
    expect(text).toContain(`本票据更正并取代票据 ${first.number}`);
    expect(text).toContain(`This receipt corrects and replaces receipt ${first.number}`);
    expect(text).toContain('原捐赠 ¥100.00，已退款 ¥25.00。');
    expect(text).toContain('柒拾伍元整');
    // The receipt it replaces is void for the partial refund, with the reason in both languages.
    const old = (await pdfOf(donor.agent, `/donor/receipts/${first.id}/pdf`)).text;
    expect(old).toContain('作废');
    expect(old).toContain('捐赠已部分退款，已开具更正票据');
  });

  it('prints an annual statement: every gift in a table over several pages, the total in figures and capitals', async () => {
    const email = `annual-${randomUUID().slice(0, 6)}@example.org`;
    const gifts: StatementGift[] = Array.from({ length: 90 }, (_, i) => ({
      donationId: randomUUID(),
      receivedAt: new Date(Date.UTC(2025, 0, 1 + i * 4, 4)).toISOString(),
      amountMinor: 10_000 + i * 137,
      fundNameZh: fund.nameZh,
      fundNameEn: fund.nameEn,
      campaignTitleZh: '长者助餐',
      campaignTitleEn: 'Elder meals',
      reference: `pi_annual_${String(i).padStart(3, '0')}`,
      receiptNumber: i % 2 ? `LX-2025-${String(i).padStart(6, '0')}` : null,
    }));
    const total = gifts.reduce((s, g) => s + g.amountMinor, 0);
    const receipts = t.get(ReceiptsService);
    const statement: Receipt = await t.get(TransactionService).run(async (m) =>
      receipts.insertNumbered(m, {
        series: 'ANNUAL',
        year: 2025,
        kind: 'ANNUAL',
        issueKey: `annual:2025:${email}`,
        donationId: null,
        replacesId: null,
        donorEmail: email,
        amountMinor: total,
        currency: 'CNY',
        locale: 'zh-CN',
        content: {
          version: 1,
          ...(await receipts.issuerContent(m)),
          donor: { name: '赵六', address: null, taxId: null },
          statement: { year: 2025, gifts },
        },
      }),
    );
    expect(statement.number).toMatch(/^LX-2025-Y\d{6}$/);

    const donor = await donorSession(email);
    const { text } = await pdfOf(donor.agent, `/donor/receipts/${statement.id}/pdf`);
    const pages = text.match(/Page \d+ of (\d+)/);
    expect(Number(pages?.[1])).toBeGreaterThan(1);
    expect(text).toContain('年度捐赠汇总');
    expect(text).toContain('赵六');
    expect(text).toContain('共 90 笔捐赠');
    for (const g of [gifts[0]!, gifts[45]!, gifts[89]!]) expect(text).toContain(g.reference);
    expect(text).toContain('2025-01-01');
    expect(text).toContain('LX-2025-000089');
    const figures = `¥${(total / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
    expect(text).toContain(figures);
    expect(text).toContain(amountInChineseCapitals(total));
    // No gift date or fund outcome for a statement; the page shows the same table and total.
    const page = await donor.agent.get(`/donor/receipts/${statement.id}`).expect(200);
    expect(page.text).toMatch(
      new RegExp(`id="statement-total">${figures.replace(/[$.]/g, '\\$&')}<`),
    );
    expect((page.text.match(/<tr><td data-label="[^"]*">2025-/g) ?? []).length).toBe(90);
    expect(page.text).not.toContain('id="gift-outcome"');
  });

  it("shows the projects the gift's fund has paid for, with their residents' evaluations", async () => {
    await fundFromOutside(t, fund, 1_000_000);
    const year = new Date().getUTCFullYear();
    const round = await insightsRound(t, fund, { year, createdBy: officer.id });
    const app = await insightsApplication(t, round, {
      communityId: community.id,
      applicantId: planner.id,
      title: '楼道照明改造',
      status: 'AWARDED',
    });
    const award = await insightsAward(t, round, app, {
      proposedBy: officer.id,
      approvedBy: finance.id,
      designMinor: 20_000,
      projectStatus: 'EVALUATED',
    });
    await insightsEvaluation(t, award, {
      seq: 1,
      status: 'PASSED',
      openedBy: officer.id,
      responses: [
        { satisfied: true, score: 5 },
        { satisfied: true, score: 4 },
        { satisfied: false, score: 2 },
      ],
    });
    // An approved award nothing has been paid for yet is not "paid for".
    const unpaidApp = await insightsApplication(t, round, {
      communityId: community.id,
      applicantId: planner.id,
      title: '尚未拨款的项目',
      status: 'AWARDED',
    });
    await insightsAward(t, round, unpaidApp, {
      proposedBy: officer.id,
      approvedBy: finance.id,
      payDesign: false,
    });

    const { email, receipt } = await paidGift(10_000, '钱七');
    const donor = await donorSession(email);
    const zh = await donor.agent.get(`/donor/receipts/${receipt.id}`).expect(200);
    expect(zh.text).toContain(`href="/projects/${award.id}?lang&#x3D;zh-CN"`);
    expect(zh.text).toContain('楼道照明改造');
    expect(zh.text).toContain('已拨付 ¥200.00');
    expect(zh.text).toContain('第 1 次居民评议：满意度 67%（2/3），通过');
    expect(zh.text).not.toContain('尚未拨款的项目');
    const en = await donor.agent.get(`/donor/receipts/${receipt.id}?lang=en`).expect(200);
    expect(en.text).toContain('Residents&#x27; evaluation 1: 67% satisfied (2 of 3), passed');
  });

  it("prints the foundation's seal in the seal box when it has one (and an empty box otherwise)", async () => {
    const { email, receipt } = await paidGift(6_600, '孙八');
    const donor = await donorSession(email);
    const images = (pdf: Buffer) =>
      (pdf.toString('latin1').match(/\/Subtype \/Image/g) ?? []).length;
    const without = await donor.agent
      .get(`/donor/receipts/${receipt.id}/pdf`)
      .buffer(true)
      .parse(binary);
    const qrOnly = images(without.body as Buffer); // the QR code (with its alpha mask)
    expect(qrOnly).toBeGreaterThan(0);

    const repo = t.get(ReceiptsRepository);
    const settings = await repo.settings();
    const seal = await solidImage('png', { width: 120, height: 120 });
    await t
      .get(TransactionService)
      .run((m) => repo.saveSettings(m, { ...settings, sealPng: seal }));
    try {
      const withSeal = await donor.agent
        .get(`/donor/receipts/${receipt.id}/pdf`)
        .buffer(true)
        .parse(binary);
      expect(images(withSeal.body as Buffer)).toBe(qrOnly + 1);
      const text = await pdfText(withSeal.body as Buffer);
      expect(text).not.toContain('盖章 / Seal');
      const page = await donor.agent.get(`/donor/receipts/${receipt.id}`).expect(200);
      expect(page.text).toMatch(/class="receipt-seal"><img src="data:image\/png;base64,/);
    } finally {
      await t
        .get(TransactionService)
        .run((m) => repo.saveSettings(m, { ...settings, sealPng: null }));
    }
  });
});
