import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';
import { seedBackOffice, type BackOffice } from './admin-fixtures';
import { launchChromium, pageWidth, phoneVisit, serve, signInByForm, textOf } from './chromium';

/**
 * Back-office forms on a 360 px wide phone, in Chinese. The confirmation step: the page states
 * the amount and the effect, nothing scrolls sideways, Confirm and Back are big enough to tap,
 * Back changes nothing and Confirm acts. The campaign form: funds grouped by subdistrict with a
 * search box, and a campaign written in Chinese only.
 */
let t: TestApp;
let seed: BackOffice;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t);
  seed = await seedBackOffice(t, '-confirm');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function phone(email: string, password: string) {
  const v = await phoneVisit(browser, base, 'zh-CN');
  await signInByForm(v.page, email, password);
  return v;
}

const box = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!;

async function expectTappable(page: Page) {
  for (const selector of ['#confirm-button', '#confirm-back']) {
    const { width, height } = await box(page, selector);
    expect({ selector, tall: height >= 44, wide: width >= 44 }).toEqual({
      selector,
      tall: true,
      wide: true,
    });
  }
}

describe('the confirmation step at 360 px', () => {
  it('confirms a transfer on a phone: amount and balances stated, Confirm moves the money', async () => {
    const funds = t.get(FundsService);
    const before = (await funds.get(seed.fundA.id)).balanceMinor;
    const a = await phone(seed.admin.email, seed.admin.password);
    await a.page.goto('/admin/allocations');
    await a.page.selectOption('#t-from', seed.general.id);
    await a.page.selectOption('#t-to', seed.fundA.id);
    await a.page.fill('#t-amount', '66.60');
    await Promise.all([
      a.page.waitForSelector('#confirm-form'),
      a.page.click('#transfer-form button[type="submit"]'),
    ]);
    expect(await textOf(a.page, 'h1')).toBe('确认基金间拨付');
    expect(await textOf(a.page, '#confirm-facts')).toContain('¥66.60');
    expect(await textOf(a.page, '#confirm-effects')).toMatch(/余额从 ¥[\d,]+\.\d{2} 变为/);
    expect(await pageWidth(a.page)).toBeLessThanOrEqual(360);
    await expectTappable(a.page);
    expect((await funds.get(seed.fundA.id)).balanceMinor).toBe(before);

    await Promise.all([a.page.waitForSelector('.flash-success'), a.page.click('#confirm-button')]);
    expect(await textOf(a.page, '.flash-success')).toContain('¥66.60');
    expect((await funds.get(seed.fundA.id)).balanceMinor).toBe(before + 6_660);
    expect(a.cspViolations).toEqual([]);
    expect(a.pageErrors).toEqual([]);
    await a.context.close();
  });

  it('shows a refund’s confirmation on a phone, and Back leaves the gift as it was', async () => {
    const campaign = await createCampaign(t, { fundId: seed.fundA.id, slug: 'narrow-refund' });
    const started = await request(t.server)
      .post(`/api/v1/campaigns/${campaign.slug}/donations`)
      .send({ amountMinor: 25_000, donorName: '王小明', donorEmail: 'refund-narrow@example.org' })
      .expect(201);
    const giftId = (started.body as { id: string }).id;
    await deliver(
      t.server,
      stripeEvent(
        `evt_confirm_${giftId}`,
        'checkout.session.completed',
        paidSession(giftId, 25_000),
      ),
    ).expect(200);
    const finance = await createUser(t, ['FINANCE']);

    const f = await phone(finance.email, TEST_PASSWORD);
    await f.page.goto(`/admin/donations/${giftId}`);
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    await f.page.fill('#r-amount', '50.00');
    await f.page.fill('#r-reason', '捐赠人申请撤回部分捐赠，已电话核实身份');
    await Promise.all([
      f.page.waitForSelector('#confirm-form'),
      f.page.click('#refund-form button[type="submit"]'),
    ]);
    expect(await textOf(f.page, 'h1')).toBe('确认退款');
    const effects = await textOf(f.page, '#confirm-effects');
    expect(effects).toContain('王小明 将拿回 ¥50.00');
    expect(effects).toContain('refund-narrow@example.org');
    expect(await textOf(f.page, '#confirm-facts')).toContain('已电话核实身份');
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    await expectTappable(f.page);

    await Promise.all([
      f.page.waitForURL(`**/admin/donations/${giftId}`),
      f.page.click('#confirm-back'),
    ]);
    expect(await textOf(f.page, '#gift-refunded')).toBe('¥0.00');
    expect(f.cspViolations).toEqual([]);
    expect(f.pageErrors).toEqual([]);
    await f.context.close();
  });
});

describe('the campaign form at 360 px', () => {
  it('finds a fund by typing part of its name, and takes a campaign written in Chinese only', async () => {
    const a = await phone(seed.admin.email, seed.admin.password);
    await a.page.goto('/admin/campaigns/new');
    expect(await pageWidth(a.page)).toBeLessThanOrEqual(360);
    const groups = a.page.locator('#c-fundId optgroup');
    expect(await groups.first().getAttribute('label')).toBe('基金会直属基金');
    expect(await groups.count()).toBeGreaterThanOrEqual(2);
    await a.page.fill('#c-fundSearch', '桃源');
    const shown = await a.page.locator('#c-fundId option').allTextContents();
    expect(shown.filter((text) => text.includes('桃源社区基金'))).toHaveLength(1);
    expect(shown.some((text) => text.includes('松坪'))).toBe(false);
    expect(await textOf(a.page, '[data-fund-count]')).toBe('共 1 个基金');
    const { height } = await box(a.page, '#c-fundSearch');
    expect(height).toBeGreaterThanOrEqual(44);

    await a.page.selectOption('#c-fundId', seed.fundA.id);
    await a.page.fill('#c-titleZh', '桃源社区 儿童阅读角');
    await Promise.all([
      a.page.waitForURL(/\/admin\/campaigns\/[0-9a-f-]{36}$/),
      a.page.click('#campaign-form button[type="submit"]'),
    ]);
    expect(await a.page.inputValue('#c-slug')).toBe('tao-yuan-she-qu-er-tong-yue-du-jiao');
    expect(await pageWidth(a.page)).toBeLessThanOrEqual(360);
    expect(a.cspViolations).toEqual([]);
    expect(a.pageErrors).toEqual([]);
    await a.context.close();
  });
});
