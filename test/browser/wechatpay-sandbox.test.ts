import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import type { TestApp } from '../utils/test-app';
import { launchChromium, pageWidth, phoneVisit, servePublic, textOf } from './chromium';

/**
 * A gift paid with the sandbox's WeChat Pay, as a donor at a desk with a phone beside it: the
 * desktop's QR page (WeChat Pay Native), the QR code's link opened on the phone (390 px, Chinese),
 * 确认支付 on the sandbox cashier, 支付成功, and the desktop's page moving on to the thank-you page
 * by itself once the notification went through the app's real /webhooks/wechatpay.
 */
const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

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

async function expectFits(page: Page) {
  expect(await pageWidth(page)).toBeLessThanOrEqual(
    await page.evaluate<number>('window.innerWidth'),
  );
}

it('completes a gift from the desktop QR page through the phone cashier at 390 px', async () => {
  const campaign = await createCampaign(t);
  const started = await request(t.server)
    .post(`/api/v1/campaigns/${campaign.slug}/donations`)
    .set('user-agent', DESKTOP_UA)
    .send({
      amountMinor: 123_450,
      donorName: '王小明',
      donorEmail: 'wx-browser@example.org',
      method: 'wechat_pay',
    })
    .expect(201);
  const id = (started.body as { id: string }).id;
  const qrPage = (started.body as { checkoutUrl: string }).checkoutUrl;
  expect(new URL(qrPage).pathname).toBe(`/campaigns/${campaign.slug}/pay/${id}`);

  const desk = await phoneVisit(browser, base, 'zh-CN', 390);
  await desk.page.goto(qrPage);
  await desk.page.waitForSelector('#pay-qr');
  // What the QR code holds: the sandbox cashier's address (a phone's camera would open it).
  const gift = await t.get(DonationsService).get(id);
  const codeUrl = gift.checkoutQr!;
  expect(codeUrl).toMatch(new RegExp(`^${base}/sandbox/wechatpay/pay/wx[0-9a-f]{32}$`));
  // The trial site also links it, for a desktop without a phone at hand.
  expect(await desk.page.getAttribute('#pay-sandbox-scan', 'href')).toBe(codeUrl);

  const phone = await phoneVisit(browser, base, 'zh-CN', 390);
  await phone.page.goto(codeUrl);
  expect(await textOf(phone.page, '#wxpay-amount')).toBe('¥1,234.50');
  expect(await textOf(phone.page, '#wxpay-confirm')).toBe('确认支付');
  expect(await textOf(phone.page, '#wxpay-cancel')).toBe('取消');
  await expectFits(phone.page);
  const button = await phone.page.locator('#wxpay-confirm').boundingBox();
  expect(button!.height).toBeGreaterThanOrEqual(44);
  await Promise.all([phone.page.waitForURL(codeUrl), phone.page.click('#wxpay-confirm')]);
  expect(await textOf(phone.page, '#wxpay-paid')).toContain('支付成功');
  await expectFits(phone.page);
  expect(phone.pageErrors).toEqual([]);
  expect(phone.cspViolations).toEqual([]);

  // The desktop's QR page notices by itself and moves on to the thank-you page.
  await desk.page.waitForURL(/\/thanks\?donation=/, { timeout: 30_000 });
  expect(new URL(desk.page.url()).searchParams.get('donation')).toBe(id);
  expect((await t.get(DonationsService).get(id)).status).toBe('SUCCEEDED');
  await expectFits(desk.page);
  expect(desk.cspViolations).toEqual([]);
  await desk.context.close();
  await phone.context.close();
}, 120_000);
