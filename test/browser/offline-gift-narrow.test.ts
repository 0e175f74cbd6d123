import type { Browser } from 'playwright-core';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { launchChromium, pageWidth, serve, signInByForm, textOf, visit } from './chromium';

/**
 * Finance on a phone records a cash gift by hand straight into a community fund (no campaign, no
 * name, no email), dated days back: at 360 px nothing scrolls sideways, even with a fund whose
 * name is long, and the gift's page says what happened in Chinese.
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

it('records a cash gift into a fund from a 360 px phone', async () => {
  const fund = await createFund(t, {
    kind: 'COMMUNITY',
    nameZh:
      '成华区社区发展基金会下涧槽社区居民自治与邻里互助专项基金（长者助餐、儿童托管与社区花园）',
  });
  await t.dataSource.query(`UPDATE funds SET created_at = '2024-01-02T00:00:00Z' WHERE id = $1`, [
    fund.id,
  ]);
  const user = await createUser(t, ['FINANCE']);
  const v = await visit(browser, base, 'zh-CN');
  try {
    const { page } = v;
    await page.setViewportSize({ width: 360, height: 740 });
    await signInByForm(page, user.email, TEST_PASSWORD);
    await page.goto('/admin/donations/offline');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await page.selectOption('#o-fund', fund.code);
    await page.fill('#o-amount', '88.00');
    await page.selectOption('#o-method', 'CASH');
    await page.fill('#o-reference', 'CASH-PHONE-1');
    await page.fill('#o-receivedAt', '2026-11-02');
    await Promise.all([
      page.waitForURL(/\/admin\/donations\/[0-9a-f-]{36}$/),
      page.click('#offline-form button[type="submit"]'),
    ]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    expect(await textOf(page, '#gift-donor')).toContain('未留姓名');
    expect(await textOf(page, '#gift-email')).toContain('未留邮箱');
    expect(await textOf(page, '#gift-received')).toBe('2026年11月2日');
    expect(await textOf(page, '#gift-fund')).toContain('直接记入基金');
  } finally {
    await v.context.close();
  }
});
