import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (`npx playwright install` cannot work here). */
export const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: npm test installs it (scripts/test-setup.sh), or run apt-get install -y chromium`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface Visit {
  context: BrowserContext;
  page: Page;
  /** Console errors of the "Refused to …" kind: Content-Security-Policy violations. */
  cspViolations: string[];
  pageErrors: string[];
}

/** A fresh browser context (own cookies) in a locale, recording CSP violations and page errors. */
export async function visit(
  browser: Browser,
  base: string,
  locale: 'zh-CN' | 'en-US',
): Promise<Visit> {
  const context = await browser.newContext({ acceptDownloads: true, locale, baseURL: base });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const record: Visit = { context, page, cspViolations: [], pageErrors: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Refused to/.test(msg.text()))
      record.cspViolations.push(msg.text());
  });
  page.on('pageerror', (error) => record.pageErrors.push(error.message));
  return record;
}

export const textOf = async (page: Page, selector: string) =>
  ((await page.textContent(selector)) ?? '').trim();
