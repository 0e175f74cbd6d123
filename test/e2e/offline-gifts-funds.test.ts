import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { AnnualStatementsRepository } from '../../src/modules/receipts/annual/annual-statements.repository';
import { ReceiptPagesService } from '../../src/modules/receipts/receipt-pages.service';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * Offline gifts as finance records them: straight into a fund (no campaign), dated by the day the
 * money arrived, from a person or an organisation, with or without a name and an email; and
 * every way of getting the form wrong answered in the reader's language, recording nothing.
 */
describe('offline gifts: into a fund, dated when received, with optional donor details', () => {
  let t: TestApp;
  let finance: ReturnType<typeof formSession>;
  let financeAuth: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    const user = await createUser(t, ['FINANCE']);
    financeAuth = user.auth;
    finance = formSession(t.server);
    const signedIn = await finance.signIn(user.email, TEST_PASSWORD);
    if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  });
  afterAll(() => t.close());

  const fieldError = (html: string, id: string) =>
    new RegExp(`id="e-${id}">([^<]*)<`).exec(html)?.[1];
  // Above the form, in the page's one alert (the layout's flash).
  const formError = (html: string) =>
    /class="flash flash-error" role="alert">([^<]*)</.exec(html)?.[1];
  const reference = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const giftsWithReference = async (ref: string) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM donations WHERE provider_payment_id = $1`,
        [`offline:${ref}`],
      )
    )[0].n as number;
  /** The day in Beijing, `days` from today: 2026-12-04. */
  const beijingDay = (days = 0) =>
    new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
  /** A fund set up long ago, so gifts received months back may go into it. */
  async function oldFund(kind: 'PROGRAM' | 'COMMUNITY' = 'COMMUNITY') {
    const fund = await createFund(t, { kind });
    await t.dataSource.query(`UPDATE funds SET created_at = '2024-01-02T00:00:00Z' WHERE id = $1`, [
      fund.id,
    ]);
    return fund;
  }
  const settleEntry = async (donationId: string) =>
    (await t.get(LedgerService).findEntryByKey(`donation:${donationId}:settle`))!;

  it('records a cash gift with no name and no email straight into a fund, dated the day received', async () => {
    const fund = await oldFund();
    const before = (await t.get(FundsService).get(fund.id)).balanceMinor;
    const ref = reference('CASH');
    const form = {
      campaignSlug: '',
      fundCode: fund.code,
      amount: '300.00',
      donorKind: 'PERSON',
      donorName: '',
      donorEmail: '',
      method: 'CASH',
      reference: ref,
      receivedAt: '2026-11-20',
      message: '',
      receiptAddress: '',
      receiptTaxId: '',
    };
    const res = await finance.post('/admin/donations/offline', form);
    expect(res.status).toBe(303);
    const id = (res.headers.location as string).split('/').pop()!;

    const [row] = await t.dataSource.query(
      `SELECT campaign_id, fund_id, donor_name, donor_email, donor_kind, status,
              succeeded_at, created_at FROM donations WHERE id = $1`,
      [id],
    );
    expect(row).toMatchObject({
      campaign_id: null,
      fund_id: fund.id,
      donor_name: '',
      donor_email: null,
      donor_kind: 'PERSON',
      status: 'SUCCEEDED',
    });
    // The gift's date is the day received (the start of that day in Beijing)…
    expect(new Date(row.succeeded_at).toISOString()).toBe('2026-11-19T16:00:00.000Z');
    // …while its ledger entry, posted now, credits the fund from the offline-gifts account.
    const entry = await settleEntry(id);
    expect(entry.postedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const fundAccount = await t.get(FundsService).accountIdOf(fund.id);
    expect(entry.postings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: fundAccount, amountMinor: 30_000 }),
        expect.objectContaining({ amountMinor: -30_000 }),
      ]),
    );
    expect((await t.get(FundsService).get(fund.id)).balanceMinor).toBe(before + 30_000);

    // A receipt is issued (for printing) but no email is attempted.
    const receipt = await waitUntil(
      async () => (await t.get(ReceiptsService).listForDonation(id)).find((r) => !r.voidedAt),
      'a receipt',
    );
    expect(receipt.donorEmail).toBe('');
    expect(receipt.content.gift?.campaign).toBeNull();
    expect(receipt.content.gift?.receivedAt).toBe('2026-11-19T16:00:00.000Z');
    const emails = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE dedupe_key = $1`,
      [`donation-thanks:${id}`],
    );
    expect(emails[0].n).toBe(0);

    const page = await finance.agent.get(`/admin/donations/${id}`).expect(200);
    expect(page.text).toMatch(new RegExp(`id="gift-fund"><a href="/admin/funds/${fund.id}">`));
    expect(page.text).toContain('未经募捐项目，直接记入基金');
    expect(page.text).toMatch(/id="gift-donor">未留姓名 · 个人/);
    expect(page.text).toMatch(/id="gift-email">未留邮箱：不发送感谢信和票据邮件/);
    expect(page.text).toMatch(/id="gift-received">2026年11月20日</);
    expect(page.text).toMatch(
      /id="gift-posted-note">收款日期为 2026年11月20日，登记于 .*（北京时间）/,
    );
    expect(page.text).not.toContain('resend-form');
    // The receipt names no donor in words and the fund without a campaign.
    const receiptPage = await finance.agent.get(`/admin/receipts/${receipt.id}`).expect(200);
    expect(receiptPage.text).toContain('未留姓名');
    expect(receiptPage.text).toContain(fund.nameZh);
    expect(receiptPage.text).not.toContain('募捐活动');
    // A receipt without an email cannot be resent: refused in words, nothing queued.
    const resend = await finance.post(`/admin/donations/${id}/receipts/${receipt.id}/resend`, {});
    expect(resend.status).toBe(303);
    const after = await finance.agent.get(`/admin/donations/${id}`).expect(200);
    expect(after.text).toContain(`票据 ${receipt.number} 的捐赠人没有留邮箱，无法发送`);

    // The list names the fund where a campaign would be; the CSV has the fund and no email.
    const list = await finance.agent.get('/admin/donations').expect(200);
    expect(list.text).toContain(`直接记入：${fund.nameZh}`);
    expect(list.text).toContain(`<a href="/admin/donations/${id}">2026年11月20日</a>`);
    const csv = await finance.agent.get('/admin/donations/export.csv').expect(200);
    const line = csv.text.split('\r\n').find((l) => l.includes(id))!;
    expect(line).toContain(`,${fund.code},个人`);
    expect(line).toContain(`,2026-11-20 00:00:00,${id},`);
    expect(line).not.toContain('@');

    // The public fund page and its ledger, and the fund's statement for staff, show the gift.
    const publicPage = await request(t.server).get(`/funds/${fund.code}`).expect(200);
    expect(publicPage.text).toContain('¥300.00');
    const ledgerCsv = await request(t.server).get(`/funds/${fund.code}/ledger.csv`).expect(200);
    expect(ledgerCsv.text).toContain('300.00');
    const staffPage = await finance.agent.get(`/admin/funds/${fund.id}`).expect(200);
    expect(staffPage.text).toContain('¥300.00');
    await finance.agent.get(`/admin/funds/${fund.id}/statement.csv`).expect(200);
  });

  it('keeps an organisation’s name as given, with its email, on the gift, receipt and verification page', async () => {
    const fund = await oldFund('PROGRAM');
    const name = '成都某某科技有限公司';
    const res = await request(t.server)
      .post('/api/v1/donations/offline')
      .set(financeAuth)
      .send({
        fundCode: fund.code,
        amountMinor: 5_000_000,
        donorKind: 'ORGANISATION',
        donorName: name,
        donorEmail: 'Finance@Example.ORG',
        method: 'BANK',
        reference: reference('ORG'),
      })
      .expect(201);
    const id = res.body.donation.id as string;
    expect(res.body.donation).toMatchObject({
      campaignId: null,
      donorName: name,
      donorKind: 'ORGANISATION',
      donorEmail: 'finance@example.org',
    });
    const receipt = await waitUntil(
      async () => (await t.get(ReceiptsService).listForDonation(id)).find((r) => !r.voidedAt),
      'a receipt',
    );
    expect(receipt.content.donor).toMatchObject({ name, kind: 'ORGANISATION' });
    const verified = await t
      .get(ReceiptPagesService)
      .verify({ number: receipt.number, code: receipt.verifyCode }, '10.9.8.7', 'zh-CN');
    expect(verified).toMatchObject({ kind: 'genuine', receipt: { maskedName: name } });
    // The thank-you goes out with the fund's name where a campaign's title would be.
    const thanks = await waitUntil(async () => {
      const [row] = await t.dataSource.query(`SELECT payload FROM outbox WHERE dedupe_key = $1`, [
        `donation-thanks:${id}`,
      ]);
      return row as { payload: { to: string; data: Record<string, unknown> } } | undefined;
    }, 'the thank-you');
    expect(thanks.payload.data.campaignTitle).toBe(fund.nameZh);
    // The donor portal lists the gift under the fund's name.
    const history = await t.get(DonationsService).historyForDonor('finance@example.org');
    expect(history.find((d) => d.id === id)?.campaign.titleZh).toBe(fund.nameZh);

    const page = await finance.agent.get(`/admin/donations/${id}?lang=en`).expect(200);
    expect(page.text).toMatch(new RegExp(`id="gift-donor">${name} · An organisation`));
    // Recorded today: no note about the ledger's date.
    expect(page.text).not.toContain('gift-posted-note');
  });

  it('refunds a gift made straight into a fund: the fund gives it back, the ledger check holds', async () => {
    const fund = await oldFund();
    const { donation } = await t.get(OfflineGiftsService).record({
      fundCode: fund.code,
      amountMinor: 80_000,
      method: 'BANK',
      reference: reference('REFUND'),
      receivedAt: new Date(`${beijingDay(-3)}T00:00:00+08:00`),
    });
    const partly = await request(t.server)
      .post(`/api/v1/donations/${donation.id}/refunds`)
      .set(financeAuth)
      .send({ amountMinor: 30_000 })
      .expect(202);
    expect(partly.body).toMatchObject({ booked: true });
    await request(t.server)
      .post(`/api/v1/donations/${donation.id}/refunds`)
      .set(financeAuth)
      .send({})
      .expect(202);
    expect(await t.get(DonationsService).get(donation.id)).toMatchObject({
      status: 'REFUNDED',
      refundedMinor: 80_000,
      campaignId: null,
    });
    expect((await t.get(FundsService).get(fund.id)).balanceMinor).toBe(0);
    const refunds = await t.dataSource.query(
      `SELECT e.idempotency_key AS key, p.amount_minor::int AS amount
         FROM journal_entries e JOIN postings p ON p.entry_id = e.id
        WHERE e.idempotency_key LIKE $1 AND p.account_id = $2 ORDER BY p.amount_minor`,
      [`donation:${donation.id}:refund:%`, await t.get(FundsService).accountIdOf(fund.id)],
    );
    expect(refunds).toEqual([
      { key: `donation:${donation.id}:refund:80000`, amount: -50_000 },
      { key: `donation:${donation.id}:refund:30000`, amount: -30_000 },
    ]);
    expect((await t.get(LedgerService).checkAcrossModules()).violations).toEqual([]);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('matches email-less gifts each under the per-donor cap, never lumped together', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 1_000_000);
    const campaign = await createCampaign(t);
    await t.dataSource.query(`UPDATE funds SET created_at = '2024-01-02T00:00:00Z' WHERE id = $1`, [
      campaign.fundId,
    ]);
    await t
      .get(MatchingService)
      .setRule(campaign.id, buildMatchingRule(pool.id, { capPerDonorDayMinor: 10_000 }));
    const gift = (ref: string, donorEmail?: string) =>
      t.get(OfflineGiftsService).record({
        campaignSlug: campaign.slug,
        amountMinor: 8_000,
        method: 'CASH',
        reference: reference(ref),
        ...(donorEmail ? { donorEmail } : {}),
      });
    const anonymous = [await gift('A1'), await gift('A2'), await gift('A3')];
    expect(anonymous.map((g) => g.donation.matchedMinor)).toEqual([8_000, 8_000, 8_000]);
    // One donor by email is capped across their gifts of the day.
    const named = [await gift('E1', 'same@example.org'), await gift('E2', 'same@example.org')];
    expect(named.map((g) => g.donation.matchedMinor)).toEqual([8_000, 2_000]);
    const totals = await t.dataSource.query(
      `SELECT sum(gifts)::int AS gifts, sum(donors)::int AS donors FROM campaign_totals WHERE campaign_id = $1`,
      [campaign.id],
    );
    // Each email-less gift is a donor of its own; the two by one email are one donor.
    expect(totals[0]).toEqual({ gifts: 5, donors: 4 });
    expect((await t.get(LedgerService).checkAcrossModules()).violations).toEqual([]);
  });

  it('imports CSV rows into funds or campaigns, with empty names and emails', async () => {
    const fund = await oldFund();
    const campaign = await createCampaign(t);
    const [a, b, c] = [reference('CSV'), reference('CSV'), reference('CSV')];
    const csv = [
      'campaign_slug,fund_code,amount,donor_name,donor_email,method,reference,donor_kind',
      `,${fund.code},120.00,,,CASH,${a},`,
      `${campaign.slug},,50.00,"成都某某科技有限公司",,BANK,${b},organisation`,
      `${campaign.slug},${fund.code},10.00,,,CASH,${c},`,
    ].join('\n');
    const report = await request(t.server)
      .post('/api/v1/donations/offline/import')
      .set(financeAuth)
      .send({ csv })
      .expect(200);
    expect(report.body).toMatchObject({ recorded: 2, duplicates: 0, errors: 1 });
    expect(report.body.rows[2].message).toBe(
      'Choose a campaign or a fund, not both. Nothing was recorded.',
    );
    const [org] = await t.dataSource.query(
      `SELECT donor_kind, donor_name, campaign_id FROM donations WHERE provider_payment_id = $1`,
      [`offline:${b}`],
    );
    expect(org).toEqual({
      donor_kind: 'ORGANISATION',
      donor_name: '成都某某科技有限公司',
      campaign_id: campaign.id,
    });
    expect(await giftsWithReference(c)).toBe(0);
  });

  it('takes gifts received since a fund was really set up, once its set-up date is recorded', async () => {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    const gift = () =>
      t.get(OfflineGiftsService).record({
        fundCode: fund.code,
        amountMinor: 1_000,
        method: 'BANK',
        reference: reference('BOOKS'),
        receivedAt: new Date('2025-06-30T00:00:00+08:00'),
      });
    await expect(gift()).rejects.toMatchObject({ code: 'RECEIVED_DATE_INVALID' });
    const setUp = new Date('2025-03-01T00:00:00+08:00');
    const funds = t.get(FundsService);
    expect((await funds.recordSetUpDate(fund.id, setUp)).createdAt).toEqual(setUp);
    // Only ever earlier.
    expect((await funds.recordSetUpDate(fund.id, new Date())).createdAt).toEqual(setUp);
    const { donation } = await gift();
    expect(donation.succeededAt).toEqual(new Date('2025-06-29T16:00:00Z'));
  });

  it('leaves email-less gifts out of annual statements (none could reach their donor)', async () => {
    const fund = await oldFund('PROGRAM');
    const at = new Date('2025-05-05T10:00:00+08:00');
    const record = (donorEmail?: string) =>
      t.get(OfflineGiftsService).record({
        fundCode: fund.code,
        amountMinor: 2_000,
        method: 'CASH',
        reference: reference('YEAR'),
        receivedAt: at,
        ...(donorEmail ? { donorEmail } : {}),
      });
    await record();
    await record('yearly@example.org');
    const donors = await t
      .get(AnnualStatementsRepository)
      .donors(new Date('2025-05-01T00:00:00+08:00'), new Date('2025-05-10T00:00:00+08:00'), 'CNY');
    expect(donors).toEqual([{ email: 'yearly@example.org', keptMinor: 2_000 }]);
  });

  it('lets only offline gifts go without a campaign, an email or a name (database checks)', async () => {
    const fund = await oldFund('PROGRAM');
    const insert = (
      provider: string,
      campaign: string | null,
      email: string | null,
      name: string,
    ) =>
      t.dataSource.query(
        `INSERT INTO donations (campaign_id, fund_id, amount_minor, currency, donor_name, donor_email, provider)
         VALUES ($1, $2, 100, 'CNY', $3, $4, $5)`,
        [campaign, fund.id, name, email, provider],
      );
    const campaign = await createCampaign(t);
    await expect(insert('STRIPE', null, 'a@example.org', '甲')).rejects.toThrow(
      /donations_campaign_or_offline/,
    );
    await expect(insert('STRIPE', campaign.id, null, '甲')).rejects.toThrow(
      /donations_email_or_offline/,
    );
    await expect(insert('SANDBOX', campaign.id, 'a@example.org', '')).rejects.toThrow(
      /donations_donor_name/,
    );
    await expect(insert('OFFLINE', null, null, '')).resolves.toBeDefined();
  });

  describe('hostile input: a clear 4xx in the reader’s language, nothing recorded', () => {
    let fund: Awaited<ReturnType<typeof createFund>>;
    let young: Awaited<ReturnType<typeof createFund>>;
    let slug: string;
    beforeAll(async () => {
      fund = await oldFund();
      young = await createFund(t, { kind: 'PROGRAM' });
      await t.dataSource.query(`UPDATE funds SET created_at = $2 WHERE id = $1`, [
        young.id,
        `${beijingDay(-2)}T12:00:00+08:00`,
      ]);
      slug = (await createCampaign(t)).slug;
    });
    const base = () => ({
      campaignSlug: '',
      fundCode: fund.code,
      amount: '100.00',
      donorKind: 'PERSON',
      donorName: '',
      donorEmail: '',
      method: 'CASH',
      reference: reference('BAD'),
      receivedAt: '',
    });

    it.each([
      ['a future date', { receivedAt: beijingDay(1) }, 422, 'o-receivedAt', /晚于今天（北京时间/],
      ['an impossible date', { receivedAt: '2026-02-30' }, 400, 'o-receivedAt', /./],
      ['a year out of range', { receivedAt: '1999-12-31' }, 400, 'o-receivedAt', /./],
      [
        'a date before the fund existed',
        { fundCode: 'YOUNG', receivedAt: beijingDay(-3) },
        422,
        'o-receivedAt',
        /早于基金 .* 设立的日期/,
      ],
      [
        'a campaign and a fund',
        { campaignSlug: 'CAMPAIGN' },
        400,
        'o-campaign',
        /募捐项目和基金只能选一个/,
      ],
      [
        'neither a campaign nor a fund',
        { fundCode: '' },
        400,
        'o-campaign',
        /请选择这笔捐赠所属的募捐项目/,
      ],
      [
        'an unknown fund',
        { fundCode: 'NO-SUCH-FUND' },
        404,
        'o-fund',
        /没有代码为 NO-SUCH-FUND 的基金/,
      ],
      ['a donor kind that is not one', { donorKind: 'ROBOT' }, 400, 'o-donorKind', /./],
      ['markup in the name', { donorName: '<script>x</script>' }, 400, 'o-donorName', /./],
    ])('%s on the zh-CN form', async (_what, change, status, field, text) => {
      const fields: Record<string, string> = { ...base(), ...change };
      if (fields.fundCode === 'YOUNG') fields.fundCode = young.code;
      if (fields.campaignSlug === 'CAMPAIGN') fields.campaignSlug = slug;
      const res = await finance.post('/admin/donations/offline?lang=zh-CN', fields);
      expect(res.status).toBe(status);
      const message = fieldError(res.text, field) ?? formError(res.text);
      expect(message).toMatch(text);
      expect(message).not.toMatch(/[a-z]{4,} must /);
      expect(res.text).not.toContain('<script>x</script>');
      expect(await giftsWithReference(fields.reference!)).toBe(0);
    });

    it('answers the API in the asked language with a stable code', async () => {
      const send = (body: Record<string, unknown>, language: string) =>
        request(t.server)
          .post('/api/v1/donations/offline')
          .set(financeAuth)
          .set('Accept-Language', language)
          .send({ amountMinor: 10_000, method: 'CASH', reference: reference('API'), ...body });
      const future = await send({ fundCode: fund.code, receivedAt: beijingDay(2) }, 'zh-CN');
      expect(future.status).toBe(422);
      expect(future.body.code).toBe('RECEIVED_DATE_INVALID');
      expect(future.body.message).toMatch(/^收款日期 .* 晚于今天/);
      const both = await send({ fundCode: fund.code, campaignSlug: slug }, 'en');
      expect(both.status).toBe(400);
      expect(both.body).toMatchObject({
        code: 'GIFT_TARGET_INVALID',
        message: 'Choose a campaign or a fund, not both. Nothing was recorded.',
      });
      const neither = await send({ donorEmail: '', donorName: '  ' }, 'zh-CN');
      expect(neither.status).toBe(400);
      expect(neither.body.code).toBe('GIFT_TARGET_INVALID');
      const impossible = await send({ fundCode: fund.code, receivedAt: '2026-13-01' }, 'en');
      expect(impossible.status).toBe(400);
      expect(impossible.body.code).toBe('VALIDATION_FAILED');
      // Empty optional fields are absent: this one records.
      const empty = await send(
        { fundCode: fund.code, donorName: '', donorEmail: '', message: '', receiptTaxId: '' },
        'en',
      );
      expect(empty.status).toBe(201);
      expect(empty.body.donation).toMatchObject({ donorName: '', donorEmail: null });
    });
  });
});
