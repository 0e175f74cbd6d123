import { randomUUID } from 'node:crypto';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import {
  createFoundation,
  createFund,
  fundFromOutside,
  generalFund,
} from '../factories/foundation.factory';
import { confirmationForm, isConfirmationPage, pressConfirm } from '../utils/confirm-step';
import { formSession } from '../utils/form-session';
import { mailText, startSmtpServer, type TestSmtpServer } from '../utils/mail-testing';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * The confirmation step before the back office's risky actions (refund, publish, close a fund,
 * a transfer, the yearly allocation): the form's POST shows the amount and the effect and changes
 * nothing; a POST whose fields differ from those shown is shown the page again; only Confirm acts.
 * With a real SMTP server: the refund email to the donor and the publication email to the leader.
 */
let smtp: TestSmtpServer;
let t: TestApp;
let finance: ReturnType<typeof formSession>;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
  t = await startConfiguredApp({
    redisUrl: undefined,
    smtpUrl: smtp.url,
    queue: { pollMs: 100, backoffMs: 50, processors: true },
  });
  await t.app.getHttpAdapter().getInstance().ready();
  await createFoundation(t);
  const user = await createUser(t, ['ADMIN', 'FINANCE']);
  finance = formSession(t.server);
  const signedIn = await finance.signIn(user.email, TEST_PASSWORD);
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
  await dropFileDatabase();
});

