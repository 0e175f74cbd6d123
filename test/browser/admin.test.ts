import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createTestApp, type TestApp } from '../utils/test-app';
import { seedBackOffice, type BackOffice } from './admin-fixtures';
import { launchChromium, serve, signInByForm, textOf, visit as open } from './chromium';

/**
 * The back office in a real browser (Debian chromium driven by playwright-core) against the full
 * app listening on a free port: sign in through the form, the dashboard's figures, the SVG
 * chart, the CSV download, a form post, a leader refused another fund, and no page breaking the
 * Content-Security-Policy.
 */

let t: TestApp;
let seed: BackOffice;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t);
  seed = await seedBackOffice(t);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const visit = (locale: 'zh-CN' | 'en-US') => open(browser, base, locale);

/** Opening the back office asks for a sign-in first (`/login?next=`). */
const signIn = (page: Page, email: string, password: string) =>
  signInByForm(page, email, password, '/admin');

const text = textOf;

describe('back office in a browser', () => {
  it('an administrator signs in, sees the dashboard, the chart, downloads the CSV and allocates by form', async () => {
    const v = await visit('zh-CN');
    const { page } = v;
    await signIn(page, seed.admin.email, seed.admin.password);
    expect(new URL(page.url()).pathname).toBe('/admin');

    // Dashboard figures: ¥1,000,000 came in from outside; allocations between funds add nothing.
    expect(await text(page, '#figure-held .value')).toBe('¥1,000,000.00');
    expect(await text(page, '#figure-raised-month .value')).toBe('¥1,000,000.00');
    expect(await text(page, '#figure-raised-year .value')).toBe('¥1,000,000.00');
    expect(await text(page, '#figure-coverage .value')).toBe('2 / 3');
    expect(await text(page, `tr[data-fund-code="GENERAL"] td.num`)).toBe('¥600,000.00');
    expect(await text(page, `tr[data-fund-code="${seed.fundA.code}"] td.num`)).toBe('¥200,000.00');
    expect(await page.locator('.admin-nav a').allTextContents()).toEqual([
      '概览',
      '基金',
      '拨付',
      '限定资金解除',
      '支出',
      '募捐项目',
      '捐赠',
      '删除申请',
      '项目资助',
      '评审轮次',
      '奖励与拨款',
      '满意度测评',
      '基金会信息',
      '票据设置',
      '个人信息保护',
      '用户',
      '审计日志',
      '我的 API 令牌',
      '保存期限',
    ]);

    // The fund page: a server-rendered SVG with 12 months of paired bars and balance points.
    await page.click(`tr[data-fund-code="${seed.fundA.code}"] a`);
    await page.waitForURL(`**/admin/funds/${seed.fundA.id}`);
    const chart = page.locator('figure.chart-figure svg.chart');
    expect(await chart.isVisible()).toBe(true);
    expect(await chart.locator('rect.chart-bar').count()).toBe(24);
    expect(await chart.locator('circle.chart-point').count()).toBe(12);
    expect(await chart.locator('polyline.chart-line').count()).toBe(1);
    expect(await chart.getAttribute('aria-labelledby')).toBe('fund-chart-title fund-chart-desc');
    expect(await text(page, '#fund-chart-title')).toContain('桃源社区基金');
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(await page.locator('table.statement tbody tr').count()).toBe(1);

    // The statement as CSV, through the browser's download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#statement-csv'),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^statement-${seed.fundA.code}-\\d{4}-\\d{2}-\\d{2}\\.csv$`),
    );
    const csv = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('记账时间（北京时间）,事项,金额（元）,余额（元）,币种,分录编号');
    expect(rows.slice(1)).toEqual([
      expect.stringMatching(/,拨付 · 综合基金,200000\.00,200000\.00,CNY,[0-9a-f-]{36}$/),
    ]);

    // An allocation through the form; the result shows after the redirect.
    await page.goto('/admin/allocations');
    await page.selectOption('#t-from', seed.general.id);
    await page.selectOption('#t-to', seed.fundA.id);
    await page.fill('#t-amount', '88.80');
    await Promise.all([
      page.waitForSelector('#confirm-form'),
      page.click('#transfer-form button[type="submit"]'),
    ]);
    expect(await text(page, '#confirm-effects')).toContain(
      '「桃源社区基金」的余额从 ¥200,000.00 变为 ¥200,088.80。',
    );
    await Promise.all([page.waitForSelector('.flash-success'), page.click('#confirm-button')]);
    expect(await text(page, '.flash-success')).toBe('已从 综合基金 拨付 ¥88.80 至 桃源社区基金。');
    expect((await t.get(FundsService).get(seed.fundA.id)).balanceMinor).toBe(20_000_000 + 8880);

    // A typo shows beside the field, and the language switch keeps the page.
    await page.fill('#t-amount', '1.234');
    await page.click('#transfer-form button[type="submit"]');
    expect(await text(page, '#e-t-amount')).toBe('最多两位小数，例如 200000.00。');
    await page.click('.admin-user a[hreflang="en"]');
    expect(await text(page, 'h1')).toBe('Allocations');
    await page.goto('/admin');
    expect(await text(page, 'h1')).toBe('Dashboard');

    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });

  it('a community leader lands on their funds and cannot open another fund (403 page)', async () => {
    const v = await visit('en-US');
    const { page } = v;
    await signIn(page, seed.leader.email, seed.leader.password);
    expect(new URL(page.url()).pathname).toBe('/admin/my-funds');
    expect(await page.locator('.admin-nav a').allTextContents()).toEqual([
      'My funds',
      'Expenses',
      'Campaigns',
      'My applications',
    ]);
    expect(await page.locator('table.funds-table tbody tr').count()).toBe(1);

    await page.click(`tr[data-fund-code="${seed.fundA.code}"] a`);
    expect(await page.locator('svg.chart rect.chart-bar').count()).toBe(24);

    const refused = await page.goto(`/admin/funds/${seed.fundB.id}`);
    expect(refused!.status()).toBe(403);
    expect(await text(page, 'h1')).toContain('403');
    expect(await page.locator('svg.chart').count()).toBe(0);
    const csv = await page.request.get(`/admin/funds/${seed.fundB.id}/statement.csv`);
    expect(csv.status()).toBe(403);

    // Signing out through the layout's form ends the session.
    await page.goto('/admin/my-funds');
    await Promise.all([
      page.waitForURL('**/login'),
      page.click('.admin-user form[action="/logout"] button'),
    ]);
    await page.goto('/admin/my-funds');
    await page.waitForURL(/\/login\?next=/);

    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });
});
