import type { Browser } from 'playwright-core';
import { CampaignTotalsService } from '../../src/modules/campaigns/campaign-totals.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { launchChromium, pageWidth, phoneVisit, serve, textOf, visit } from './chromium';

/**
 * The campaign page's disclosure, progress bar, share section and header at 360 px, and the
 * widget inside another page's iframe: no sideways scrolling, nothing the CSP refuses.
 */

let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t);
  browser = await launchChromium();
  await createFoundation(t, {
    fundraisingQualification: '测试市民政局 公开募捐资格证书 2019 第 17 号',
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('campaign sharing at 360 px', () => {
  it('shows disclosure, progress and sharing without sideways scrolling; the widget works in a frame', async () => {
    const fund = await createFund(t, { kind: 'COMMUNITY' });
    const campaign = await createCampaign(t, {
      fundId: fund.id,
      goalMinor: 100_000,
      filingNumber: '53510100MJ0000000X-2026-001-长长的备案编号用于测试换行',
      titleZh: '为社区长者购置轮椅和助行器的春季募捐',
      endsAt: new Date(Date.now() + 10 * 86_400_000),
    });
    await t.dataSource.transaction((m) =>
      t
        .get(CampaignTotalsService)
        .recordGift(m, campaign.id, { amountMinor: 30_000, matchedMinor: 10_000, donorKey: 'a' }),
    );

    for (const locale of ['zh-CN', 'en-US'] as const) {
      const v = await phoneVisit(browser, base, locale);
      await v.page.goto(`/campaigns/${campaign.slug}?lang=${locale === 'en-US' ? 'en' : 'zh-CN'}`);
      expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
      expect(await v.page.isVisible('#disclosure')).toBe(true);
      const bar = await v.page.locator('#bar-donors').boundingBox();
      const matched = await v.page.locator('#bar-matched').boundingBox();
      // The two segments sit side by side: 30% and 10% of the bar's width.
      expect(bar!.width).toBeGreaterThan(0);
      expect(Math.round((matched!.width / bar!.width) * 3)).toBe(1);
      expect(Math.abs(bar!.x + bar!.width - matched!.x)).toBeLessThan(1);
      await v.page.click('#share-embed summary');
      expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
      expect(v.cspViolations).toEqual([]);
      expect(v.pageErrors).toEqual([]);
      await v.context.close();
    }

    // A page framing the widget (frame-ancestors * by default), answered by the browser itself. It
    // is served on the app's own origin: this sandbox's chromium reaches no other host, and
    // frame-ancestors 'none' refuses even the same origin, so the contrast below still holds.
    const other = base;
    const v = await visit(browser, base, 'en-US');
    await v.page.route(`${other}/partner.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>Partner</title><iframe id="w" src="${base}/campaigns/${campaign.slug}/widget?lang=en" width="320" height="300"></iframe>`,
      }),
    );
    await v.page.goto(`${other}/partner.html`);
    const frame = v.page.frameLocator('#w');
    await frame.locator('#widget-give').waitFor();
    expect(await frame.locator('h1').textContent()).toBe(campaign.titleEn);
    // The card fits the suggested 320 × 300 frame: its "give" link is inside it.
    const give = await frame.locator('#widget-give').boundingBox();
    const box = await v.page.locator('#w').boundingBox();
    expect(give!.y + give!.height).toBeLessThanOrEqual(box!.y + box!.height);
    expect(await frame.locator('#widget-give').getAttribute('target')).toBe('_blank');
    expect(await textOf(v.page, 'title')).toBe('Partner');
    expect(v.cspViolations).toEqual([]);

    // The campaign page itself refuses to be framed.
    await v.page.route(`${other}/evil.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><iframe id="p" src="${base}/campaigns/${campaign.slug}"></iframe>`,
      }),
    );
    const errors: string[] = [];
    v.page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    await v.page.goto(`${other}/evil.html`);
    await waitUntil(
      () =>
        errors.some((m) =>
          /violates .*"frame-ancestors 'none'"\. The request has been blocked/.test(m),
        ),
      "the browser's refusal to frame the campaign page",
      { timeoutMs: 5_000 },
    );
    await v.context.close();
  });
});