const balance = async (id: string) => (await t.get(FundsService).get(id)).balanceMinor;
const fundStatus = async (id: string) => (await t.get(FundsService).get(id)).status;
const campaignStatus = async (id: string) =>
  (
    await t.dataSource.query<{ status: string }[]>(`SELECT status FROM campaigns WHERE id = $1`, [
      id,
    ])
  )[0]!.status;
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('a refund', () => {
  it('asks first, keeps the reason, and tells the donor by email in their language', async () => {
    const campaign = await createCampaign(t, { titleZh: '长者助餐' });
    const email = `donor-${randomUUID().slice(0, 8)}@example.org`;
    const recorded = await finance.post('/admin/donations/offline', {
      campaignSlug: campaign.slug,
      amount: '100.00',
      donorName: '李明',
      donorEmail: email,
      method: 'BANK',
      reference: `REF-${randomUUID().slice(0, 8)}`,
    });
    expect(recorded.status).toBe(303);
    const giftPath = recorded.headers.location as string;
    const refunded = async () =>
      (
        await t.dataSource.query<{ n: number }[]>(
          `SELECT refunded_minor::int AS n FROM donations WHERE id = $1`,
          [giftPath.split('/').pop()],
        )
      )[0]!.n;
    const fundBefore = await balance(campaign.fundId);

    // A reason is required, beside its field.
    const noReason = await finance.post(`${giftPath}/refund`, {
      amount: '30.00',
      refundedBefore: '0',
      reason: ' ',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toMatch(/id="e-r-reason">请填写退款原因/);

    // The plain POST: the confirmation page, in words, and nothing refunded.
    const form = { amount: '30.00', refundedBefore: '0', reason: '捐赠人重复转账 <第二笔>' };
    const asked = await finance.post(`${giftPath}/refund`, form);
    expect(isConfirmationPage(asked)).toBe(true);
    const page = text(asked.text);
    expect(page).toContain('确认退款');
    expect(page).toContain('退款金额 ¥30.00');
    expect(page).toContain('李明 将拿回 ¥30.00');
    expect(page).toContain(`的余额从 ${fmt(fundBefore)} 变为 ${fmt(fundBefore - 3_000)}`);
    expect(asked.text).toContain('捐赠人重复转账 &lt;第二笔&gt;');
    expect(page).toContain(`捐赠人将收到退款通知邮件（${email}）`);
    expect(await refunded()).toBe(0);

    // The confirmation belongs to the fields it was shown with: another amount is asked again.
    const { action, fields } = confirmationForm(asked);
    const changed = await finance.agent
      .post(action)
      .type('form')
      .send({ ...fields, amount: '80.00' });
    expect(isConfirmationPage(changed)).toBe(true);
    expect(text(changed.text)).toContain('退款金额 ¥80.00');
    const forged = await finance.post(`${giftPath}/refund`, { ...form, _confirm: 'x'.repeat(43) });
    expect(isConfirmationPage(forged)).toBe(true);
    expect(await refunded()).toBe(0);

    // Confirm refunds; the reason is on the gift's page; the donor is told.
    const done = await pressConfirm(finance.agent, asked);
    expect(done.status).toBe(303);
    expect(await refunded()).toBe(3_000);
    expect(await balance(campaign.fundId)).toBe(fundBefore - 3_000);
    const gift = await finance.agent.get(giftPath).expect(200);
    expect(gift.text).toMatch(/<dl class="facts labelled" id="gift-facts">/);
    expect(gift.text).toMatch(
      /id="gift-refunds">[\s\S]*退款 ¥30\.00，原因：捐赠人重复转账 &lt;第二笔&gt;/,
    );
    const [audit] = await t.dataSource.query(
      `SELECT after FROM audit_log WHERE action = 'donation.refunded' AND entity_id = $1`,
      [giftPath.split('/').pop()],
    );
    expect(audit.after).toMatchObject({ amountMinor: 3_000, reason: '捐赠人重复转账 <第二笔>' });

    const mail = await waitUntil(
      () => smtp.to(email).find((m) => m.subject.includes('退款')),
      'the refund email',
    );
    expect(mail.subject).toBe('您对「长者助餐」的捐赠已退款 ¥30.00');
    const body = mailText(mail);
    expect(body).toMatch(
      /（¥100\.00）已于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（北京时间）退款 ¥30\.00/,
    );
    expect(body).not.toContain('第二笔'); // the reason is FINANCE's note, not the donor's email
    expect(body).not.toMatch(/minor|\s3000\b/);
  });
});

describe('publishing a campaign', () => {
  it('lists drafts as waiting for review, asks first, then emails the leader', async () => {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    const leader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [fund.id] });
    const draft = await createCampaign(t, {
      fundId: fund.id,
      status: 'DRAFT',
      titleZh: '社区花园长椅',
      goalMinor: 2_000_000,
    });
    const dashboard = await finance.agent.get('/admin').expect(200);
    expect(dashboard.text).toMatch(
      new RegExp(
        `id="waiting-for-review"[\\s\\S]*data-campaign-id="${draft.id}"[\\s\\S]*社区花园长椅`,
      ),
    );
    expect(text(dashboard.text)).toContain('目标 ¥20,000.00');

    const path = `/admin/campaigns/${draft.id}/publish`;
    const asked = await finance.post(path, {});
    expect(isConfirmationPage(asked)).toBe(true);
    const page = text(asked.text);
    expect(page).toContain('确认发布募捐项目');
    expect(page).toContain('募捐目标 ¥20,000.00');
    expect(page).toContain(`项目页面 /campaigns/${draft.slug} 对所有人公开`);
    expect(page).toContain('会收到项目已发布的邮件');
    expect(await campaignStatus(draft.id)).toBe('DRAFT');
    const forged = await finance.post(path, { _confirm: 'x'.repeat(43) });
    expect(isConfirmationPage(forged)).toBe(true);
    expect(await campaignStatus(draft.id)).toBe('DRAFT');

    expect((await pressConfirm(finance.agent, asked)).status).toBe(303);
    expect(await campaignStatus(draft.id)).toBe('LIVE');
    const after = await finance.agent.get('/admin').expect(200);
    expect(after.text).not.toContain(`data-campaign-id="${draft.id}"`);

    // A campaign that cannot go live (its fund is still being prepared) is refused before asking.
    const preparing = await createFund(t, { kind: 'PROGRAM', status: 'PREPARING' });
    const early = await createCampaign(t, { fundId: preparing.id, status: 'DRAFT' });
    const refused = await finance.post(`/admin/campaigns/${early.id}/publish`, {});
    expect(refused.status).toBe(303);
    const earlyPage = await finance.agent.get(`/admin/campaigns/${early.id}`).expect(200);
    expect(earlyPage.text).toMatch(/class="flash flash-error"/);
    expect(await campaignStatus(early.id)).toBe('DRAFT');

    const mail = await waitUntil(() => smtp.to(leader.email)[0], 'the publication email');
    expect(mail.subject).toBe('募捐项目「社区花园长椅」已发布');
    const body = mailText(mail);
    expect(body).toMatch(/已于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（北京时间）审核通过并发布/);
    expect(body).toContain(`/campaigns/${draft.slug}?lang=zh-CN`);
  });
});

