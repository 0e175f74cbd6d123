import type { Browser, Page } from 'playwright-core';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { SandboxProcessor } from '../../src/modules/payments/sandbox/sandbox-processor';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import type { TestApp } from '../utils/test-app';
import { launchChromium, servePublic, textOf, visit } from './chromium';

/**
 * A donor on a phone (390 px, Chinese) whose card is declined: the form with its amount buttons
 * and fee line, a problem pointed out with the focus on it, the review, the sandbox checkout,
 * "decline", and back on the form with "nothing was charged" and everything still filled in; the
 * gift ends FAILED. Walking away from the checkout instead ends EXPIRED once it times out. And a
 * monthly donor's thank-you page, on a phone.
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

/** The page does not scroll sideways. */
async function fitsWidth(page: Page): Promise<{ scroll: number; inner: number }> {
  return page.evaluate<{ scroll: number; inner: number }>(
    '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
  );
}

/** LIANXIN_SHOTS=<dir> keeps a screenshot of each step, for a person to look at. */
async function shot(page: Page, name: string) {
  const dir = process.env.LIANXIN_SHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Every element matching `selector` is at least 44 px tall: a finger can hit it. */
async function expectTappable(page: Page, selector: string) {
  const heights = await page
    .locator(selector)
    .evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().height));
  expect(heights.length).toBeGreaterThan(0);
  for (const height of heights) expect(height).toBeGreaterThanOrEqual(44);
}

async function expectFits(page: Page) {
  const { scroll, inner } = await fitsWidth(page);
  expect(scroll).toBeLessThanOrEqual(inner);
}

const donationIdOf = (url: string) => new URL(url).searchParams.get('donation')!;

