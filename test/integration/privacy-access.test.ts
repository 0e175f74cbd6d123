import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { parseCsv } from '../../src/common/csv';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * The donor's access download: every gift and receipt of the signed-in address, and nothing of
 * anyone else's (look-alike addresses, the same name); another address is refused; each download
 * is audited with its row count; the CSV opens in Excel with Chinese and no formula runs.
 */
describe('access download', () => {
  let t: TestApp;
  let slug: string;
  const tag = randomUUID().slice(0, 8);
  const email = `acc-${tag}@example.org`;
  const lookAlikes = [
    `acc-${tag}+tag@example.org`,
    `xacc-${tag}@example.org`,
    `acc-${tag}@example.org.cn`,
    `other-${tag}@example.org`,
  ];
  const mine: { id: string; amountMinor: number }[] = [];
  const theirs: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t, { receiptPrefix: 'AC' });
    slug = (await createCampaign(t)).slug;

    const give = async (address: string, amountMinor: number, paid: boolean, extra = {}) => {
      const gift = await t
        .get(DonationsService)
        .start(slug, { amountMinor, donorName: '王小明', donorEmail: address, ...extra }, {});
      if (paid) {
        await deliver(
          t.server,
          stripeEvent(
            `evt_acc_${gift.id}`,
            'checkout.session.completed',
            paidSession(gift.id, amountMinor),
          ),
        ).expect(200);
        await waitUntil(
          async () =>
            (await t.get(ReceiptsService).listForDonation(gift.id)).find(
              (r) => r.voidedAt === null,
            ),
          'a live receipt',
        );
      }
      return gift.id;
    };
    mine.push({
      id: await give(email, 123_450, true, {
        message: '=HYPERLINK("http://evil")',
        dedication: '+献给妈妈',
      }),
      amountMinor: 123_450,
    });
    mine.push({ id: await give(email, 2_000, true), amountMinor: 2_000 });
    mine.push({ id: await give(email, 3_000, false), amountMinor: 3_000 });
    for (const address of lookAlikes) theirs.push(await give(address, 7_700, true));
  });
  afterAll(() => t.close());

  async function donorSession(address: string) {
    const browser = formSession(t.server);
    await browser.post('/donor/login', { email: address });
    const [row] = await t.dataSource.query<{ url: string }[]>(
      `SELECT payload->'data'->>'url' AS url FROM outbox WHERE payload->>'template' = 'donor-magic-link'
       AND payload->>'to' = $1 ORDER BY created_at DESC LIMIT 1`,
      [address],
    );
    const token = new URL(row!.url).searchParams.get('token')!;
    expect((await browser.post('/donor/verify', { token })).status).toBe(303);
    return browser;
  }

  const receiptNumbers = async (ids: string[]) =>
    (
      await t.dataSource.query<{ number: string }[]>(
        `SELECT number FROM receipts WHERE donation_id = ANY($1) ORDER BY number`,
        [ids],
      )
    ).map((r) => r.number);

  it('holds every gift and receipt of the address as JSON, and nothing of anyone else', async () => {
    const donor = await donorSession(email);
    const page = await donor.agent.get('/donor/data').expect(200);
    expect(page.text).toContain('href="/donor/data/export.json?lang=zh-CN"');
    expect(page.text).toContain('href="/donor/data/export.csv?lang=zh-CN"');
    expect(page.headers['cache-control']).toBe('no-store');

    const res = await donor.agent.get('/donor/data/export.json').buffer(true).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(res.text) as Record<string, Record<string, unknown>[]> & {
      email: string;
    };
    expect(body.email).toBe(email);
    expect(body.gifts!.map((g) => g.giftId).sort()).toEqual(mine.map((g) => g.id).sort());
    const first = body.gifts!.find((g) => g.giftId === mine[0]!.id)!;
    expect(first).toMatchObject({
      amountMinor: 123_450,
      amount: '¥1,234.50',
      currency: 'CNY',
      donorName: '王小明',
      message: '=HYPERLINK("http://evil")',
      dedication: '+献给妈妈',
      status: '捐赠成功',
    });
    expect(first.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(body.gifts!.find((g) => g.giftId === mine[2]!.id)).toMatchObject({ amountMinor: 3_000 });
    const mineNumbers = await receiptNumbers(mine.map((g) => g.id));
    expect(mineNumbers).toHaveLength(2);
    expect(body.receipts!.map((r) => r.receiptNumber).sort()).toEqual(mineNumbers);
    expect(body.receiptPreference).toEqual([{ value: expect.any(String) as string }]);
    expect(body.emails!.map((e) => e.template)).toEqual(
      expect.arrayContaining(['登录链接', '捐赠感谢信']),
    );
    expect(body.sessions!.length).toBeGreaterThanOrEqual(1);
    expect(body.erasureRequests).toEqual([]);

    // Nothing of the look-alikes: their addresses, gifts and receipts appear nowhere.
    for (const needle of [...lookAlikes, ...theirs, ...(await receiptNumbers(theirs))]) {
      expect(res.text).not.toContain(needle);
    }

    // Audited, with the row count.
    const rows = Object.entries(body)
      .filter(([key]) => key !== 'email' && key !== 'generatedAt')
      .reduce((n, [, list]) => n + (list as unknown[]).length, 0);
    const audit = await t.dataSource.query<{ actor: string; after: unknown }[]>(
      `SELECT actor_label AS actor, after FROM audit_log WHERE action = 'privacy.data_downloaded'
        AND entity_type = 'donor_data' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual([{ actor: `donor:${email}`, after: { format: 'json', rows } }]);
  });

  it('writes one CSV with a BOM, a section column, localized headers and neutralised formulas', async () => {
    const donor = await donorSession(email);
    const res = await donor.agent.get('/donor/data/export.csv?lang=en').buffer(true).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="my-data-.*\.csv"$/);
    expect(res.text.startsWith('\ufeff')).toBe(true);
    const [header, ...lines] = parseCsv(res.text);
    expect(header![0]).toBe('Section');
    expect(header).toEqual(expect.arrayContaining(['Amount (minor units)', 'Receipt number']));
    const col = (name: string) => header!.indexOf(name);
    const gifts = lines.filter((l) => l[0] === 'Gifts');
    expect(gifts.map((l) => l[col('Gift id')]).sort()).toEqual(mine.map((g) => g.id).sort());
    const first = gifts.find((l) => l[col('Gift id')] === mine[0]!.id)!;
    expect(first[col('Amount (minor units)')]).toBe('123450');
    expect(first[col('Amount')]).toBe('¥1,234.50');
    expect(first[col('Message')]).toBe(`'=HYPERLINK("http://evil")`);
    expect(first[col('Dedication')]).toBe(`'+献给妈妈`);
    expect(
      lines
        .filter((l) => l[0] === 'Receipts')
        .map((l) => l[col('Receipt number')])
        .sort(),
    ).toEqual(await receiptNumbers(mine.map((g) => g.id)));
    for (const needle of [...lookAlikes, ...theirs]) expect(res.text).not.toContain(needle);
    const [audit] = await t.dataSource.query<{ after: unknown }[]>(
      `SELECT after FROM audit_log WHERE action = 'privacy.data_downloaded' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit!.after).toEqual({ format: 'csv', rows: lines.length });

    const zh = await donor.agent.get('/donor/data/export.csv?lang=zh-CN').buffer(true).expect(200);
    const [zhHeader] = parseCsv(zh.text);
    expect(zhHeader!.slice(0, 2)).toEqual(['分类', '捐赠编号']);
  });

  it('refuses another address in the reader’s language, and sends the signed-out to sign in', async () => {
    const donor = await donorSession(email);
    const before = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'privacy.data_downloaded'`,
    );
    const other = encodeURIComponent(lookAlikes[0]!);
    const zh = await donor.agent.get(`/donor/data/export.json?email=${other}&lang=zh-CN`);
    expect(zh.status).toBe(403);
    expect(zh.text).toContain(`您只能下载您登录所用邮箱（${email}）的数据。`);
    expect(zh.text).not.toContain(theirs[0]!);
    const en = await donor.agent.get(`/donor/data/export.csv?email=${other}&lang=en`);
    expect(en.status).toBe(403);
    expect(en.text).toContain(
      `You can download only the data of the address you signed in with (${email}).`,
    );
    expect((await donor.agent.get(`/donor/data?email=${other}`)).status).toBe(403);
    const after = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'privacy.data_downloaded'`,
    );
    expect(after).toEqual(before);
    // Their own address, in other letters, is theirs.
    const own = encodeURIComponent(email.toUpperCase());
    await donor.agent.get(`/donor/data/export.json?email=${own}`).expect(200);

    const signedOut = await request(t.server).get('/donor/data/export.json');
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.location).toMatch(/^\/donor\/login/);
  });
});
