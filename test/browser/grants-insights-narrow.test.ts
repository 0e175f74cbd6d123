import type { Browser } from 'playwright-core';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import {
  createCommunity,
  createFoundation,
  createFund,
  fundFromOutside,
} from '../factories/foundation.factory';
import {
  daysAgo,
  insightsApplication,
  insightsAward,
  insightsEvaluation,
  insightsRound,
  insightsTranche,
  type AwardRow,
} from '../factories/grants-insights.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { launchChromium, pageWidth, phoneVisit, serve, signInByForm } from './chromium';

/**
 * The grants dashboard and the public project pages on a 360 px wide phone: nothing scrolls
 * sideways, overdue work is flagged, a project shows its paid tranche and evaluation.
 */
let t: TestApp;
let browser: Browser;
let base: string;
let officer: Awaited<ReturnType<typeof createUser>>;
let award: AwardRow;

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t);
  await createFoundation(t);
  const community = await createCommunity(t);
  officer = await createUser(t, ['GRANTS_OFFICER']);
  const finance = await createUser(t, ['FINANCE']);
  const planner = await createUser(t, ['PLANNER'], { communityIds: [community.id] });
  const fund = await createFund(t, {
    kind: 'PROGRAM',
    nameZh: '社区营造专项基金（街道与社区共建示范项目）',
    nameEn: 'Community placemaking program fund for subdistrict and community partnerships',
  });
  await fundFromOutside(t, fund, 500_000_00);
  const round = await insightsRound(t, fund, { year: 2026, createdBy: officer.id });
  const app = await insightsApplication(t, round, {
    communityId: community.id,
    applicantId: planner.id,
    title: '老旧小区口袋公园与儿童友好空间改造提升项目（一期）',
    status: 'AWARDED',
    decidedAt: daysAgo(30),
  });
  award = await insightsAward(t, round, app, {
    proposedBy: officer.id,
    approvedBy: finance.id,
    designMinor: 300_000_00,
    constructionMinor: 150_000_00,
    projectStatus: 'EVALUATED',
  });
  await insightsTranche(t, award, {
    seq: 1,
    amountMinor: 60_000_00,
    status: 'PAID',
    requestedBy: officer.id,
    requestedAt: daysAgo(20),
    decidedBy: finance.id,
    decidedAt: daysAgo(18),
  });
  await insightsTranche(t, award, {
    seq: 2,
    amountMinor: 60_000_00,
    status: 'REQUESTED',
    requestedBy: officer.id,
    requestedAt: daysAgo(10),
    paymentDueAt: daysAgo(5),
  });
  await insightsEvaluation(t, award, {
    seq: 1,
    status: 'PASSED',
    openedBy: officer.id,
    responses: Array.from({ length: 10 }, (_, i) => ({
      satisfied: i < 9,
      score: 5,
      comment: i === 0 ? '孩子们放学后都来这里玩，旁边的长椅也方便老人休息。' : '',
    })),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('grants dashboard and public projects at 360 px', () => {
  it('shows the dashboard to an officer with the overdue tranche flagged, without sideways scrolling', async () => {
    const v = await phoneVisit(browser, base, 'zh-CN');
    await signInByForm(v.page, officer.email, TEST_PASSWORD);
    await v.page.goto('/admin/grants');
    expect(await v.page.textContent('h1')).toBe('项目资助概览');
    expect(await v.page.locator('tr.overdue[data-kind="tranche"]').count()).toBe(1);
    expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
    expect(v.cspViolations).toEqual([]);
    await v.context.close();
  });

  it('shows the project list and page to anyone on a phone', async () => {
    const v = await phoneVisit(browser, base, 'en-US');
    await v.page.goto('/projects?lang=en');
    expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
    await Promise.all([
      v.page.waitForURL(`**/projects/${award.id}**`),
      v.page.click('.project-card h2 a'),
    ]);
    expect(await v.page.locator('tr.tranche-paid').count()).toBe(1);
    expect(await v.page.textContent('.evaluation-result')).toMatch(/Satisfaction 90%/);
    expect(await pageWidth(v.page)).toBeLessThanOrEqual(360);
    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });
});
