import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { solidImage } from '../utils/images';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';
import { launchChromium, pageWidth, phoneVisit, serve, signInByForm, textOf } from './chromium';

/**
 * Receipts on a 360 px wide phone, by hand: the gift's receipts in the back office (voided through
 * its confirmed form), the receipt settings with the seal upload and its preview, the donor
 * portal's receipts and delivery choice, and the donation form's collapsed tax section. Nothing
 * scrolls sideways and no Content-Security-Policy rule is broken.
 */
let t: TestApp;
let browser: Browser;
let base: string;
let slug: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t);
  await createFoundation(t, { receiptPrefix: 'LXB' });
  slug = (await createCampaign(t)).slug;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The elements that reach past the 360 px screen (none, when nothing scrolls sideways). */
const overflowing = (page: Page) =>
  page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > 360.5 && !e.closest('.table-scroll, .table-wrap'))
    .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))`);

async function phone(locale: 'zh-CN' | 'en-US') {
  const v = await phoneVisit(browser, base, locale);
  return v;
}

async function staffPhone(locale: 'zh-CN' | 'en-US', roles: ('ADMIN' | 'FINANCE')[]) {
  const user = await createUser(t, roles);
  const v = await phone(locale);
  await signInByForm(v.page, user.email, TEST_PASSWORD);
  return v;
}

async function paidGift(email: string) {
  const gift = await t
    .get(DonationsService)
    .start(slug, { amountMinor: 12_300, donorName: '林小雨', donorEmail: email }, {});
  await deliver(
    t.server,
    stripeEvent(`evt_b_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 12_300)),
  ).expect(200);
  const receipt = await waitUntil(
    async () => (await t.get(ReceiptsService).listForDonation(gift.id))[0],
    'the receipt',
  );
  return { id: gift.id, receipt };
}

it('staff read a gift’s receipts and void one through its confirmed form', async () => {
  const gift = await paidGift(`b-${randomUUID().slice(0, 8)}@example.org`);
  const v = await staffPhone('zh-CN', ['ADMIN', 'FINANCE']);
  await v.page.goto(`/admin/donations/${gift.id}`);
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  const card = v.page.locator(`#receipt-${gift.receipt.id}`);
  expect(await card.locator('h3').textContent()).toBe(`${gift.receipt.number} · 捐赠票据`);
  expect(await card.locator('.receipt-state').textContent()).toBe('有效');

  // The void form is folded away; it asks for a reason and a tick.
  expect(await card.locator('textarea[name="note"]').isVisible()).toBe(false);
  await card.locator('details.void-receipt summary').click();
  await card.locator('textarea[name="note"]').fill('捐赠人姓名写错');
  await Promise.all([
    v.page.waitForURL(`**/admin/donations/${gift.id}/receipts/${gift.receipt.id}/void`),
    card.locator('form.void-form button[type="submit"]').click(),
  ]);
  expect(await textOf(v.page, `#receipt-${gift.receipt.id} .field-error`)).toBe(
    '请勾选确认后再作废。',
  );
  const again = v.page.locator(`#receipt-${gift.receipt.id}`);
  expect(await again.locator('textarea[name="note"]').inputValue()).toBe('捐赠人姓名写错');
  await again.locator('input[name="confirm"]').check();
  await Promise.all([
    v.page.waitForURL((u) => u.pathname === `/admin/donations/${gift.id}`),
    again.locator('form.void-form button[type="submit"]').click(),
  ]);
  expect(await textOf(v.page, '.flash')).toBe(`票据 ${gift.receipt.number} 已作废。`);
  const state = await textOf(v.page, `#receipt-${gift.receipt.id} .receipt-state`);
  expect(state).toContain('票据开具有误，已由基金会作废');
  expect(state).toContain('捐赠人姓名写错');
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  expect(v.cspViolations).toEqual([]);
  await v.context.close();
});

