import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createServer } from 'node:net';
import { createTestApp, type TestApp } from '../utils/test-app';

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

/** Serves a test app on a free loopback port (or the one given) and returns its address. */
export async function serve(t: TestApp, port = 0): Promise<string> {
  await t.app.listen({ port, host: '127.0.0.1' });
  return (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** A phone's screen: 360 px wide unless told otherwise. */
export const PHONE = { width: 360, height: 740 };

/** A fresh context (as `visit`) on a phone's screen. */
export async function phoneVisit(
  browser: Browser,
  base: string,
  locale: 'zh-CN' | 'en-US',
  width = PHONE.width,
): Promise<Visit> {
  const v = await visit(browser, base, locale);
  await v.page.setViewportSize({ width, height: width < 400 ? PHONE.height : 844 });
  return v;
}

/**
 * Signs in through the form at `/login` (or wherever `start` leads to it) and waits until the
 * form has sent the browser on.
 */
export async function signInByForm(
  page: Page,
  email: string,
  password: string,
  start = '/login',
): Promise<void> {
  await page.goto(start);
  await page.waitForURL(/\/login/);
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.click('form[action="/login"] button[type="submit"]'),
  ]);
}

/** How wide the page is drawn: no more than the screen when nothing scrolls sideways. */
export const pageWidth = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth');

/** A free loopback port, so an address can be named before the app listens on it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A test app that knows its own address as PUBLIC_URL (where checkouts send the donor back and
 * emails link to), listening on it. `close` stops it and puts PUBLIC_URL back.
 */
export async function servePublic(): Promise<{
  t: TestApp;
  base: string;
  close: () => Promise<void>;
}> {
  const previous = process.env.PUBLIC_URL;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  process.env.PUBLIC_URL = base;
  const t = await createTestApp();
  await t.app.listen({ port, host: '127.0.0.1' });
  return {
    t,
    base,
    close: async () => {
      await t.close();
      if (previous === undefined) delete process.env.PUBLIC_URL;
      else process.env.PUBLIC_URL = previous;
    },
  };
}
