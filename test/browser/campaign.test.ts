import type { Browser } from 'playwright-core';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import type { TestApp } from '../utils/test-app';
import { launchChromium, servePublic, textOf, visit } from './chromium';

/**
 * A donor in a real browser: the campaign page, its form, the sandbox checkout's Pay button (a
 * signed webhook to this app), the thank-you page refreshing itself until the gift is confirmed,
 * with the match, and no page breaking the Content-Security-Policy.
 */

let t: TestApp;
let browser: Browser;
let base: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ t, base, close: stop } = await servePublic());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe('a donor in a browser', () => {
  it('gives through the campaign page, pays on the sandbox checkout and is thanked with the match', async () => {
    await createFoundation(t);
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 30_000);
    const campaign = await createCampaign(t, { titleEn: 'Meals for elders' });
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));

    const v = await visit(browser, base, 'en-US');
    const { page } = v;
    await page.goto(`/campaigns/${campaign.slug}`);
    expect(await textOf(page, 'h1')).toBe('Meals for elders');
    expect(await textOf(page, '#matching-active')).toContain('¥300.00 of matching is left');

    await page.check('input[name="amount"][value="100.00"]');
    await page.fill('#f-donorName', 'Li Ming');
    await page.fill('#f-donorEmail', 'li.ming@example.org');
    await page.fill('#f-dedication', 'my grandmother');
    // By card (the sandbox's checkout), when other rails are offered too.
    if (await page.$('#f-method-stripe')) await page.check('#f-method-stripe');
    // The review first, then on to the checkout.
    await Promise.all([
      page.waitForSelector('#gift-review'),
      page.click('form.donate button[type="submit"]'),
    ]);
    expect(await textOf(page, '#r-total')).toBe('¥100.00');
    await Promise.all([
      page.waitForURL(/\/sandbox\/checkout\/cs_sandbox_/),
      page.click('#review-pay'),
    ]);
    expect(await page.content()).toContain('¥100.00');

    // Pay: the sandbox posts the signed completion to /webhooks/stripe, then returns the donor
    // to the thank-you page, which shows the confirmed gift (refreshing itself until it is).
    await Promise.all([
      page.waitForURL(/\/campaigns\/.+\/thanks\?donation=/),
      page.click('form[action$="/pay"] button'),
    ]);
    await page.waitForSelector('#gift-received', { timeout: 15_000 });
    expect(await textOf(page, '#gift-received')).toContain('¥100.00');
    expect(await textOf(page, '#gift-matched')).toContain('¥100.00');

    const id = new URL(page.url()).searchParams.get('donation')!;
    expect(await t.get(DonationsService).get(id)).toMatchObject({
      status: 'SUCCEEDED',
      matchedMinor: 10_000,
      locale: 'en',
      dedication: 'my grandmother',
    });

    // The campaign's figures include it; the pool has ¥200 left.
    await page.goto(`/campaigns/${campaign.slug}`);
    expect(await textOf(page, '#matching-active')).toContain('¥200.00 of matching is left');
    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });
});