it('an administrator edits the wording and uploads a seal whose preview shows', async () => {
  const v = await staffPhone('en-US', ['ADMIN']);
  // On a phone the back office's navigation is a menu: open it first.
  await v.page.click('.admin-menu > summary');
  await v.page.click('.admin-nav a[href="/admin/receipts/settings"]');
  await v.page.waitForURL('**/admin/receipts/settings');
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  expect(await v.page.inputValue('#s-titleEn')).toBe('Donation receipt');
  await v.page.fill('#s-signatory', 'Wang Fang, Chair');
  await Promise.all([
    v.page.waitForURL('**/admin/receipts/settings'),
    v.page.click('#receipt-settings-form button[type="submit"]'),
  ]);
  expect(await textOf(v.page, '.flash')).toContain('Receipt settings saved');
  expect(await v.page.inputValue('#s-signatory')).toBe('Wang Fang, Chair');

  await v.page.setInputFiles('#s-seal', {
    name: 'seal.png',
    mimeType: 'image/png',
    buffer: await solidImage('png', { width: 300, height: 300, alpha: true }),
  });
  await Promise.all([
    v.page.waitForURL('**/admin/receipts/settings'),
    v.page.click('#seal-form button[type="submit"]'),
  ]);
  expect(await textOf(v.page, '.flash')).toContain('Seal updated');
  const preview = v.page.locator('#seal-preview img');
  await preview.waitFor();
  const natural = await v.page.evaluate<number>(
    `(async () => { const img = document.querySelector('#seal-preview img'); await img.decode(); return img.naturalWidth; })()`,
  );
  expect(natural).toBe(300);
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  expect(v.cspViolations).toEqual([]);
  await v.context.close();
});

it('a donor lists their receipts and chooses the annual statement only', async () => {
  const email = `portal-${randomUUID().slice(0, 8)}@example.org`;
  const gift = await paidGift(email);
  const v = await phone('en-US');
  await v.page.goto('/donor/login');
  await v.page.fill('#f-email', email);
  await v.page.click('form[action="/donor/login"] button[type="submit"]');
  const url = await waitUntil(async () => {
    const rows: { url: string }[] = await t.dataSource.query(
      `SELECT payload->'data'->>'url' AS url FROM outbox
        WHERE payload->>'template' = 'donor-magic-link' AND payload->>'to' = $1`,
      [email],
    );
    return rows[0]?.url;
  }, 'the magic link');
  const link = new URL(url);
  await v.page.goto(`${link.pathname}${link.search}`);
  await Promise.all([
    v.page.waitForURL('**/donor'),
    v.page.click('form[action="/donor/verify"] button[type="submit"]'),
  ]);
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  const row = v.page.locator(`#receipt-${gift.receipt.id}`);
  expect(await row.locator('td').first().textContent()).toBe(gift.receipt.number);
  expect(await row.locator(`a[href="/donor/receipts/${gift.receipt.id}/pdf"]`).count()).toBe(1);

  // The receipt itself, and the verification its QR code leads to, fit the phone too.
  await v.page.goto(`/donor/receipts/${gift.receipt.id}`);
  expect(await v.page.textContent('body')).toContain(gift.receipt.number);
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  await v.page.goto(
    `/receipts/verify?number=${gift.receipt.number}&code=${gift.receipt.verifyCode}`,
  );
  expect(await v.page.textContent('body')).toContain('林**');
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  await v.page.goto('/donor');

  await v.page.check('input[name="mode"][value="ANNUAL_ONLY"]');
  await Promise.all([
    v.page.waitForURL('**/donor?lang=*'),
    v.page.click('#receipt-preference button[type="submit"]'),
  ]);
  expect(await textOf(v.page, '.flash')).toMatch(/^Saved: Only the annual statement/);
  expect(await textOf(v.page, '#receipt-preference-current')).toMatch(
    /^Now: Only the annual statement/,
  );
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  expect(v.cspViolations).toEqual([]);
  await v.context.close();
});

it('the donation form keeps the tax fields folded away until asked for', async () => {
  const v = await phone('zh-CN');
  await v.page.goto(`/campaigns/${slug}`);
  expect(await v.page.isVisible('#f-receiptTaxId')).toBe(false);
  await v.page.click('#tax-receipt summary');
  expect(await textOf(v.page, '#tax-receipt summary')).toBe('需要抵税票据？');
  expect(await v.page.isVisible('#f-receiptTaxId')).toBe(true);
  await v.page.fill('#f-receiptAddress', '成都市某路 9 号');
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  expect(v.cspViolations).toEqual([]);
  await v.context.close();
});