describe('a declined payment on a phone, in Chinese', () => {
  it('returns the donor to the form with the entries kept and the message shown; the gift is FAILED', async () => {
    const campaign = await createCampaign(t, { titleZh: '长者助餐' });
    const v = await visit(browser, base, 'zh-CN');
    const { page } = v;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/campaigns/${campaign.slug}`);
    await expectFits(page);

    // Amount buttons: typing an amount of one's own selects "other"; the fee line shows its amount.
    expect(await page.isChecked('input[name="amount"][value="50.00"]')).toBe(true);
    await page.fill('#f-otherAmount', '88.80');
    expect(await page.isChecked('#f-amount-other')).toBe(true);
    await page.check('#f-coverFee');
    // 0.6% of ¥88.80 is ¥0.5328: ¥0.54, rounded up as the server does.
    expect(await textOf(page, '#fee-amount')).toBe('（手续费 ¥0.54）');
    const preset = await page.locator('label.preset').first().boundingBox();
    expect(preset!.height).toBeGreaterThanOrEqual(44);

    // A problem: pointed out at the top and beside the field, with the focus on it.
    await page.fill('#f-donorName', '王芳');
    await page.fill('#f-donorEmail', '');
    await Promise.all([
      page.waitForSelector('#error-summary'),
      page.click('form.donate button[type="submit"]'),
    ]);
    await shot(page, 'form-errors');
    expect(await textOf(page, '#error-summary a')).toBe('请填写邮箱，用于接收捐赠票据。');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe(
      'f-donorEmail',
    );
    expect(await page.getAttribute('#f-donorEmail', 'aria-invalid')).toBe('true');
    await expectTappable(page, '#error-summary a, #tax-receipt summary');
    await expectTappable(
      page,
      'label.preset, label.check, form.donate button, form.donate input:not([type="checkbox"])',
    );
    expect(await page.inputValue('#f-otherAmount')).toBe('88.80');
    await expectFits(page);

    await page.fill('#f-donorEmail', 'wang.fang@example.org');
    await page.fill('#f-dedication', '我的外婆');
    // By card (the sandbox's checkout), when other rails are offered too.
    if (await page.$('#f-method-stripe')) await page.check('#f-method-stripe');
    await Promise.all([
      page.waitForSelector('#gift-review'),
      page.click('form.donate button[type="submit"]'),
    ]);
    await shot(page, 'review');
    expect(await textOf(page, '#r-gift')).toBe('¥88.80');
    expect(await textOf(page, '#r-fee')).toBe('¥0.54');
    expect(await textOf(page, '#r-total')).toBe('¥89.34');
    expect(await textOf(page, '#r-often')).toBe('单次捐赠');
    expect(await textOf(page, '#r-shown')).toBe('王芳');
    await expectTappable(page, '#review-form button');
    await expectFits(page);

    // The sandbox checkout fits the phone and speaks Chinese.
    await Promise.all([
      page.waitForURL(/\/sandbox\/checkout\/cs_sandbox_/),
      page.click('#review-pay'),
    ]);
    await shot(page, 'sandbox');
    expect(await textOf(page, 'h1')).toBe('沙盒收银台');
    expect(await page.textContent('main')).toContain('¥89.34');
    await expectTappable(page, '.sandbox-checkout button, #sandbox-cancel');
    await expectFits(page);
    await page.setViewportSize({ width: 360, height: 740 });
    await expectFits(page);
    await page.setViewportSize({ width: 390, height: 844 });

    // Declined: back on the form, nothing charged, nothing lost.
    await Promise.all([
      page.waitForURL(/\/campaigns\/.+\/not-completed\?donation=/),
      page.click('form[action$="/decline"] button'),
    ]);
    const declinedId = donationIdOf(page.url());
    // The page opens at the form (#give): the message is on screen, not below the story.
    const shown = await page.locator('#not-completed').boundingBox();
    expect(shown!.y).toBeGreaterThanOrEqual(0);
    expect(shown!.y + shown!.height).toBeLessThanOrEqual(844);
    expect(page.url()).not.toContain('wang');
    await shot(page, 'not-completed');
    const message = await textOf(page, '#not-completed');
    expect(message).toContain('支付未完成，没有扣款');
    expect(message).toContain('银行卡或支付账户拒绝了这笔付款。');
    expect(message).toContain('您填写的内容都还在');
    expect(await page.inputValue('#f-otherAmount')).toBe('88.80');
    expect(await page.isChecked('#f-amount-other')).toBe(true);
    expect(await page.inputValue('#f-donorName')).toBe('王芳');
    expect(await page.inputValue('#f-donorEmail')).toBe('wang.fang@example.org');
    expect(await page.inputValue('#f-dedication')).toBe('我的外婆');
    expect(await page.isChecked('#f-coverFee')).toBe(true);
    expect(await textOf(page, '#fee-amount')).toBe('（手续费 ¥0.54）');
    await expectFits(page);
    expect(await t.get(DonationsService).get(declinedId)).toMatchObject({
      status: 'FAILED',
      amountMinor: 8_934,
      feeCoverMinor: 54,
    });

    // Again, and this time the donor walks away from the checkout: the gift waits, then EXPIRED.
    await Promise.all([
      page.waitForSelector('#gift-review'),
      page.click('form.donate button[type="submit"]'),
    ]);
    await Promise.all([
      page.waitForURL(/\/sandbox\/checkout\/cs_sandbox_/),
      page.click('#review-pay'),
    ]);
    await Promise.all([
      page.waitForURL(/\/campaigns\/.+\/not-completed\?donation=/),
      page.click('#sandbox-cancel'),
    ]);
    const abandonedId = donationIdOf(page.url());
    expect(abandonedId).not.toBe(declinedId);
    const again = await textOf(page, '#not-completed');
    expect(again).toContain('支付未完成，没有扣款');
    expect(again).not.toContain('拒绝');
    expect(await page.inputValue('#f-donorEmail')).toBe('wang.fang@example.org');
    expect((await t.get(DonationsService).get(abandonedId)).status).toBe('PENDING');
    await t.get(SandboxProcessor).expireOverdue(new Date(Date.now() + 25 * 3600_000));
    expect((await t.get(DonationsService).get(abandonedId)).status).toBe('EXPIRED');
    expect((await t.get(DonationsService).get(declinedId)).status).toBe('FAILED');

    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });
  it('thanks a monthly donor on a phone as one, with My gifts and a share link', async () => {
    const campaign = await createCampaign(t, { titleZh: '社区花园' });
    const v = await visit(browser, base, 'zh-CN');
    const { page } = v;
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`/campaigns/${campaign.slug}`);
    await page.check('input[name="amount"][value="100.00"]');
    await page.fill('#f-donorName', '李明');
    await page.fill('#f-donorEmail', 'li.monthly@example.org');
    await page.check('input[name="monthly"]');
    await Promise.all([
      page.waitForSelector('#gift-review'),
      page.click('form.donate button[type="submit"]'),
    ]);
    expect(await textOf(page, '#r-total')).toBe('每月 ¥100.00');
    expect(await textOf(page, '#r-often')).toBe('每月捐赠（可随时停止）');
    await Promise.all([page.waitForURL(/\/sandbox\/checkout\//), page.click('#review-pay')]);
    await Promise.all([
      page.waitForURL(/\/campaigns\/.+\/thanks\?donation=/),
      page.click('form[action$="/pay"] button'),
    ]);
    await page.waitForSelector('#gift-received', { timeout: 15_000 });
    await shot(page, 'thanks');
    expect(await textOf(page, '#gift-monthly')).toBe(
      '这是一笔月捐：之后每月捐赠 ¥100.00，随时可以在“我的捐赠”里停止。',
    );
    expect(await page.getAttribute('#portal-link', 'href')).toBe('/donor?lang=zh-CN');
    expect(await page.inputValue('#thanks-share-url')).toBe(
      `${base}/campaigns/${campaign.slug}?lang=zh-CN`,
    );
    await expectTappable(page, '.thanks .next-steps a, #thanks-share-url');
    await expectFits(page);
    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });
});
