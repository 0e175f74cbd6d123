import type { Browser } from 'playwright-core';
import { EvaluationsService } from '../../src/modules/grants/evaluations/evaluations.service';
import { RequestContext } from '../../src/common/context/request-context';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation } from '../factories/foundation.factory';
import { createCompletedProject } from '../factories/grants-evaluation.factory';
import type { TestApp } from '../utils/test-app';
import { launchChromium, servePublic, pageWidth, signInByForm, textOf, visit } from './chromium';

/**
 * A resident evaluator on a phone (360 × 740, Chinese): opens the page from the link on their
 * printed code, reads what was built, answers, is thanked; the response is counted, and the code
 * cannot answer twice. Nothing scrolls sideways and no page breaks the Content-Security-Policy.
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

describe('a resident evaluator on a phone', () => {
  it('opens the page from a code at 360 px in Chinese, answers, is thanked, and the response counts', async () => {
    await createFoundation(t);
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    const project = await createCompletedProject(t, {
      minEvaluators: 2,
      title: '老旧小区口袋花园改造（含无障碍步道与遮阳座椅区）',
    });
    const evaluations = t.get(EvaluationsService);
    const opened = await RequestContext.run(
      {
        actor: {
          kind: 'user',
          userId: officer.id,
          email: officer.email,
          name: 'Officer',
          roles: ['GRANTS_OFFICER'],
          fundIds: [],
          communityIds: [],
          via: 'token',
        },
      },
      () => evaluations.open(project.awardId, { residentCodes: 2, stakeholderCodes: 1 }),
    );
    const card = opened.codes[0]!;
    expect(card.url.startsWith(`${base}/evaluate?code=`)).toBe(true);

    const v = await visit(browser, base, 'zh-CN');
    const { page } = v;
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(card.url);
    expect(await textOf(page, 'h1')).toBe('项目满意度测评');
    expect(await textOf(page, '#evaluation-project h2')).toBe(
      '老旧小区口袋花园改造（含无障碍步道与遮阳座椅区）',
    );
    expect(await textOf(page, '.evaluation-reports')).toContain('花园已建成');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);

    await page.check('#f-satisfied-yes');
    await page.check('#f-score-4');
    await page.fill('#f-comment', '晚上散步的老人多了，希望再加两盏灯。');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await Promise.all([page.waitForURL(/\/evaluate\/thanks/), page.click('.evaluation-submit')]);
    expect(await textOf(page, '#evaluation-thanks')).toBe('感谢您参与测评');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);

    const rows = await t.dataSource.query<{ satisfied: boolean; score: number; comment: string }[]>(
      `SELECT satisfied, score, comment FROM grant_evaluation_responses WHERE evaluation_id = $1`,
      [opened.id],
    );
    expect(rows).toEqual([
      { satisfied: true, score: 4, comment: '晚上散步的老人多了，希望再加两盏灯。' },
    ]);

    // The same card again: refused in words, nothing more stored.
    await page.goto(card.url);
    expect(await textOf(page, '#evaluation-refused')).toContain('已经使用过');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    const count = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM grant_evaluation_responses WHERE evaluation_id = $1`,
      [opened.id],
    );
    expect(count[0]!.n).toBe(1);
    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });

  it('an officer opens, reads and cancels an evaluation on a 360 px phone in Chinese', async () => {
    await createFoundation(t);
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    const project = await createCompletedProject(t, {
      minEvaluators: 3,
      title: '老旧小区加装电梯与楼道照明改造（含无障碍坡道）',
    });
    const v = await visit(browser, base, 'zh-CN');
    const { page } = v;
    await page.setViewportSize({ width: 360, height: 740 });
    await signInByForm(page, officer.email, TEST_PASSWORD);

    await page.goto('/admin/grants/evaluations');
    expect(await textOf(page, 'h1')).toBe('满意度测评');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await Promise.all([
      page.waitForURL(/\/admin\/grants\/evaluations\/new\?awardId=/),
      page.click(`article[data-award-id="${project.awardId}"] a.button`),
    ]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await page.fill('#ev-resident', '3');
    await page.fill('#ev-stakeholder', '1');
    await Promise.all([
      page.waitForURL(/\/admin\/grants\/evaluations\/[0-9a-f-]+\/codes$/),
      page.click('#evaluation-form button[type="submit"]'),
    ]);
    expect(await textOf(page, '.flash')).toContain('已生成 4 个测评码');
    expect(await page.locator('.evaluation-card').count()).toBe(4);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);

    await page.goto('/admin/grants/evaluations');
    const card = page.locator('article.evaluation-item', { hasText: '老旧小区加装电梯' });
    expect(await card.textContent()).toContain('0 / 3');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await card.locator('form.evaluation-cancel input[name="reason"]').fill('测评卡印错');
    await card.locator('form.evaluation-cancel input[name="confirm"]').check();
    await Promise.all([
      page.waitForURL('**/admin/grants/evaluations'),
      card.locator('form.evaluation-cancel button[type="submit"]').click(),
    ]);
    expect(await textOf(page, '.flash')).toContain('测评已取消');
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    const rows = await t.dataSource.query<{ status: string }[]>(
      `SELECT status FROM grant_evaluations WHERE award_id = $1`,
      [project.awardId],
    );
    expect(rows).toEqual([{ status: 'CANCELLED' }]);
    expect(v.cspViolations).toEqual([]);
    expect(v.pageErrors).toEqual([]);
    await v.context.close();
  });
});
