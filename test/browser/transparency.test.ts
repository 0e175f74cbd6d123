import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FundsService } from '../../src/modules/funds/funds.service';
import { PUBLIC_LEDGER_PAGE_SIZE } from '../../src/modules/reporting/public-ledger';
import { createCampaign } from '../factories/campaigns.factory';
import {
  createCommunity,
  createFoundation,
  externalAccount,
  generalFund,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { launchChromium, serve, visit } from './chromium';

/**
 * The transparency path a resident takes from a shared link, on a 360 px phone and a 1280 px
 * screen: home → fund directory → a fund page → its ledger's page 2 → one of its campaigns.
 * Nothing scrolls sideways, axe-core finds no serious or critical violation, and each page's
 * screenshot is kept in test/artifacts/.
 */
const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let t: TestApp;
let browser: Browser;
let base: string;
let fundCode: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await createTestApp();
  base = await serve(t);
  await createFoundation(t);
  await generalFund(t);
  const community = await createCommunity(t);
  const funds = t.get(FundsService);
  const fund = await funds.activate(
    (
      await funds.create({
        kind: 'COMMUNITY',
        code: 'C-RIVERSIDE',
        nameZh: '滨河社区基金',
        nameEn: 'Riverside Community Fund',
        communityId: community.id,
      })
    ).id,
  );
  fundCode = fund.code;
  await createCampaign(t, {
    fundId: fund.id,
    titleZh: '滨河步道长椅',
    titleEn: 'Benches for the riverside walk',
  });
  // More rows than one ledger page, on days in the past (the ledger service stamps now()).
  const donors = (await externalAccount(t)).id;
  for (let i = 0; i < PUBLIC_LEDGER_PAGE_SIZE + 5; i++) {
    await t.dataSource.transaction(async (m) => {
      const [entry]: { id: string }[] = await m.query(
        `INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint, posted_at)
         VALUES ($1, 'OFFLINE_CONTRIBUTION', '', 'CNY', 'test', $2) RETURNING id`,
        [`test:${randomUUID()}`, new Date(Date.UTC(2026, 0, 1 + i, 3))],
      );
      await m.query(
        `INSERT INTO postings (entry_id, account_id, amount_minor)
         VALUES ($1, $2, $3), ($1, $4, $5)`,
        [entry!.id, donors, -(10_000 + i), fund.accountId, 10_000 + i],
      );
    });
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) does not apply.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate<{ violations: AxeViolation[]; passes: number }>(
    `axe.run(document, { resultTypes: ['violations'] })
       .then((r) => ({ violations: r.violations, passes: r.passes.length }))`,
  );
  expect(result.passes).toBeGreaterThan(10); // axe really looked at the page
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

async function check(page: Page, width: number, name: string) {
  await page.screenshot({
    path: path.join(ARTIFACTS, `transparency-${width}-${name}.png`),
    fullPage: true,
  });
  const widths = await page.evaluate<{ scroll: number; inner: number }>(
    '({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth })',
  );
  expect([name, widths.scroll <= widths.inner]).toEqual([name, true]);
  expect([name, await axeViolations(page)]).toEqual([name, []]);
}

describe.each([
  [360, 'zh-CN'],
  // English words are wider than Chinese: the phone in English too.
  [360, 'en-US'],
  [1280, 'en-US'],
] as const)('at %i px (%s)', (width, locale) => {
  it('goes from home to the directory, a fund, its ledger page 2 and a campaign', async () => {
    const v = await visit(browser, base, locale);
    const { page } = v;
    await page.setViewportSize({ width, height: width < 400 ? 740 : 900 });
    const lang = locale === 'en-US' ? 'en' : 'zh-CN';

    await page.goto(`/?lang=${lang}`);
    expect(await page.locator(`a[href="/funds/${fundCode}?lang=${lang}"]`).count()).toBe(1);
    await check(page, width, '1-home');

    await page.goto(`/funds?lang=${lang}`);
    await check(page, width, '2-directory');

    await Promise.all([
      page.waitForURL(`**/funds/${fundCode}?lang=${lang}`),
      page.click(`.fund-card[data-code="${fundCode}"] h3 a`),
    ]);
    expect(await page.textContent('h1')).toContain(lang === 'en' ? 'Riverside' : '滨河');
    await check(page, width, '3-fund');

    await Promise.all([page.waitForURL(/page=2/), page.click('.pager a[rel="next"]')]);
    expect(await page.locator('table.ledger tbody tr').count()).toBe(5);
    await check(page, width, '4-ledger-page-2');

    await Promise.all([page.waitForURL(/\/campaigns\//), page.click('#fund-campaigns a')]);
    expect(await page.textContent('h1')).toContain(
      lang === 'en' ? 'Benches for the riverside walk' : '滨河步道长椅',
    );
    await check(page, width, '5-campaign');

    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });
});
