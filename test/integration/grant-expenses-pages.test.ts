import request from 'supertest';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

/** The expense pages: a leader's request form with the invoice, FINANCE's queue and pay button. */
describe('expense pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  async function signedIn(roles: Parameters<typeof createUser>[1], scope = {}) {
    const user = await createUser(t, roles, scope);
    const browser = formSession(t.server);
    await browser.signIn(user.email, TEST_PASSWORD);
    return { user, browser, csrf: await browser.csrf() };
  }

  it('a leader requests with an invoice, FINANCE pays from the queue, the detail shows it', async () => {
    const fund = await createFund(t, { kind: 'COMMUNITY' });
    await fundFromOutside(t, fund, 50_000);
    const leader = await signedIn(['COMMUNITY_LEADER'], { fundIds: [fund.id] });
    const finance = await signedIn(['FINANCE']);

    const list = await leader.browser.agent.get('/admin/expenses?lang=en').expect(200);
    expect(list.text).toContain(`href="/admin/funds/${fund.id}/expenses/new"`);
    expect(list.text).toContain('href="/admin/expenses" aria-current="page"');
    const form = await leader.browser.agent.get(`/admin/funds/${fund.id}/expenses/new?lang=en`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('enctype="multipart/form-data"');
    const requestKey = /name="requestKey" value="([^"]+)"/.exec(form.text)![1]!;

    // Without the invoice: shown again with the message, nothing recorded.
    const missing = await leader.browser.agent
      .post(`/admin/funds/${fund.id}/expenses?lang=en`)
      .field('_csrf', leader.csrf)
      .field('payee', 'Happy Mart')
      .field('purpose', 'Tea for the elderly-care day')
      .field('amount', '120.50')
      .field('requestKey', requestKey);
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Attach the invoice');
    // Without the CSRF token: refused.
    const forged = await leader.browser.agent
      .post(`/admin/funds/${fund.id}/expenses`)
      .field('payee', 'X')
      .attach('invoice', PDF, { filename: 'x.pdf', contentType: 'application/pdf' });
    expect(forged.status).toBe(403);

    // An invoice that is not a PDF or image: shown again beside the field, no expense left behind.
    const exe = await leader.browser.agent
      .post(`/admin/funds/${fund.id}/expenses?lang=en`)
      .field('_csrf', leader.csrf)
      .field('payee', 'Happy Mart')
      .field('purpose', 'Tea for the elderly-care day')
      .field('amount', '120.50')
      .field('requestKey', requestKey)
      .attach('invoice', Buffer.from('MZ\x90\x00 not a pdf'), {
        filename: 'invoice.pdf',
        contentType: 'application/pdf',
      });
    expect(exe.status).toBe(415);
    expect(exe.text).toContain('is not a PDF, JPEG, PNG or WebP');
    const none = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM fund_expenses WHERE fund_id = $1`,
      [fund.id],
    );
    expect(none[0].n).toBe(0);

    const sent = await leader.browser.agent
      .post(`/admin/funds/${fund.id}/expenses?lang=en`)
      .field('_csrf', leader.csrf)
      .field('payee', 'Happy Mart')
      .field('purpose', 'Tea for the elderly-care day')
      .field('amount', '120.50')
      .field('requestKey', requestKey)
      .attach('invoice', PDF, { filename: '../invoice 7.pdf', contentType: 'application/pdf' });
    expect(sent.status).toBe(303);
    const detailUrl = sent.headers.location as string;
    expect(detailUrl).toMatch(/^\/admin\/expenses\/[0-9a-f-]{36}$/);
    const id = detailUrl.split('/').pop()!;
    const [row] = await t.dataSource.query(
      `SELECT e.amount_minor::int AS amount, e.status, a.file_name AS "fileName"
       FROM fund_expenses e JOIN grant_attachments a ON a.owner_id = e.id WHERE e.id = $1`,
      [id],
    );
    expect(row).toEqual({ amount: 12_050, status: 'REQUESTED', fileName: 'invoice 7.pdf' });

    const queue = await finance.browser.agent.get('/admin/expenses?status=REQUESTED&lang=en');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(`action="/admin/expenses/${id}/pay"`);
    expect(queue.text).toContain('Happy Mart');
    // The leader (the requester) sees no pay button.
    const mine = await leader.browser.agent.get(`${detailUrl}?lang=en`).expect(200);
    expect(mine.text).not.toContain(`/admin/expenses/${id}/pay`);
    expect(mine.text).toContain(`/admin/expenses/${id}/withdraw`);
    expect(mine.text).toContain('invoice 7.pdf');

    const unconfirmed = await finance.browser.post(`/admin/expenses/${id}/pay?lang=en`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('Tick the box to confirm first.');
    const paid = await finance.browser.post(`/admin/expenses/${id}/pay?lang=en`, {
      confirm: 'yes',
      back: 'detail',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe(detailUrl);
    expect((await t.get(FundsService).get(fund.id)).balanceMinor).toBe(50_000 - 12_050);
    const done = await finance.browser.agent.get(`${detailUrl}?lang=en`).expect(200);
    expect(done.text).toContain('data-status="PAID"');
    // The invoice downloads with the session.
    const link = /href="(\/admin\/grants\/attachments\/[0-9a-f-]{36})"/.exec(done.text)![1]!;
    const file = await finance.browser.agent.get(link).expect(200);
    expect(file.headers['content-disposition']).toContain('invoice 7.pdf');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    // A leader of another fund cannot fetch it.
    const elsewhere = await createFund(t, { kind: 'COMMUNITY' });
    const stranger = await signedIn(['COMMUNITY_LEADER'], { fundIds: [elsewhere.id] });
    await stranger.browser.agent.get(link).expect(404);

    // Chinese by default.
    const zh = await finance.browser.agent.get('/admin/expenses?lang=zh-CN').expect(200);
    expect(zh.text).toContain('已支付');
    expect(zh.text).toContain('>支出<');
  });

  it('keeps other leaders and reviewers off a fund’s form', async () => {
    const fund = await createFund(t, { kind: 'COMMUNITY' });
    const other = await createFund(t, { kind: 'COMMUNITY' });
    const leader = await signedIn(['COMMUNITY_LEADER'], { fundIds: [other.id] });
    const res = await leader.browser.agent.get(`/admin/funds/${fund.id}/expenses/new`);
    expect(res.status).toBe(403);
    const reviewer = await createUser(t, ['REVIEWER']);
    await request(t.server).get('/api/v1/expenses').set(reviewer.auth).expect(403);
  });
});
