import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import type { TestApp } from '../utils/test-app';
import { launchChromium, phoneVisit, servePublic, textOf } from './chromium';

/**
 * A donor in Alipay's own browser on a 390 px phone, in Chinese: the gift's Alipay order sends
 * them to the sandbox's Alipay cashier (the real adapter's signed URL on the fake gateway), which
 * fits the screen; 确认付款 sends the signed notification through /webhooks/alipay and brings
 * them back to the thank-you page with the gift confirmed.
 */
const ALIPAY_UA =
  'Mozilla/5.0 (Linux; U; Android 13; zh-CN) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 Mobile Safari/537.36 AlipayClient/10.5.86.8000';

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
    const started = await request(t.server)
      .post(`/api/v1/campaigns/${campaign.slug}/donations`)
      .set('user-agent', ALIPAY_UA)
      .send({
        amountMinor: 8_880,
        donorName: '王芳',
        donorEmail: 'wang.fang@example.org',
        method: 'alipay',
        locale: 'zh-CN',
      })
      .expect(201);
    const { id, checkoutUrl } = started.body as { id: string; checkoutUrl: string };

    const v = await phoneVisit(browser, base, 'zh-CN', 390);
    const { page } = v;
    await page.goto(checkoutUrl);
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
