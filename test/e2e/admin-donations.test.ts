import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { GIFT_CSV_COLUMNS } from '../../src/modules/admin/admin-donations.views';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { isConfirmationPage, pressConfirm } from '../utils/confirm-step';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/** Gifts in the back office: offline gifts by form and CSV, the list, refunds by form. */
describe('back office: gifts', () => {
  let t: TestApp;
  let finance: ReturnType<typeof formSession>;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    const user = await createUser(t, ['FINANCE']);
    finance = formSession(t.server);
    const signedIn = await finance.signIn(user.email, TEST_PASSWORD);
    if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  });
  afterAll(() => t.close());

  const fieldError = (html: string, id: string) =>
    new RegExp(`id="e-${id}">([^<]*)<`).exec(html)?.[1];
  /** Offline gifts keep `offline:<reference>` as their payment id (unique). */
  const giftsWithReference = async (reference: string) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM donations WHERE provider = 'OFFLINE' AND provider_payment_id = $1`,
        [`offline:${reference}`],
      )
    )[0].n as number;

  it('records an offline gift once per reference, and sends a bad form back beside its fields', async () => {
    const campaign = await createCampaign(t);
    // Set up long ago: a gift received on 20 November may go into it.
    await t.dataSource.query(`UPDATE funds SET created_at = '2024-01-02T00:00:00Z' WHERE id = $1`, [
      campaign.fundId,
    ]);
    const form = {
      campaignSlug: campaign.slug,
      amount: '500.00',
      donorName: '张伟',
      donorEmail: 'zhang.wei@example.org',
      method: 'BANK',
      reference: 'ICBC-PAGE-001',
      receivedAt: '2026-11-20',
      message: '=HYPERLINK("http://evil.example","click")',
    };
    const first = await finance.post('/admin/donations/offline?lang=en', form);
    expect(first.status).toBe(303);
    const giftPath = first.headers.location as string;
    expect(giftPath).toMatch(/^\/admin\/donations\/[0-9a-f-]{36}$/);
    const page = await finance.agent.get(giftPath).expect(200);
    expect(page.text).toMatch(/Gift of ¥500\.00 recorded \(reference ICBC-PAGE-001\)/);
    expect(page.text).toMatch(/id="gift-status">捐赠成功/);

    const again = await finance.post('/admin/donations/offline?lang=en', form);
    expect(again.headers.location).toBe(giftPath);
    const replay = await finance.agent.get(giftPath).expect(200);
    expect(replay.text).toContain('Reference ICBC-PAGE-001 was recorded already');
    expect(await giftsWithReference('ICBC-PAGE-001')).toBe(1);
    const exported = await finance.agent
      .get(`/admin/donations/export.csv?campaign=${campaign.slug}`)
      .expect(200);
    expect(exported.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);

    const bad = await finance.post('/admin/donations/offline?lang=en', {
      ...form,
      amount: '12.345',
      donorEmail: 'nope',
      reference: 'has spaces',
      donorName: '<b>x</b>',
    });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'o-amount')).toMatch(/two decimals/);
    expect(fieldError(bad.text, 'o-donorEmail')).toMatch(/email address/);
    expect(fieldError(bad.text, 'o-reference')).toMatch(/Reference must be 1–80 letters/);
    expect(fieldError(bad.text, 'o-donorName')).toMatch(/must not contain/);
    expect(bad.text).not.toContain('<b>x</b>');
    expect(await giftsWithReference('has spaces')).toBe(0);
  });

  it('imports pasted CSV with a row-by-row report', async () => {
    const campaign = await createCampaign(t);
    const csv = [
      'campaign_slug,amount,donor_name,donor_email,method,reference',
      `${campaign.slug},200.00,李娜,li.na@example.org,cash,RB-PAGE-1`,
      `${campaign.slug},1.005,王强,wang@example.org,BANK,RB-PAGE-2`,
      `${campaign.slug},200.00,李娜,li.na@example.org,cash,RB-PAGE-1`,
    ].join('\n');
    const res = await finance.post('/admin/donations/offline/import?lang=en', { csv });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/id="import-summary">1 recorded, 1 already recorded, 1 with problems/);
    expect(res.text.match(/class="import-recorded"/g)).toHaveLength(1);
    expect(res.text.match(/class="import-error"/g)).toHaveLength(1);
    expect(res.text.match(/class="import-duplicate"/g)).toHaveLength(1);
    // Each row's outcome in words, not recorded/error.
    expect(res.text).toMatch(
      /class="import-recorded"><td[^>]*>\d+<\/td><td[^>]*>[^<]*<\/td><td[^>]*>Recorded<\/td>/,
    );
    expect(res.text).toMatch(
      /class="import-error"><td[^>]*>\d+<\/td><td[^>]*>[^<]*<\/td><td[^>]*>Not recorded: error<\/td>/,
    );

    const empty = await finance.post('/admin/donations/offline/import?lang=en', { csv: ' ' });
    expect(empty.status).toBe(400);
    expect(fieldError(empty.text, 'o-csv')).toBe('Paste the CSV text first.');
  });

  it('lists gifts by campaign, status and email, and refunds by form once', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 100_000);
    const campaign = await createCampaign(t);
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    const recorded = await finance.post('/admin/donations/offline?lang=en', {
      campaignSlug: campaign.slug,
      amount: '100.00',
      donorName: 'Refund Me',
      donorEmail: 'refund.me@example.org',
      method: 'CASH',
      reference: 'CASH-PAGE-9',
    });
    const giftPath = recorded.headers.location as string;
    const id = giftPath.split('/').pop()!;

    const list = await finance.agent
      .get(`/admin/donations?lang=en&campaign=${campaign.slug}&status=SUCCEEDED`)
      .expect(200);
    expect(list.text).toContain(`data-donation-id="${id}"`);
    expect(list.text).toContain('refund.me@example.org');
    const byEmail = await finance.agent
      .get('/admin/donations?lang=en&email=nobody@example.org')
      .expect(200);
    expect(byEmail.text).not.toContain(`data-donation-id="${id}"`);
    const unknown = await finance.agent.get('/admin/donations?lang=en&campaign=no-such-one');
    expect(fieldError(unknown.text, 'd-campaign')).toBe('No campaign has this address name.');
    const badStatus = await finance.agent.get('/admin/donations?lang=en&status=PAID');
    expect(badStatus.status).toBe(400);

    // A partial refund, booked at once for an offline gift; the match goes back in proportion.
    const page = await finance.agent.get(`${giftPath}?lang=en`).expect(200);
    const before = /name="refundedBefore" value="(\d+)"/.exec(page.text)![1]!;
    expect(before).toBe('0');
    const asked = await finance.post(`${giftPath}/refund?lang=en`, {
      amount: '40.00',
      refundedBefore: before,
      reason: 'Paid twice <by mistake>',
    });
    expect(isConfirmationPage(asked)).toBe(true);
    const refund = await pressConfirm(finance.agent, asked);
    expect(refund.status).toBe(303);
    const after = await finance.agent.get(`${giftPath}?lang=en`).expect(200);
    expect(after.text).toContain('Refund of ¥40.00 booked.');
    expect(after.text).toMatch(/id="gift-refunded">¥40\.00/);
    expect(after.text).toMatch(/id="gift-status">Partly refunded/);
    expect(after.text).toMatch(
      /id="gift-matched">¥60\.00 <span class="muted">\(¥40\.00 of the match went back/,
    );

    // The same form sent again (a double click, a back button) refunds nothing more.
    const twice = await pressConfirm(finance.agent, asked);
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('has been refunded by ¥40.00 since the page was loaded');
    expect(twice.text).not.toContain('minor units');
    const [row] = await t.dataSource.query(
      `SELECT refunded_minor::int AS refunded, matched_minor::int AS matched,
              match_returned_minor::int AS returned FROM donations WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ refunded: 4_000, matched: 6_000, returned: 4_000 });

    const tooMuch = await finance.post(`${giftPath}/refund?lang=en`, {
      amount: '70.00',
      refundedBefore: '4000',
      reason: 'Asked to withdraw',
    });
    expect(tooMuch.status).toBe(409);
    // Money as money, and said once (the page's alert, not again in a second box).
    expect(
      tooMuch.text.split('Only ¥60.00 of this gift is left to refund; ¥70.00 is more.'),
    ).toHaveLength(2);
    expect(tooMuch.text).not.toContain('minor units');

    // The list's filter as CSV for finance: in words and yuan, Beijing time, with the refund.
    const csv = await finance.agent
      .get(`/admin/donations/export.csv?campaign=${campaign.slug}&lang=en`)
      .expect(200)
      .expect('content-type', /text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]!.split(',')).toHaveLength(GIFT_CSV_COLUMNS.length);
    expect(lines[0]).toMatch(/^Created \(Beijing time\),Received \(Beijing time\),Gift id,/);
    expect(lines[0]).not.toMatch(/_minor|amount_/);
    expect(lines).toHaveLength(2);
    await finance.agent.get('/admin/donations/export.csv?campaign=no-such-campaign').expect(404);
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{4}-\d{2}-\d{2} \d{2}:/);
    expect(lines[1]).toContain(
      `,${id},${campaign.slug},Refund Me,refund.me@example.org,100.00,60.00,40.00,,CNY,Partly refunded,Offline gift,`,
    );
    // Yes/no in words, the match given back, then the gift's fund and the donor's kind.
    expect(lines[1]).toMatch(/,no,no,.*,40\.00,F-[^,]+,An individual$/);
    const zh = await finance.agent
      .get(`/admin/donations/export.csv?campaign=${campaign.slug}&lang=zh-CN`)
      .expect(200);
    expect(zh.text).toContain('金额（元）');
    expect(zh.text).toContain(',已部分退款,线下捐赠,');

    // The fund's statement says what happened, for finance with the donor's name and links.
    const fundPage = await finance.agent
      .get(`/admin/funds/${campaign.fundId}?lang=zh-CN`)
      .expect(200);
    const what = [...fundPage.text.matchAll(/<td class="statement-what">(.*?)<\/td>/g)].map(
      (m) => m[1],
    );
    const giftWords = `<a href="/admin/campaigns/${campaign.id}">${campaign.titleZh}</a> · <a href="/admin/donations/${id}">Refund Me</a>`;
    const poolWords = `<a href="/admin/funds/${pool.id}">${pool.nameZh}</a>`;
    expect(what).toEqual(
      expect.arrayContaining([
        `捐赠 · ${giftWords}`,
        `配捐 · ${poolWords}`,
        `退款 · ${giftWords}`,
        `配捐退回 · ${poolWords}`,
      ]),
    );
    expect(fundPage.text).not.toMatch(/>(DONATION|MATCH|REFUND|MATCH_REVERSAL)</);
    const statement = await finance.agent
      .get(`/admin/funds/${campaign.fundId}/statement.csv?lang=en`)
      .expect(200);
    expect(statement.text).toContain(`,Gift · ${campaign.titleEn} · Refund Me,100.00,`);
    expect(statement.text).toContain(`,Refund · ${campaign.titleEn} · Refund Me,-40.00,`);
    // Staff who may not see donor data read the public rule: an offline donor is not named.
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    const other = formSession(t.server);
    await other.signIn(officer.email, TEST_PASSWORD);
    const officerPage = await other.agent
      .get(`/admin/funds/${campaign.fundId}?lang=zh-CN`)
      .expect(200);
    expect(officerPage.text).not.toContain('Refund Me');
    expect(officerPage.text).toContain(
      `捐赠 · <a href="/admin/campaigns/${campaign.id}">${campaign.titleZh}</a> · 爱心人士`,
    );

    // The pool's page says what it matched, per campaign (the refund gave 40 of 100 back).
    const poolPage = await finance.agent.get(`/admin/funds/${pool.id}?lang=en`).expect(200);
    expect(poolPage.text).toContain('¥60.00 matched so far; ¥940.00 left in the pool.');
    expect(poolPage.text).toMatch(
      new RegExp(`data-campaign-slug="${campaign.slug}"[\\s\\S]*?>1<[\\s\\S]*?¥60\\.00`),
    );
  });

  it('pages through gifts within one millisecond without skipping any', async () => {
    const campaign = await createCampaign(t);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await finance.post('/admin/donations/offline', {
        campaignSlug: campaign.slug,
        amount: '1.00',
        donorName: 'Same Millisecond',
        donorEmail: 'ms@example.org',
        method: 'CASH',
        reference: `MS-${i}-${campaign.slug}`,
      });
      ids.push((res.headers.location as string).split('/').pop()!);
    }
    // Four gifts in one millisecond, microseconds apart (as at a busy moment).
    await t.dataSource.query(
      `UPDATE donations SET created_at = '2026-11-11 11:11:11.123' ::timestamptz + (ord * interval '1 microsecond')
       FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, ord) WHERE donations.id = x.id`,
      [ids],
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t
        .get(DonationsService)
        .listForStaff({ campaignSlug: campaign.slug, cursor, limit: 1 });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('keeps donors’ data to FINANCE and ADMIN, and refunds to FINANCE', async () => {
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    const grants = formSession(t.server);
    await grants.signIn(officer.email, TEST_PASSWORD);
    expect((await grants.agent.get('/admin/donations')).status).toBe(403);
    expect((await grants.agent.get('/admin/donations/offline')).status).toBe(403);

    const adminUser = await createUser(t, ['ADMIN']);
    const admin = formSession(t.server);
    await admin.signIn(adminUser.email, TEST_PASSWORD);
    const list = await admin.agent.get('/admin/donations?lang=en').expect(200);
    const id = /data-donation-id="([0-9a-f-]{36})"/.exec(list.text)![1]!;
    const page = await admin.agent.get(`/admin/donations/${id}?lang=en`).expect(200);
    expect(page.text).not.toContain('id="refund-form"');
    const refused = await admin.post(`/admin/donations/${id}/refund`, {
      amount: '1.00',
      refundedBefore: '0',
      reason: 'Not mine to refund',
    });
    expect(refused.status).toBe(403);
  });
});
