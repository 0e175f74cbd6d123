import type { Browser } from 'playwright-core';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { launchChromium, pageWidth, phoneVisit, serve, signInByForm, textOf } from './chromium';

/**
 * The grant round form on a 360 px wide phone: the officer opens it prefilled with the district's
 * defaults, a wrong percent is shown beside the schedule, the corrected form saves a draft; nothing
 * scrolls sideways.
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

describe('grant round form at 360 px', () => {
  it('creates a draft round from the prefilled form without sideways scrolling', async () => {
    const fund = await createFund(t, { kind: 'PROGRAM', nameZh: '社区营造专项' });
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    const v = await phoneVisit(browser, base, 'zh-CN');
    await signInByForm(v.page, officer.email, TEST_PASSWORD);

    await v.page.goto('/admin/grants/rounds');
    await Promise.all([v.page.waitForURL('**/rounds/new'), v.page.click('#new-round')]);
    expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
    expect(await v.page.inputValue('#tier-0-amount')).toBe('300000.00');
    expect(await v.page.inputValue('#tranche-2-percent')).toBe('20');
    await v.page.fill('#r-nameZh', '2027年度社区项目评审');
    await v.page.fill('#r-nameEn', '2027 community review');
    await v.page.selectOption('#r-fund', fund.id);
    await v.page.fill('#tranche-2-percent', '25');
    await Promise.all([
      v.page.waitForLoadState('load'),
      v.page.click('#round-form button[type="submit"]'),
    ]);
    expect(await textOf(v.page, '#e-tranches')).toContain('各笔比例之和须为 100（现为 105）');
    expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);

    await v.page.fill('#tranche-2-percent', '20');
    await Promise.all([
      v.page.waitForURL(/\/admin\/grants\/rounds\/[0-9a-f-]{36}$/),
      v.page.click('#round-form button[type="submit"]'),
    ]);
    expect(await textOf(v.page, 'h1')).toContain('2027年度社区项目评审');
    expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
    const [row] = await t.dataSource.query(
      `SELECT status, budget_minor::text AS b FROM grant_rounds WHERE name_zh = '2027年度社区项目评审'`,
    );
    expect(row).toEqual({ status: 'DRAFT', b: String(290_000_000) });
    expect(v.pageErrors.concat(v.cspViolations)).toEqual([]);
  });
});
