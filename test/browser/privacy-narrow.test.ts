import type { Browser, Page } from 'playwright-core';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { launchChromium, pageWidth, phoneVisit, serve, signInByForm, textOf } from './chromium';

/**
 * The privacy pages and notices on a 360 px wide phone: the public policy with its periods table,
 * the donation form's notices and the tax tick (refused without it, beside the tick), and the
 * back-office editor. Nothing scrolls sideways and no Content-Security-Policy rule is broken.
 */
let t: TestApp;
let browser: Browser;
let base: string;
let slug: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t);
  await createFoundation(t);
  slug = (await createCampaign(t)).slug;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The elements that reach past the 360 px screen (tables scroll inside their own box). */
const overflowing = (page: Page) =>
  page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > 360.5 && !e.closest('.table-scroll, .table-wrap'))
    .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''))`);

it('the policy page reads on a phone, in Chinese, with its periods', async () => {
  const v = await phoneVisit(browser, base, 'zh-CN');
  await v.page.goto('/privacy');
  expect(await textOf(v.page, 'h1')).toBe('个人信息保护政策');
  expect(await textOf(v.page, '#policy-version')).toMatch(/^第 1 版，发布于/);
  expect(await textOf(v.page, '#period-donorContactYears td')).toBe('5');
  expect(await v.page.isVisible('#retention-periods table')).toBe(true);
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  expect(v.cspViolations).toEqual([]);
  expect(v.pageErrors).toEqual([]);
  await v.context.close();
});

it('the donation form states its notices and asks for the tax tick beside it', async () => {
  const v = await phoneVisit(browser, base, 'zh-CN');
  await v.page.goto(`/campaigns/${slug}`);
  expect(await v.page.isVisible('#privacy-notice-donation')).toBe(true);
  expect(await textOf(v.page, '#privacy-notice-donation')).toContain('最后一次捐赠后 5 年');
  expect(await v.page.isVisible('#privacy-notice-receiptTax')).toBe(false);
  await v.page.click('#tax-receipt summary');
  expect(await v.page.isVisible('#privacy-notice-receiptTax')).toBe(true);
  expect(await v.page.isVisible('#f-receiptTaxConsent')).toBe(true);
  expect(await overflowing(v.page)).toEqual([]);

  await v.page.fill('#f-donorName', '林小雨');
  await v.page.fill('#f-donorEmail', 'lin@example.org');
  await v.page.fill('#f-receiptAddress', '成都市某路 9 号');
  await Promise.all([
    v.page.waitForURL(/\/donate/),
    v.page.click('#donate-form button[type="submit"]'),
  ]);
  expect(await textOf(v.page, '#e-receiptTaxConsent')).toMatch(/^如需报税票据，请勾选/);
  expect(await v.page.isVisible('#f-receiptTaxConsent')).toBe(true);
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  expect(v.cspViolations).toEqual([]);
  await v.context.close();
});

it('the back-office editor fits a phone', async () => {
  const admin = await createUser(t, ['ADMIN']);
  const v = await phoneVisit(browser, base, 'en-US');
  await signInByForm(v.page, admin.email, TEST_PASSWORD);
  await v.page.goto('/admin/privacy?lang=en');
  expect(await v.page.isVisible('#p-bodyZh')).toBe(true);
  expect(await v.page.isVisible('#s-donorContactYears')).toBe(true);
  expect(await overflowing(v.page)).toEqual([]);
  expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
  expect(v.cspViolations).toEqual([]);
  await v.context.close();
});
