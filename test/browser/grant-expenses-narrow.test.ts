import type { Browser } from 'playwright-core';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { launchChromium, pageWidth, phoneVisit, serve, signInByForm, textOf } from './chromium';

/**
 * The expense pages on a 360 px wide phone: a leader requests with an invoice photo's PDF, FINANCE
 * pays from the queue by hand (tick, then press); nothing scrolls sideways.
 */
let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t);
  await createFoundation(t);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function phone(locale: 'zh-CN' | 'en-US', email: string) {
  const v = await phoneVisit(browser, base, locale);
  await signInByForm(v.page, email, TEST_PASSWORD);
  return v;
}

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