describe('closing a fund', () => {
  it('asks first, and refuses a fund that holds money before asking', async () => {
    const empty = await createFund(t, { kind: 'PROGRAM' });
    const asked = await finance.post(`/admin/funds/${empty.id}/close`, {
      next: `/admin/funds/${empty.id}`,
    });
    expect(isConfirmationPage(asked)).toBe(true);
    expect(text(asked.text)).toContain('当前余额 ¥0.00');
    expect(asked.text).toContain(`id="confirm-back"`);
    expect(asked.text).toContain(`href="/admin/funds/${empty.id}"`);
    expect(await fundStatus(empty.id)).toBe('ACTIVE');
    const done = await pressConfirm(finance.agent, asked);
    expect(done.headers.location).toBe(`/admin/funds/${empty.id}`);
    expect(await fundStatus(empty.id)).toBe('CLOSED');

    const full = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, full, 5_000);
    const refused = await finance.post(`/admin/funds/${full.id}/close`, {
      next: `/admin/funds/${full.id}`,
    });
    expect(refused.status).toBe(303);
    const fundPage = await finance.agent.get(`/admin/funds/${full.id}`).expect(200);
    expect(fundPage.text).toMatch(/flash-error/);
    expect(await fundStatus(full.id)).toBe('ACTIVE');
  });
});

describe('allocations', () => {
  it('asks before the yearly allocation, stating each fund’s amount and the source’s balance', async () => {
    const general = await generalFund(t);
    await fundFromOutside(t, general, 100_000);
    const a = await createFund(t, { kind: 'COMMUNITY' });
    const b = await createFund(t, { kind: 'COMMUNITY' });
    const before = await balance(general.id);
    const form = { year: '2031', amount: '100.00' };
    const asked = await finance.post('/admin/allocations/yearly', form);
    expect(isConfirmationPage(asked)).toBe(true);
    const page = text(asked.text);
    expect(page).toContain('确认 2031 年度社区基金拨付');
    expect(page).toContain('2 个社区基金各收到 ¥100.00，合计 ¥200.00');
    expect(page).toContain(`余额从 ${fmt(before)} 变为 ${fmt(before - 20_000)}`);
    expect([await balance(general.id), await balance(a.id), await balance(b.id)]).toEqual([
      before,
      0,
      0,
    ]);
    expect((await pressConfirm(finance.agent, asked)).status).toBe(303);
    expect([await balance(general.id), await balance(a.id), await balance(b.id)]).toEqual([
      before - 20_000,
      10_000,
      10_000,
    ]);
  });

  it('asks before a transfer, and a transfer changed after the page was shown is asked again', async () => {
    const general = await generalFund(t);
    const to = await createFund(t, { kind: 'PROGRAM' });
    const before = [await balance(general.id), await balance(to.id)];
    const form = {
      fromFundId: general.id,
      toFundId: to.id,
      amount: '12.34',
      description: '试点',
      requestKey: `confirm-${randomUUID()}`,
    };
    const asked = await finance.post('/admin/allocations', form);
    expect(isConfirmationPage(asked)).toBe(true);
    const page = text(asked.text);
    expect(page).toContain('金额 ¥12.34');
    expect(page).toContain(`余额从 ${fmt(before[0]!)} 变为 ${fmt(before[0]! - 1_234)}`);
    expect(page).toContain(`余额从 ¥0.00 变为 ¥12.34`);
    expect([await balance(general.id), await balance(to.id)]).toEqual(before);

    const { action, fields } = confirmationForm(asked);
    const changed = await finance.agent
      .post(action)
      .type('form')
      .send({ ...fields, amount: '99.00' });
    expect(isConfirmationPage(changed)).toBe(true);
    expect([await balance(general.id), await balance(to.id)]).toEqual(before);

    expect((await pressConfirm(finance.agent, asked)).status).toBe(303);
    expect([await balance(general.id), await balance(to.id)]).toEqual([before[0]! - 1_234, 1_234]);
  });
});

function fmt(minor: number): string {
  return `¥${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
}
