import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { SandboxProcessor } from '../../src/modules/payments/sandbox/sandbox-processor';
import { AnnualStatementsService } from '../../src/modules/receipts/annual/annual-statements.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { isConfirmationPage, pressConfirm } from '../utils/confirm-step';
import { formSession } from '../utils/form-session';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../utils/mail-testing';
import { nowhere, scanDatabase } from '../utils/personal-data-scan';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * The cross-check of erasure (issue 16's first "must exist" test), through the HTTP contract only:
 * a donor with every kind of gift asks in the portal, confirms by the link a real SMTP server
 * received, FINANCE completes it. Before and after: the ledger check, campaign totals, fund
 * statements (JSON and CSV), receipt numbers and amounts, the sponsor report and the public pages'
 * figures are equal; the person's name, email, address, ID code, message and dedication are in no
 * text column of any table, on no public or back-office page and in no CSV export; the pseudonym
 * stands where the name was; another donor's data is untouched.
 */

let smtp: TestSmtpServer;
let t: TestApp;

const tag = randomUUID().slice(0, 8);
/** The donor to erase: every field unique to this run, so a scan can look for it anywhere. */
const R = {
  name: `欧阳明${tag}`,
  email: `rich.${tag}@example.org`,
  address: `上海市徐汇区漕溪北路${tag}号`,
  taxId: `91310000${tag.toUpperCase()}X`,
  message: `谢谢社区 msg-${tag}`,
  dedication: `献给奶奶 ded-${tag}`,
  offlineMessage: `线下留言 off-${tag}`,
};
/** The donor who stays. */
const K = {
  name: `李保留${tag}`,
  email: `keep.${tag}@example.org`,
  message: `keep-msg-${tag}`,
};
const NEEDLES = [
  R.name,
  R.email,
  `rich.${tag}`,
  R.address,
  R.taxId,
  R.message,
  R.dedication,
  R.offlineMessage,
];

let campaign: Awaited<ReturnType<typeof createCampaign>>;
let pool: Awaited<ReturnType<typeof createFund>>;
let fund: { id: string; code: string };
let finance: Awaited<ReturnType<typeof createUser>>;
let admin: Awaited<ReturnType<typeof createUser>>;
const giftsOfR: string[] = [];
let giftOfK: string;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
  t = await startConfiguredApp({
    redisUrl: undefined,
    smtpUrl: smtp.url,
    queue: { pollMs: 100, backoffMs: 50, processors: true },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  await createFoundation(t, { receiptPrefix: 'LX' });
  finance = await createUser(t, ['FINANCE']);
  admin = await createUser(t, ['ADMIN']);
  pool = await createFund(t, { kind: 'MATCHING' });
  await fundFromOutside(t, pool, 1_000_000);
  campaign = await createCampaign(t);
  const [row] = await t.dataSource.query(`SELECT id, code FROM funds WHERE id = $1`, [
    campaign.fundId,
  ]);
  fund = row;
  await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
  await dropFileDatabase();
}, 60_000);

// ---------------------------------------------------------------------------------------------

const sandbox = () => t.get(SandboxProcessor);

/** A card gift paid on the sandbox's checkout: its events reach /webhooks/stripe over HTTP. */
async function cardGift(
  who: { name: string; email: string },
  amountMinor: number,
  extra: { message?: string; dedication?: string; monthly?: boolean } = {},
) {
  const started = await t.get(DonationsService).start(
    campaign.slug,
    {
      amountMinor,
      donorName: who.name,
      donorEmail: who.email,
      locale: 'zh-CN',
      ...extra,
    },
    { ip: '203.0.113.77', userAgent: `agent-${tag}` },
  );
  const paid = await sandbox().pay(started.checkoutUrl.split('/').pop()!);
  await waitUntil(
    async () => (await t.get(DonationsService).get(started.id)).status === 'SUCCEEDED',
    `gift ${started.id} to succeed`,
  );
  return { id: started.id, subscriptionId: paid.subscriptionId };
}

/** Every side effect done: no open outbox row, no undelivered sandbox event. */
async function quiet() {
  await sandbox().idle();
  await waitUntil(async () => {
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE status IN ('PENDING', 'RELAYED')`,
    );
    return n === 0;
  }, 'the outbox to drain');
  await sandbox().idle();
}

/** The text parts of a received email, decoded (quoted-printable or base64). */
function mailText(mail: ReceivedMail): string {
  const parts: string[] = [];
  const walk = (raw: string) => {
    const at = raw.search(/\r?\n\r?\n/);
    const head = at < 0 ? raw : raw.slice(0, at);
    const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
    const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1]?.toLowerCase() ?? 'text/plain';
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
    if (type.startsWith('multipart/') && boundary) {
      for (const section of body.split(`--${boundary}`).slice(1)) {
        if (!section.startsWith('--')) walk(section.replace(/^\r?\n/, ''));
      }
      return;
    }
    if (!type.startsWith('text/')) return;
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1]?.toLowerCase();
    if (encoding === 'base64') {
      parts.push(Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8'));
    } else if (encoding === 'quoted-printable') {
      parts.push(
        Buffer.from(
          body
            .replace(/=\r?\n/g, '')
            .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
      );
    } else parts.push(body);
  };
  walk(mail.raw);
  return parts.join('\n');
}

async function signedInStaff(email: string) {
  const session = formSession(t.server);
  const res = await session.signIn(email, TEST_PASSWORD);
  if (res.status !== 303) throw new Error(`staff sign-in answered ${res.status}`);
  return session;
}

/** The donor portal, signed in by the emailed magic link (received by the SMTP server). */
async function donorPortal(email: string) {
  const browser = formSession(t.server);
  await browser.post('/donor/login', { email });
  const mail = await waitUntil(
    () => smtp.to(email).find((m) => /\/donor\/verify\?token=/.test(mailText(m))),
    'the sign-in link',
  );
  const link = /https?:\/\/\S+\/donor\/verify\?token=[A-Za-z0-9_-]+/.exec(mailText(mail))![0];
  const verified = await browser.post('/donor/verify', {
    token: new URL(link).searchParams.get('token')!,
  });
  expect(verified.status).toBe(303);
  return browser;
}

/** Money and counts shown on a page: every "¥…" amount and every figure value, in order. */
function figures(html: string): string[] {
  return [
    ...[...html.matchAll(/[¥￥]\s?-?[\d,]+(?:\.\d+)?/g)].map((m) => m[0]),
    ...[...html.matchAll(/class="value"[^>]*>([^<]*)</g)].map((m) => m[1]!.trim()),
  ];
}

/** Everything that must not change, read through the app (and the receipts' table). */
async function books(ui: ReturnType<typeof formSession>) {
  const auth = finance.auth;
  const api = async (path: string) =>
    (await request(t.server).get(path).set(auth).expect(200)).body as unknown;
  const statement = async (fundId: string) => api(`/api/v1/funds/${fundId}/statement?limit=500`);
  const page = async (path: string) => (await request(t.server).get(path).expect(200)).text;
  return {
    ledgerCheck: await api('/api/v1/ledger/check'),
    campaignTotals: await t.dataSource.query(
      `SELECT campaign_id, sum(raised_minor)::text AS raised, sum(matched_minor)::text AS matched,
              sum(gifts)::int AS gifts, sum(donors)::int AS donors
         FROM campaign_totals GROUP BY campaign_id ORDER BY campaign_id`,
    ),
    statementJson: { fund: await statement(fund.id), pool: await statement(pool.id) },
    statementCsv: {
      fund: (await ui.agent.get(`/admin/funds/${fund.id}/statement.csv?lang=zh-CN`).expect(200))
        .text,
      pool: (await ui.agent.get(`/admin/funds/${pool.id}/statement.csv?lang=zh-CN`).expect(200))
        .text,
    },
    receipts: await t.dataSource.query(
      `SELECT number, kind, amount_minor::text AS amount, currency, donation_id, issued_at,
              voided_at IS NOT NULL AS voided, verify_code
         FROM receipts ORDER BY number`,
    ),
    gifts: await t.dataSource.query(
      `SELECT id, status, amount_minor::text AS amount, fee_minor::text AS fee,
              matched_minor::text AS matched, refunded_minor::text AS refunded, provider, campaign_id,
              fund_id, anonymous, parent_donation_id
         FROM donations ORDER BY id`,
    ),
    postings: await t.dataSource.query(
      `SELECT account_id, sum(amount_minor)::text AS total, count(*)::int AS n FROM postings
        GROUP BY account_id ORDER BY account_id`,
    ),
    balances: await t.dataSource.query(
      `SELECT account_id, sum(balance_minor)::text AS balance FROM ledger_account_balances
        GROUP BY account_id ORDER BY account_id`,
    ),
    sponsorReport: await api(`/api/v1/matching/pools/${pool.id}/report`),
    publicFigures: {
      campaign: figures(await page(`/campaigns/${campaign.slug}?lang=zh-CN`)),
      fund: figures(await page(`/funds/${fund.code}?lang=zh-CN`)),
      directory: figures(await page('/funds?lang=zh-CN')),
    },
    publicLedgerCsv: await page(`/funds/${fund.code}/ledger.csv?lang=zh-CN`),
  };
}

// ---------------------------------------------------------------------------------------------

it('erasure keeps the books exactly and leaves the person nowhere', async () => {
  // --- A rich donor: card gifts (one with message and dedication), a matched gift, a monthly
  // gift and its renewal, a partly refunded gift, an offline gift with tax fields; receipts and
  // an annual statement; a portal sign-in; emails sent. And a second donor who stays.
  const first = await cardGift(R, 12_300, { message: R.message, dedication: R.dedication });
  giftsOfR.push(first.id);
  giftsOfR.push((await cardGift(R, 4_500, { message: R.message })).id);
  const monthly = await cardGift(R, 3_000, { monthly: true });
  giftsOfR.push(monthly.id);
  const renewal = await sandbox().simulateRenewal(monthly.subscriptionId!);
  expect(renewal.status).toBe(200);
  const refunded = await cardGift(R, 20_000);
  giftsOfR.push(refunded.id);
  await request(t.server)
    .post(`/api/v1/donations/${refunded.id}/refunds`)
    .set(finance.auth)
    .send({ amountMinor: 5_000 })
    .expect(202);
  await sandbox().idle();
  await waitUntil(
    async () => (await t.get(DonationsService).get(refunded.id)).refundedMinor === 5_000,
    'the partial refund to be booked',
  );
  const offline = await t.get(OfflineGiftsService).record({
    campaignSlug: campaign.slug,
    amountMinor: 50_000,
    donorName: R.name,
    donorEmail: R.email,
    method: 'BANK',
    reference: `ERASE-${tag}`,
    receiptAddress: R.address,
    receiptTaxId: R.taxId,
    message: R.offlineMessage,
  } as never);
  giftsOfR.push(offline.donation.id);
  giftOfK = (await cardGift(K, 6_600, { message: K.message })).id;
  await quiet();
  const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
  const annual = await t.get(AnnualStatementsService).issue(String(year), { force: true });
  expect(annual.issued).toBeGreaterThanOrEqual(2);
  await quiet();

  // Every gift matched from the pool, every gift receipted, the renewal booked.
  const [{ renewals }] = await t.dataSource.query(
    `SELECT count(*)::int AS renewals FROM donations WHERE parent_donation_id = $1`,
    [monthly.id],
  );
  expect(renewals).toBe(1);
  const [{ matched }] = await t.dataSource.query(
    `SELECT sum(matched_minor)::int AS matched FROM donations WHERE donor_email = $1`,
    [R.email],
  );
  expect(matched).toBeGreaterThan(0);
  const receiptsOfR: { number: string; verify_code: string }[] = await t.dataSource.query(
    `SELECT number, verify_code FROM receipts WHERE donor_email = $1 ORDER BY number`,
    [R.email],
  );
  expect(receiptsOfR.length).toBeGreaterThanOrEqual(6);
  expect(smtp.to(R.email).length).toBeGreaterThan(0);
  const portal = await donorPortal(R.email);
  expect((await portal.agent.get('/donor').expect(200)).text).toContain(receiptsOfR[0]!.number);

  // The back office and the exports show the person before.
  const financeUi = await signedInStaff(finance.email);
  const adminUi = await signedInStaff(admin.email);
  const list = await financeUi.agent.get(`/admin/donations?email=${encodeURIComponent(R.email)}`);
  expect(list.text).toContain(R.name);
  const keptBefore = await t.dataSource.query(
    `SELECT donor_name, donor_email, message, dedication, receipt_address, receipt_tax_id
       FROM donations WHERE donor_email = $1 ORDER BY id`,
    [K.email],
  );
  const before = await books(financeUi);
  expect((before.ledgerCheck as { ok: boolean }).ok).toBe(true);
  const found = await scanDatabase(t.dataSource, NEEDLES);
  expect(found[R.name]!.length).toBeGreaterThan(0);
  expect(found[R.taxId]!.length).toBeGreaterThan(0);

  // --- The erasure, through the HTTP contract.
  const step = await portal.post('/donor/delete?lang=zh-CN', {});
  expect(isConfirmationPage(step)).toBe(true);
  expect((await pressConfirm(portal.agent, step)).status).toBe(303);
  const mail = await waitUntil(
    () => smtp.to(R.email).find((m) => /\/donor\/delete\/confirm\?token=/.test(mailText(m))),
    'the confirmation email',
  );
  const link = /https?:\/\/\S+\/donor\/delete\/confirm\?token=[A-Za-z0-9_-]+/.exec(
    mailText(mail),
  )![0];
  const linkToken = new URL(link).searchParams.get('token')!;
  const visitor = formSession(t.server);
  await visitor.agent.get(`/donor/delete/confirm?token=${linkToken}`).expect(200);
  expect((await visitor.post('/donor/delete/confirm', { token: linkToken })).status).toBe(200);
  const [open] = await t.dataSource.query(
    `SELECT id, status FROM erasure_requests WHERE email = $1`,
    [R.email],
  );
  expect(open.status).toBe('CONFIRMED');
  const requests = await financeUi.agent.get('/admin/privacy/requests').expect(200);
  expect(requests.text).toContain(open.id);
  const done = await financeUi.postConfirmed(`/admin/privacy/requests/${open.id}/complete`, {});
  expect(done.status).toBe(303);
  await quiet();
  const [{ no }] = await t.dataSource.query(
    `SELECT erased_no AS no FROM erasure_requests WHERE id = $1`,
    [open.id],
  );
  expect(no).toEqual(expect.any(Number));
  const pseudonym = `已删除的捐赠人 #${no}`;
  const pseudonymEn = `Erased donor #${no}`;

  // --- The books: exactly as before (the name in the statements is the pseudonym now).
  const after = await books(financeUi);
  const renamed = (text: string) => text.split(R.name).join(pseudonym);
  expect(after).toEqual({
    ...before,
    statementCsv: {
      fund: renamed(before.statementCsv.fund),
      pool: renamed(before.statementCsv.pool),
    },
    publicLedgerCsv: renamed(before.publicLedgerCsv),
  });
  expect(after.statementCsv.fund).toContain(pseudonym);

  // --- The person: in no text, varchar, json or array column of any table.
  const scan = await scanDatabase(t.dataSource, NEEDLES);
  expect(scan).toEqual(nowhere(scan));

  // Public pages: the campaign (its donor wall), the fund, the receipt verification.
  const publicPages = [
    `/campaigns/${campaign.slug}?lang=zh-CN`,
    `/funds/${fund.code}?lang=zh-CN`,
    `/funds/${fund.code}/ledger.csv?lang=zh-CN`,
    ...receiptsOfR.map(
      (r) =>
        `/receipts/verify?number=${encodeURIComponent(r.number)}&code=${encodeURIComponent(r.verify_code)}`,
    ),
  ];
  for (const path of publicPages) {
    const res = await request(t.server).get(path).expect(200);
    for (const needle of NEEDLES)
      expect({ path, found: res.text.includes(needle) }).toEqual({
        path,
        found: false,
      });
  }
  const wall = (await request(t.server).get(`/campaigns/${campaign.slug}?lang=zh-CN`)).text;
  expect(wall).toContain(K.name);
  const verified = await request(t.server)
    .get(
      `/receipts/verify?number=${encodeURIComponent(receiptsOfR[0]!.number)}&code=${receiptsOfR[0]!.verify_code}`,
    )
    .expect(200);
  expect(verified.text).toContain(receiptsOfR[0]!.number);

  // Back office: the gifts list, searched by the old email, a gift, receipts, the audit log.
  const backOffice = [
    [financeUi, '/admin/donations?lang=zh-CN'],
    [financeUi, `/admin/donations?email=${encodeURIComponent(R.email)}`],
    [financeUi, `/admin/donations/${first.id}?lang=zh-CN`],
    [financeUi, `/admin/donations/${offline.donation.id}?lang=en`],
    [financeUi, `/admin/funds/${fund.id}?lang=zh-CN`],
    [financeUi, `/admin/privacy/requests/${open.id}`],
    [adminUi, '/admin/audit'],
    [adminUi, '/admin/audit?entityType=donation'],
    [financeUi, '/admin/donations/export.csv'],
    [adminUi, '/admin/audit.csv'],
    [financeUi, `/admin/funds/${fund.id}/statement.csv`],
  ] as const;
  const receiptPages = (
    await t.dataSource.query(`SELECT id FROM receipts WHERE donor_erased_no = $1`, [no])
  ).map((r: { id: string }) => [financeUi, `/admin/receipts/${r.id}`] as const);
  expect(receiptPages.length).toBe(receiptsOfR.length);
  for (const [session, path] of [...backOffice, ...receiptPages]) {
    const res = await session.agent.get(path);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    // A search by the old address shows the address typed, in its field: nothing found.
    const typed = path.includes(encodeURIComponent(R.email));
    for (const needle of NEEDLES.filter((n) => !typed || !R.email.includes(n)))
      expect({ path, needle, found: res.text.includes(needle) }).toEqual({
        path,
        needle,
        found: false,
      });
  }
  const searched = await financeUi.agent.get(
    `/admin/donations?email=${encodeURIComponent(R.email)}`,
  );
  for (const id of giftsOfR) expect(searched.text).not.toContain(id);
  const detail = await financeUi.agent.get(`/admin/donations/${first.id}?lang=zh-CN`);
  expect(detail.text).toContain(pseudonym);
  const detailEn = await financeUi.agent.get(`/admin/donations/${first.id}?lang=en`);
  expect(detailEn.text).toContain(pseudonymEn);
  const giftsCsv = await financeUi.agent.get('/admin/donations/export.csv');
  expect(giftsCsv.text).toContain(pseudonym);
  expect(giftsCsv.text).toContain(K.name);
  expect(giftsCsv.text).toContain(K.email);

  // The second donor: untouched, still found by their address.
  expect(
    await t.dataSource.query(
      `SELECT donor_name, donor_email, message, dedication, receipt_address, receipt_tax_id
         FROM donations WHERE donor_email = $1 ORDER BY id`,
      [K.email],
    ),
  ).toEqual(keptBefore);
  const theirs = await financeUi.agent.get(`/admin/donations?email=${encodeURIComponent(K.email)}`);
  expect(theirs.text).toContain(giftOfK);
  expect(theirs.text).toContain(K.name);
  const [{ n: keptReceipts }] = await t.dataSource.query(
    `SELECT count(*)::int AS n FROM receipts WHERE donor_email = $1`,
    [K.email],
  );
  expect(keptReceipts).toBeGreaterThanOrEqual(2);
}, 300_000);
