import type { Browser, Page } from 'playwright-core';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import type { TestApp } from '../utils/test-app';
import { launchChromium, phoneVisit, servePublic, textOf } from './chromium';

/**
 * A donor on a 390 px phone, in Chinese, chooses Alipay on the donation form: the gift's Alipay
 * order sends them to the sandbox's Alipay cashier (the real adapter's signed URL on the fake gateway), which
 * fits the screen; 确认付款 sends the signed notification through /webhooks/alipay and brings
 * them back to the thank-you page with the gift confirmed.
 */
let t: TestApp;
let browser: Browser;
let base: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ t, base, close: stop } = await servePublic());
  browser = await launchChromium();
  await createFoundation(t);
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

const fits = (page: Page) =>
  page.evaluate<{ scroll: number; inner: number }>(
    '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
  );

async function heights(page: Page, selector: string): Promise<number[]> {
  return page
    .locator(selector)
    .evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().height));
}

describe('the sandbox Alipay cashier on a phone', () => {
  it('completes a gift at 390 px: cashier, 确认付款, thank-you page', async () => {
    const campaign = await createCampaign(t, { titleZh: '长者助餐' });
    const v = await phoneVisit(browser, base, 'zh-CN', 390);
    const { page } = v;
    await page.goto(`/campaigns/${campaign.slug}`);
    await page.fill('#f-otherAmount', '88.80');
    await page.fill('#f-donorName', '王芳');
    await page.fill('#f-donorEmail', 'wang.fang@example.org');
    await page.check('#f-method-alipay');
    await Promise.all([
      page.waitForSelector('#gift-review'),
      page.click('form.donate button[type="submit"]'),
    ]);
    expect(await textOf(page, '#r-total')).toBe('¥88.80');
    await page.click('#review-pay');
    await page.waitForURL(/\/sandbox\/alipay\/cashier\/[0-9a-f]{32}/);
    expect(await textOf(page, '#alipay-cashier-amount')).toBe('¥88.80');
    expect(await textOf(page, '#alipay-cashier-subject')).toBe('长者助餐');
    expect(await textOf(page, '.alipay-cashier-pay')).toBe('确认付款');
    expect(await textOf(page, '.alipay-cashier-cancel')).toBe('取消');
    for (const h of await heights(page, '.alipay-cashier-pay, .alipay-cashier-cancel')) {
      expect(h).toBeGreaterThanOrEqual(44);
    }
    const { scroll, inner } = await fits(page);
    expect(scroll).toBeLessThanOrEqual(inner);

    await Promise.all([
      page.waitForURL(/\/campaigns\/.+\/thanks\?donation=/),
      page.click('.alipay-cashier-pay'),
    ]);
    await page.waitForSelector('#gift-received', { timeout: 15_000 });
    expect(await textOf(page, '#gift-received')).toContain('¥88.80');
    const id = new URL(page.url()).searchParams.get('donation')!;
    expect(new URL(page.url()).searchParams.get('out_trade_no')).toBe(id.replaceAll('-', ''));
    expect(await t.get(DonationsService).get(id)).toMatchObject({
      status: 'SUCCEEDED',
      provider: 'ALIPAY',
      amountMinor: 8_880,
    });
    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });
});
