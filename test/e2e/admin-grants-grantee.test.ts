import request from 'supertest';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import {
  createCommunity,
  createFoundation,
  createFund,
  fundFromOutside,
} from '../factories/foundation.factory';
import { createCompletedProject } from '../factories/grants-evaluation.factory';
import { formSession } from '../utils/form-session';
import { PNG } from '../utils/images';
import { createTestApp, type TestApp } from '../utils/test-app';

const DAY = 86_400_000;

/** The grantee's pages: a draft's edit form with files, reports with photos from the project page. */
describe('back office: grantee forms', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  async function signedIn(user: { email: string }) {
    const browser = formSession(t.server);
    await browser.signIn(user.email, TEST_PASSWORD);
    return { browser, csrf: await browser.csrf() };
  }

  it('edits a draft with a file; a refused file leaves the draft as it was', async () => {
    const community = await createCommunity(t);
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    const planner = await createUser(t, ['PLANNER'], { communityIds: [community.id] });
    const fund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fund, 10_000);
    const now = Date.now();
    const round = await request(t.server)
      .post('/api/v1/grants/rounds')
      .set(officer.auth)
      .send({
        sourceFundId: fund.id,
        nameZh: '测试轮次',
        nameEn: 'Test round',
        year: 2026,
        applicationsOpenAt: new Date(now - DAY).toISOString(),
        applicationsCloseAt: new Date(now + 10 * DAY).toISOString(),
        reviewCloseAt: new Date(now + 20 * DAY).toISOString(),
        tiers: [{ key: 'first', nameZh: '一等奖', nameEn: 'First', amountMinor: 100, count: 1 }],
        rubric: [{ key: 'need', nameZh: '需求', nameEn: 'Need', weight: 1, min: 0, max: 10 }],
        secondApprovalAboveMinor: 0,
        trancheSchedule: [{ key: 'all', percent: 100, unlock: 'AWARD' }],
        targetDays: { review: 5, decision: 5, payment: 5, report: 5 },
      })
      .expect(201);
    const roundId: string = round.body.id;
    await request(t.server)
      .post(`/api/v1/grants/rounds/${roundId}/open`)
      .set(officer.auth)
      .expect(200);
    const app = await request(t.server)
      .post(`/api/v1/grants/rounds/${roundId}/applications`)
      .set(planner.auth)
      .send({
        communityId: community.id,
        title: '口袋公园',
        budgetLines: [{ item: '座椅', amountMinor: 5_000 }],
      })
      .expect(201);
    const { browser, csrf } = await signedIn(planner);
    const mine = await browser.agent.get('/admin/grants/my-applications?lang=zh-CN');
    expect(mine.text).toContain(`href="/admin/grants/my-applications/${app.body.id}/edit"`);
    const form = await browser.agent.get(`/admin/grants/my-applications/${app.body.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('座椅 | 50.00');
    expect(form.text).not.toMatch(/grants\.(forms|rounds)\./);
    expect(form.text).toContain('enctype="multipart/form-data"');

    const ok = await browser.agent
      .post(`/admin/grants/my-applications/${app.body.id}/edit`)
      .field('_csrf', csrf)
      .field('title', '口袋公园（修订）')
      .field('summary', '改造角落')
      .field('budgetLines', '座椅 | 1200.50\n遮阳棚 | 3000')
      .attach('file', PNG, { filename: '现场.png', contentType: 'image/png' });
    expect(ok.status).toBe(303);
    const row = (
      await t.dataSource.query(
        `SELECT title, budget_total_minor::text AS total FROM grant_applications WHERE id = $1`,
        [app.body.id],
      )
    )[0];
    expect(row).toEqual({ title: '口袋公园（修订）', total: '420050' });
    const files = await t.dataSource.query(
      `SELECT id, file_name FROM grant_attachments WHERE owner_type = 'APPLICATION' AND owner_id = $1`,
      [app.body.id],
    );
    expect(files).toHaveLength(1);
    const page = await browser.agent.get(`/admin/grants/my-applications/${app.body.id}/edit`);
    expect(page.text).toContain(`href="/admin/grants/attachments/${files[0].id}"`);
    await browser.agent.get(`/admin/grants/attachments/${files[0].id}`).expect(200);

    // Not a PDF or an image: refused beside the field in Chinese, the draft is unchanged.
    const bad = await browser.agent
      .post(`/admin/grants/my-applications/${app.body.id}/edit`)
      .field('_csrf', csrf)
      .field('title', '不应保存')
      .field('budgetLines', '座椅 | 1')
      .attach('file', Buffer.from('just text'), { filename: 'x.txt', contentType: 'text/plain' });
    expect(bad.status).toBe(415);
    expect(bad.text).toContain('id="e-d-file"');
    expect(bad.text).toContain('value="不应保存"');
    const still = await t.dataSource.query(`SELECT title FROM grant_applications WHERE id = $1`, [
      app.body.id,
    ]);
    expect(still[0].title).toBe('口袋公园（修订）');
    const count = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM grant_attachments WHERE owner_id = $1`,
      [app.body.id],
    );
    expect(count[0].n).toBe(1);
    const badLine = await browser.agent
      .post(`/admin/grants/my-applications/${app.body.id}/edit`)
      .field('_csrf', csrf)
      .field('title', '不应保存')
      .field('budgetLines', '座椅 | 1.005');
    expect(badLine.status).toBe(400);
    expect(badLine.text).toContain('此预算行不是');
  });

  it('the grantee submits a START report with a photo; the officer sees the photo link', async () => {
    const project = await createCompletedProject(t, { title: '口袋花园' });
    await t.dataSource.query(
      `UPDATE grant_awards SET project_status = 'NOT_STARTED' WHERE id = $1`,
      [project.awardId],
    );
    const { browser, csrf } = await signedIn(project.grantee);
    const mine = await browser.agent.get('/admin/grants/my-applications?lang=zh-CN');
    expect(mine.text).toContain(`href="/admin/grants/awards/${project.awardId}"`);
    const page = await browser.agent.get(`/admin/grants/awards/${project.awardId}`);
    expect(page.text).toContain('id="report-form"');
    expect(page.text).not.toMatch(/grants\.(forms|awards)\./);
    expect(page.text).toContain('id="tranches-heading"');

    // Without a body: refused in Chinese, no report written.
    const refused = await browser.agent
      .post(`/admin/grants/awards/${project.awardId}/reports`)
      .field('_csrf', csrf)
      .field('kind', 'START')
      .attach('photo1', PNG, { filename: 'a.png', contentType: 'image/png' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('请填写报告内容');
    const reports = () =>
      t.dataSource.query(
        `SELECT id, kind, status FROM grant_reports WHERE award_id = $1 AND kind = 'START'`,
        [project.awardId],
      );
    expect(await reports()).toHaveLength(0);
    // A bad photo: neither the report nor the file is kept.
    const badPhoto = await browser.agent
      .post(`/admin/grants/awards/${project.awardId}/reports`)
      .field('_csrf', csrf)
      .field('kind', 'START')
      .field('body', '已开工')
      .attach('photo1', Buffer.from('nope'), { filename: 'a.png', contentType: 'image/png' });
    expect(badPhoto.status).toBe(415);
    expect(await reports()).toHaveLength(0);

    const ok = await browser.agent
      .post(`/admin/grants/awards/${project.awardId}/reports`)
      .field('_csrf', csrf)
      .field('kind', 'START')
      .field('body', '已开工，施工队进场。')
      .field('publicSummary', '已开工')
      .attach('photo1', PNG, { filename: '开工.png', contentType: 'image/png' });
    expect(ok.status).toBe(303);
    const [report] = await reports();
    expect(report.status).toBe('SUBMITTED');
    const photos = await t.dataSource.query(
      `SELECT id FROM grant_attachments WHERE owner_type = 'REPORT' AND owner_id = $1`,
      [report.id],
    );
    expect(photos).toHaveLength(1);
    const audit = await t.dataSource.query(`SELECT action FROM audit_log WHERE entity_id = $1`, [
      report.id,
    ]);
    expect(audit.map((a: { action: string }) => a.action)).toContain('grant.report.submitted');

    const officer = await createUser(t, ['GRANTS_OFFICER']);
    const o = await signedIn(officer);
    const view = await o.browser.agent.get(`/admin/grants/awards/${project.awardId}`);
    expect(view.text).toContain(`href="/admin/grants/attachments/${photos[0].id}"`);
    expect(view.text).not.toContain('id="report-form"');
    await o.browser.agent.get(`/admin/grants/attachments/${photos[0].id}`).expect(200);
  });

  it('the award page: tier name, evaluation history in words, links, a tranche offered only when it may be requested', async () => {
    const project = await createCompletedProject(t, { title: '社区花园', lastTranche: false });
    const q = (sql: string, params: unknown[]) => t.dataSource.query(sql, params);
    // COMPLETED without an accepted START report: only the midterm tranche may be requested.
    const tranches: { id: string; unlock: string }[] = await q(
      `INSERT INTO grant_tranches (award_id, seq, key, percent, unlock, amount_minor)
       VALUES ($1, 1, 'start', 40, 'START', 2000000), ($1, 2, 'mid', 40, 'MIDTERM', 2000000),
              ($1, 3, 'end', 20, 'COMPLETION', 1000000)
       RETURNING id, unlock`,
      [project.awardId],
    );
    const trancheId = (unlock: string) => tranches.find((x) => x.unlock === unlock)!.id;
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    await q(
      `INSERT INTO grant_evaluations (award_id, seq, status, threshold_pct, min_responses,
         result_responses, result_satisfied, opened_by, closes_at, closed_at)
       VALUES ($1, 1, 'FAILED', 80, 10, 10, 5, $2, now(), now())`,
      [project.awardId, officer.id],
    );
    const { browser } = await signedIn(officer);
    const page = await browser.agent.get(`/admin/grants/awards/${project.awardId}?lang=zh-CN`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('2025 · 2025 年度项目评审 · 一等');
    expect(page.text).not.toContain('· first');
    expect(page.text).toContain('未达标，须整改 · 满意 5 / 共 10 份');
    expect(page.text).not.toContain('· FAILED');
    expect(page.text).toContain('(40%)');
    expect(page.text).toContain(`href="/admin/grants/rounds/${project.roundId}"`);
    expect(page.text).toContain(`href="/admin/grants/applications/${project.applicationId}"`);
    expect(page.text).toContain(`href="/projects/${project.awardId}?lang=zh-CN"`);
    expect(page.text).toMatch(/href="\/admin\/funds\/[0-9a-f-]{36}"/);
    const requestForm = (id: string) => `action="/admin/grants/tranches/${id}/request"`;
    expect(page.text).toContain(requestForm(trancheId('MIDTERM')));
    expect(page.text).not.toContain(requestForm(trancheId('START')));
    expect(page.text).not.toContain(requestForm(trancheId('COMPLETION')));
    const en = await browser.agent.get(`/admin/grants/awards/${project.awardId}?lang=en`);
    expect(en.text).toContain('2025 project review · First');
    expect(en.text).toContain('5 of 10 satisfied');

    // In rectification nothing is offered.
    await q(`UPDATE grant_awards SET project_status = 'RECTIFICATION_REQUIRED' WHERE id = $1`, [
      project.awardId,
    ]);
    const blocked = await browser.agent.get(`/admin/grants/awards/${project.awardId}`);
    expect(blocked.text).not.toContain('/request"');

    // The application page links to its round and its award.
    const app = await browser.agent.get(`/admin/grants/applications/${project.applicationId}`);
    expect(app.text).toContain(`href="/admin/grants/rounds/${project.roundId}"`);
    expect(app.text).toContain(`href="/admin/grants/awards/${project.awardId}"`);
  });
});
