import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { AppConfig } from '../../src/config/app-config';
import { FundsService } from '../../src/modules/funds/funds.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFund, fundFromOutside } from '../factories/foundation.factory';
import { MatchingService } from '../../src/modules/matching/matching.service';
import request from 'supertest';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';
import { seedBackOffice, type BackOffice } from './admin-fixtures';
import { launchChromium, pageWidth, phoneVisit, serve, signInByForm, textOf } from './chromium';

/**
 * The payment dead letters and the releases pages on a 360 px wide phone: nothing scrolls
 * sideways, and the confirmed buttons work by hand (tick, then press).
 */
let t: TestApp;
let seed: BackOffice;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t);
  seed = await seedBackOffice(t, '-narrow');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function phone(locale: 'zh-CN' | 'en-US', email: string, password: string) {
  const v = await phoneVisit(browser, base, locale);
  await signInByForm(v.page, email, password);
  return v;
}

describe('dead letters and releases at 360 px', () => {
  it('lists a dead letter and a release without sideways scrolling, and their confirmed buttons work', async () => {
    // A paid checkout for a gift that does not exist: a dead letter at once (one attempt allowed).
    jest.spyOn(t.get(AppConfig), 'paymentEventMaxAttempts', 'get').mockReturnValue(1);
    const missing = randomUUID();
    await deliver(
      t.server,
      stripeEvent(
        `evt_narrow_${missing}`,
        'checkout.session.completed',
        paidSession(missing, 8_800),
      ),
      // Kept for FINANCE, answered as refused (Stripe sends it again).
    ).expect(422);
    const finance = await createUser(t, ['FINANCE']);

    const f = await phone('en-US', finance.email, TEST_PASSWORD);
    await f.page.goto('/admin/payment-events');
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    const card = f.page.locator('article.dead-letter').first();
    expect(await card.textContent()).toContain(
      'The payment names a gift this system does not have.',
    );
    expect(await card.textContent()).toContain(missing);
    await card.locator('input[name="confirm"]').check();
    await Promise.all([
      f.page.waitForURL('**/admin/payment-events'),
      card.locator('button[type="submit"]').click(),
    ]);
    expect(await textOf(f.page, '.flash')).toMatch(/is back in the queue but failed again/);

    await f.page.goto('/admin/releases');
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    await f.page.selectOption('#r-from', seed.fundA.id);
    await f.page.selectOption('#r-to', seed.general.id);
    await f.page.fill('#r-amount', '100.00');
    await f.page.fill('#r-reason', 'Surplus of a finished project, moved by the board');
    await Promise.all([
      f.page.waitForURL('**/admin/releases'),
      f.page.click('#release-form button[type="submit"]'),
    ]);
    expect(await textOf(f.page, '.flash')).toMatch(/Release of ¥100\.00 requested/);
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    expect(f.cspViolations).toEqual([]);
    await f.context.close();

    const before = (await t.get(FundsService).get(seed.fundA.id)).balanceMinor;
    const a = await phone('zh-CN', seed.admin.email, seed.admin.password);
    await a.page.goto('/admin/releases');
    expect(await pageWidth(a.page)).toBeLessThanOrEqual(360);
    const pending = a.page.locator('article.release').first();
    await pending.locator('form.release-approve input[name="confirm"]').check();
    await Promise.all([
      a.page.waitForURL('**/admin/releases'),
      pending.locator('form.release-approve button[type="submit"]').click(),
    ]);
    expect(await textOf(a.page, '.flash')).toBe('已批准并入账：¥100.00。');
    expect(await pageWidth(a.page)).toBeLessThanOrEqual(360);
    expect((await t.get(FundsService).get(seed.fundA.id)).balanceMinor).toBe(before - 10_000);
    expect(a.cspViolations).toEqual([]);
    expect(a.pageErrors).toEqual([]);
    await a.context.close();
  });
});

describe("a campaign's matching rule and a matched gift at 360 px", () => {
  it('shows the rule form and the gift page in Chinese without sideways scrolling', async () => {
    const pool = await createFund(t, { kind: 'MATCHING', nameZh: '爱心企业配捐池' });
    await fundFromOutside(t, pool, 5_000_000);
    const campaign = await createCampaign(t, { fundId: seed.fundA.id, slug: 'narrow-match' });
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    const started = await request(t.server)
      .post(`/api/v1/campaigns/${campaign.slug}/donations`)
      .send({ amountMinor: 12_345, donorName: '王小明', donorEmail: 'narrow@example.org' })
      .expect(201);
    const giftId = (started.body as { id: string }).id;
    await deliver(
      t.server,
      stripeEvent(
        `evt_narrow_${giftId}`,
        'checkout.session.completed',
        paidSession(giftId, 12_345),
      ),
    ).expect(200);
    const finance = await createUser(t, ['FINANCE']);

    const f = await phone('zh-CN', finance.email, TEST_PASSWORD);
    await f.page.goto(`/admin/campaigns/${campaign.id}/matching-rule`);
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    expect(await f.page.textContent('main')).toContain('爱心企业配捐池');
    await f.page.goto(`/admin/campaigns/${campaign.id}`);
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    await f.page.goto(`/admin/donations/${giftId}`);
    expect(await pageWidth(f.page)).toBeLessThanOrEqual(360);
    const main = (await f.page.textContent('main')) ?? '';
    expect(main).toContain('¥123.45');
    expect(main).not.toMatch(/12345\b/);
    expect(f.cspViolations).toEqual([]);
    expect(f.pageErrors).toEqual([]);
    await f.context.close();
  });
});
