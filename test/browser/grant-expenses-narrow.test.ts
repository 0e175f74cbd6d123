import type { Browser, Page } from 'playwright-core';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { launchChromium, textOf, visit } from './chromium';

/**
 * The expense pages on a 360 px wide phone: a leader requests with an invoice photo's PDF, FINANCE
 * pays from the queue by hand (tick, then press); nothing scrolls sideways.
 */
let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  await createFoundation(t);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function phone(locale: 'zh-CN' | 'en-US', email: string) {
  const v = await visit(browser, base, locale);
  await v.page.setViewportSize({ width: 360, height: 740 });
  await v.page.goto('/login');
  await v.page.fill('#f-email', email);
  await v.page.fill('#f-password', TEST_PASSWORD);
  await Promise.all([
    v.page.waitForURL((url) => !url.pathname.startsWith('/login')),
    v.page.click('form[action="/login"] button[type="submit"]'),
  ]);
  return v;
}

const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('expenses at 360 px', () => {
  it('a leader requests with the invoice and FINANCE pays it, without sideways scrolling', async () => {
    const fund = await createFund(t, { kind: 'COMMUNITY' });
    await fundFromOutside(t, fund, 100_000);
    const leader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [fund.id] });
    const finance = await createUser(t, ['FINANCE']);

    const l = await phone('zh-CN', leader.email);
    await l.page.goto('/admin/expenses');
    expect(await pageWidth(l.page)).toBeLessThanOrEqual(360);
    await l.page.click('#request-from-my-funds a');
    expect(await pageWidth(l.page)).toBeLessThanOrEqual(360);
    await l.page.fill('#x-payee', '幸福超市');
    await l.page.fill('#x-purpose', '重阳节长者活动日用品');
    await l.page.fill('#x-amount', '88.00');
    await l.page.setInputFiles('#x-invoice', {
      name: '发票.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'),
    });
    await Promise.all([
      l.page.waitForURL('**/admin/expenses/*'),
      l.page.click('#expense-form button[type="submit"]'),
    ]);
    expect(await textOf(l.page, '#expense-status')).toBe('待支付');
    expect(await textOf(l.page, '#expense-files')).toContain('发票.pdf');
    expect(await pageWidth(l.page)).toBeLessThanOrEqual(360);

    const f = await phone('en-US', finance.email);
    await f.page.goto('/admin/expenses?status=REQUESTED&lang=en');
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    const card = f.page.locator('article.expense').first();
    expect(await card.textContent()).toContain('幸福超市');
    await card.locator('form.expense-pay input[name="confirm"]').check();
    await Promise.all([
      f.page.waitForURL('**/admin/expenses'),
      card.locator('form.expense-pay button[type="submit"]').click(),
    ]);
    expect(await textOf(f.page, '.flash')).toMatch(/Paid (CN)?¥88\.00 to 幸福超市/);
    expect((await t.get(FundsService).get(fund.id)).balanceMinor).toBe(100_000 - 8_800);
    expect(l.pageErrors.concat(f.pageErrors, l.cspViolations, f.cspViolations)).toEqual([]);
  });
});
