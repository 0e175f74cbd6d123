import request from 'supertest';
import { parseCsv } from '../../src/common/csv';
import { UsersService } from '../../src/modules/accounts/users.service';
import { GrantReminders } from '../../src/modules/grants/insights/grant-reminders';
import { currentYear } from '../../src/modules/grants/insights/grants-insights.service';
import { beijingDate } from '../../src/modules/grants/insights/overdue';
import type { FundView } from '../../src/modules/funds/funds.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import {
  createCommunity,
  createFoundation,
  createFund,
  fundFromOutside,
} from '../factories/foundation.factory';
import {
  daysAgo,
  daysFrom,
  insightsApplication,
  insightsAward,
  insightsEvaluation,
  insightsExpense,
  insightsInspection,
  insightsReport,
  insightsReview,
  insightsRound,
  insightsTranche,
  type AwardRow,
  type RoundRow,
} from '../factories/grants-insights.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;
const DAY = 86_400_000;

/**
 * The grants dashboard, speed of approval, fund use, overdue reminders and public project pages,
 * over grant rows inserted directly and ledger entries posted through LedgerService.
 */
describe('grants insights', () => {
  let t: TestApp;
  let admin: User;
  let finance: User;
  let officer: User;
  let reviewer: User;
  let planner: User;
  let leader: User;
  let community: { id: string; subdistrictId: string };
  const year = currentYear();

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    const c = await createCommunity(t);
    community = { id: c.id, subdistrictId: c.subdistrictId };
    admin = await createUser(t, ['ADMIN']);
    finance = await createUser(t, ['FINANCE']);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    reviewer = await createUser(t, ['REVIEWER']);
    planner = await createUser(t, ['PLANNER'], { communityIds: [c.id] });
    leader = await createUser(t, ['COMMUNITY_LEADER'], { communityIds: [c.id] });
    await t.get(UsersService).update(finance.id, { locale: 'en' });
  });
  afterAll(() => t.close());

  const dashboard = (who: User | null, query: Record<string, string> = {}) => {
    const req = request(t.server).get('/api/v1/grants/dashboard').query(query);
    return who ? req.set(who.auth) : req;
  };

  describe('speed of approval and fund use (hand-computed)', () => {
    let fund: FundView;
    let round: RoundRow;
    let other: RoundRow;
    beforeAll(async () => {
      fund = await createFund(t, { kind: 'PROGRAM' });
      await fundFromOutside(t, fund, 100_000_00);
      round = await insightsRound(t, fund, { year, createdBy: officer.id });
      other = await insightsRound(t, fund, { year, createdBy: officer.id });
      // Submission → decision: 1, 2, 3, 4, 10 days (median 3, 90th percentile by nearest rank:
      // rank ⌈0.9 × 5⌉ = 5 → 10).
      const submitted = daysAgo(40);
      const statuses = ['AWARDED', 'SHORTLISTED', 'DECLINED', 'SHORTLISTED', 'DECLINED'] as const;
      const apps = [];
      for (const [i, d] of [1, 2, 3, 4, 10].entries()) {
        apps.push(
          await insightsApplication(t, round, {
            communityId: community.id,
            applicantId: planner.id,
            status: statuses[i],
            submittedAt: submitted,
            decidedAt: new Date(submitted.getTime() + d * DAY),
          }),
        );
      }
      // A draft-like undecided one does not count.
      await insightsApplication(t, round, {
        communityId: community.id,
        applicantId: planner.id,
        status: 'UNDER_REVIEW',
        decisionDueAt: daysFrom(3),
      });
      // The other round: one decision after 12 hours.
      await insightsApplication(t, other, {
        communityId: community.id,
        applicantId: planner.id,
        status: 'DECLINED',
        submittedAt: submitted,
        decidedAt: new Date(submitted.getTime() + 0.5 * DAY),
      });
      // Design award ¥10,000.00 paid; tranches of ¥1,000.00 paid after 0.5, 1.5, 2 and 6 days
      // (median (1.5 + 2) / 2 = 1.75; rank ⌈0.9 × 4⌉ = 4 → 6); one more requested, not paid.
      const award = await insightsAward(t, round, apps[0]!, {
        proposedBy: officer.id,
        approvedBy: finance.id,
        designMinor: 10_000_00,
        constructionMinor: 5_000_00,
        projectStatus: 'IN_PROGRESS',
      });
      for (const [i, d] of [0.5, 1.5, 2, 6].entries()) {
        const requestedAt = daysAgo(20 - i);
        await insightsTranche(t, award, {
          seq: i + 1,
          amountMinor: 1_000_00,
          status: 'PAID',
          requestedBy: officer.id,
          requestedAt,
          decidedBy: finance.id,
          decidedAt: new Date(requestedAt.getTime() + d * DAY),
        });
      }
      await insightsTranche(t, award, {
        seq: 5,
        amountMinor: 1_000_00,
        status: 'REQUESTED',
        requestedBy: officer.id,
        requestedAt: daysAgo(1),
      });
      // An expense of ¥500.00 paid from the fund.
      await insightsExpense(t, fund, {
        requestedBy: leader.id,
        amountMinor: 500_00,
        status: 'PAID',
        decidedBy: finance.id,
      });
    });

    it('answers median and 90th-percentile days per round over the JSON API', async () => {
      const res = await dashboard(finance, { year: String(year) }).expect(200);
      const mine = res.body.rounds.find((r: { id: string }) => r.id === round.id);
      expect(mine.speed).toEqual({
        decision: { count: 5, medianDays: 3, p90Days: 10 },
        payment: { count: 4, medianDays: 1.75, p90Days: 6 },
      });
      const theirs = res.body.rounds.find((r: { id: string }) => r.id === other.id);
      expect(theirs.speed.decision).toEqual({ count: 1, medianDays: 0.5, p90Days: 0.5 });
      expect(theirs.speed.payment).toEqual({ count: 0, medianDays: null, p90Days: null });
      // Money awarded (design + construction of approved awards) vs paid (design + paid tranches).
      expect(mine).toMatchObject({
        applications: 6,
        awarded: 1,
        started: 1,
        completed: 0,
        awardedMinor: 15_000_00,
        paidMinor: 14_000_00,
      });
      const one = await dashboard(officer, { roundId: round.id }).expect(200);
      expect(one.body.rounds.map((r: { id: string }) => r.id)).toEqual([round.id]);
    });

    it('computes the fund use rate from the ledger: paid out ÷ (opening balance + money in)', async () => {
      // This year: available 0 + 100,000.00; paid out 10,000 + 4 × 1,000 + 500 = 14,500.00.
      const res = await dashboard(admin, { year: String(year) }).expect(200);
      const use = res.body.fundUse.find((f: { fundId: string }) => f.fundId === fund.id);
      expect(use).toMatchObject({
        openingMinor: 0,
        moneyInMinor: 100_000_00,
        availableMinor: 100_000_00,
        paidOutMinor: 14_500_00,
      });
      expect(use.useRate).toBeCloseTo(0.145, 10);
      // Next year: the balance left (85,500.00) is the opening, nothing paid yet.
      const next = await dashboard(admin, { year: String(year + 1) }).expect(200);
      const later = next.body.fundUse.find((f: { fundId: string }) => f.fundId === fund.id);
      expect(later).toMatchObject({
        openingMinor: 85_500_00,
        moneyInMinor: 0,
        paidOutMinor: 0,
        useRate: 0,
      });
      // Cross-check with the fund's ledger balance.
      const [{ balance }] = await t.dataSource.query(
        `SELECT sum(amount_minor)::bigint AS balance FROM postings WHERE account_id = $1`,
        [fund.accountId],
      );
      expect(Number(balance)).toBe(85_500_00);
    });

    it('lets ADMIN, FINANCE and GRANTS_OFFICER read it; refuses others and bad filters in words', async () => {
      for (const who of [admin, finance, officer]) await dashboard(who).expect(200);
      for (const who of [reviewer, planner, leader]) {
        const res = await dashboard(who).expect(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      expect((await dashboard(null).expect(401)).body.statusCode).toBe(401);
      const bad = await dashboard(finance, { year: '20x6' }).expect(400);
      expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(String(bad.body.message)).toMatch(/year must be a whole number from 2000 to 2100/);
      await dashboard(finance, { roundId: 'nope' }).expect(400);
      const missing = await dashboard(finance, {
        roundId: '00000000-0000-4000-8000-000000000000',
      }).expect(404);
      expect(missing.body.code).toBe('NOT_FOUND');
    });
  });

  describe('overdue items and daily reminders', () => {
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      const fund = await createFund(t, { kind: 'PROGRAM' });
      const round = await insightsRound(t, fund, { year, createdBy: officer.id });
      const late = daysAgo(2);
      const soon = daysFrom(2);
      const underReview = await insightsApplication(t, round, {
        communityId: community.id,
        applicantId: planner.id,
        title: '逾期评审项目',
        status: 'UNDER_REVIEW',
        submittedAt: daysAgo(10),
        decisionDueAt: late,
      });
      ids.application = underReview.id;
      ids.review = await insightsReview(t, underReview.id, {
        reviewerId: reviewer.id,
        assignedBy: officer.id,
        dueAt: late,
      });
      // Not overdue: due later, or already submitted.
      await insightsApplication(t, round, {
        communityId: community.id,
        applicantId: planner.id,
        status: 'SUBMITTED',
        decisionDueAt: soon,
      });
      const proposedApp = await insightsApplication(t, round, {
        communityId: community.id,
        applicantId: planner.id,
        status: 'SHORTLISTED',
        decidedAt: daysAgo(5),
      });
      const proposed = await insightsAward(t, round, proposedApp, {
        proposedBy: officer.id,
        status: 'PROPOSED',
        decisionDueAt: late,
      });
      ids.award = proposed.id;
      const approvedApp = await insightsApplication(t, round, {
        communityId: community.id,
        applicantId: planner.id,
        status: 'AWARDED',
        decidedAt: daysAgo(5),
      });
      const award: AwardRow = await insightsAward(t, round, approvedApp, {
        proposedBy: officer.id,
        approvedBy: admin.id,
        payDesign: false,
        constructionMinor: 3_000_00,
        projectStatus: 'COMPLETED',
      });
      ids.tranche = await insightsTranche(t, award, {
        seq: 1,
        amountMinor: 1_000_00,
        status: 'REQUESTED',
        requestedBy: officer.id,
        requestedAt: daysAgo(8),
        paymentDueAt: late,
      });
      await insightsTranche(t, award, { seq: 2, amountMinor: 1_000_00, status: 'SCHEDULED' });
      ids.report = await insightsReport(t, award, {
        kind: 'COMPLETION',
        submittedBy: planner.id,
        decisionDueAt: late,
      });
      ids.evaluation = (
        await insightsEvaluation(t, award, {
          seq: 1,
          status: 'OPEN',
          openedBy: officer.id,
          closesAt: late,
        })
      ).id;
      ids.expense = await insightsExpense(t, fund, {
        requestedBy: leader.id,
        amountMinor: 200_00,
        paymentDueAt: late,
      });
      await insightsExpense(t, fund, {
        requestedBy: leader.id,
        amountMinor: 100_00,
        paymentDueAt: soon,
      });
    });

    it('lists every overdue item with who must act, and nothing that is not due yet', async () => {
      const res = await dashboard(officer).expect(200);
      const overdue = res.body.overdue as { kind: string; id: string; daysOverdue: number }[];
      const byKind = Object.fromEntries(overdue.map((o) => [o.kind, o.id]));
      expect(byKind).toEqual(ids);
      expect(overdue).toHaveLength(7);
      for (const o of overdue) expect(o.daysOverdue).toBe(2);
    });

    type ReminderRow = {
      dedupe_key: string;
      payload: { to: string; locale: string; template: string; data: Record<string, unknown> };
    };
    const reminders = () =>
      t.dataSource.query<ReminderRow[]>(
        `SELECT dedupe_key, payload FROM outbox WHERE dedupe_key LIKE 'reminder:%' ORDER BY dedupe_key`,
      );

    it('queues one reminder per overdue item and day to whoever must act, however often it runs', async () => {
      const job = t.get(GrantReminders);
      const now = new Date();
      const first = await job.run(now);
      const second = await job.run(now);
      expect(first.items).toBe(7);
      expect(second.items).toBe(7);
      const rows = await reminders();
      expect(rows).toHaveLength(7);
      const day = beijingDate(now);
      const to = Object.fromEntries(
        rows.map((r) => [
          r.dedupe_key.split(':')[1],
          { email: r.payload.to, locale: r.payload.locale },
        ]),
      );
      expect(to).toEqual({
        review: { email: reviewer.email, locale: 'zh-CN' },
        application: { email: officer.email, locale: 'zh-CN' },
        award: { email: finance.email, locale: 'en' },
        tranche: { email: finance.email, locale: 'en' },
        report: { email: officer.email, locale: 'zh-CN' },
        expense: { email: finance.email, locale: 'en' },
        evaluation: { email: officer.email, locale: 'zh-CN' },
      });
      for (const r of rows) {
        const [, kind, id, date] = r.dedupe_key.split(':');
        expect(id).toBe(ids[kind!]);
        expect(date).toBe(day);
        expect(r.payload.template).toBe('grant-reminder');
      }
      // Rendered and sent in the recipient's language (the in-process drainer sends them).
      const sent = async () =>
        (
          await t.dataSource.query(
            `SELECT count(*)::int AS n FROM outbox WHERE dedupe_key LIKE 'reminder:%' AND status = 'SENT'`,
          )
        )[0].n as number;
      for (let i = 0; i < 50 && (await sent()) < 7; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await sent()).toBe(7);
      const tranche = rows.find((r) => r.dedupe_key.startsWith('reminder:tranche:'))!;
      expect(tranche.payload.data).toMatchObject({ what: 'Tranche payment', daysOverdue: 2 });
      // The next Beijing day: one more each.
      await job.run(new Date(now.getTime() + DAY));
      expect(await reminders()).toHaveLength(14);
      // Three processes running the job at once on a third day (by then the two items due in two
      // days are overdue too): still one each.
      const third = new Date(now.getTime() + 2 * DAY + 60 * 60_000);
      const [run] = await Promise.all([job.run(third), job.run(third), job.run(third)]);
      expect(run).toEqual({ items: 9, reminders: 9 });
      expect(await reminders()).toHaveLength(14 + 9);
    });
  });

  describe('public project pages', () => {
    let award: AwardRow;
    let proposedAward: AwardRow;
    let fund: FundView;
    const paidOn = [new Date('2026-03-01T17:30:00Z'), new Date('2026-06-10T02:00:00Z')];
    beforeAll(async () => {
      fund = await createFund(t, {
        kind: 'PROGRAM',
        code: 'F-PUBLIC',
        nameZh: '社区营造基金',
        nameEn: 'Placemaking Fund',
      });
      await fundFromOutside(t, fund, 50_000_00);
      const round = await insightsRound(t, fund, {
        year: 2025,
        createdBy: officer.id,
        nameZh: '2025年度区级项目评审',
        nameEn: '2025 district review',
      });
      const app = await insightsApplication(t, round, {
        communityId: community.id,
        applicantId: planner.id,
        title: '口袋公园改造',
        summary: 'SECRET-APPLICATION-SUMMARY',
        status: 'AWARDED',
        decidedAt: daysAgo(100),
      });
      await insightsReview(t, app.id, {
        reviewerId: reviewer.id,
        assignedBy: officer.id,
        dueAt: daysAgo(120),
        submitted: true,
        comment: 'SECRET-REVIEW-COMMENT',
      });
      award = await insightsAward(t, round, app, {
        proposedBy: officer.id,
        approvedBy: finance.id,
        designMinor: 10_000_00,
        constructionMinor: 20_000_00,
        projectStatus: 'EVALUATED',
      });
      for (const [i, at] of paidOn.entries()) {
        await insightsTranche(t, award, {
          seq: i + 1,
          amountMinor: 8_000_00,
          status: 'PAID',
          requestedBy: officer.id,
          requestedAt: new Date(at.getTime() - DAY),
          decidedBy: finance.id,
          decidedAt: at,
        });
      }
      await insightsTranche(t, award, {
        seq: 3,
        amountMinor: 4_000_00,
        status: 'REQUESTED',
        requestedBy: officer.id,
      });
      await insightsReport(t, award, {
        kind: 'START',
        submittedBy: planner.id,
        body: 'SECRET-REPORT-BODY',
        publicSummary: '开工仪式已举行，居民参与设计。',
        status: 'ACCEPTED',
        decidedBy: officer.id,
      });
      await insightsReport(t, award, {
        kind: 'MIDTERM',
        submittedBy: planner.id,
        publicSummary: 'UNACCEPTED-SUMMARY',
      });
      await insightsInspection(t, award, {
        body: '区住房和建设局',
        result: 'PASSED',
        inspectedOn: '2026-07-01',
        recordedBy: officer.id,
        notes: 'SECRET-INSPECTION-NOTE',
      });
      const failed = await insightsEvaluation(t, award, {
        seq: 1,
        status: 'FAILED',
        openedBy: officer.id,
        codeLabel: 'SECRET-LABEL',
        responses: [
          ...Array.from({ length: 7 }, () => ({ satisfied: true, score: 4 })),
          ...Array.from({ length: 3 }, () => ({ satisfied: false, score: 2, comment: '座椅太少' })),
        ],
      });
      const passed = await insightsEvaluation(t, award, {
        seq: 2,
        status: 'PASSED',
        openedBy: officer.id,
        responses: [
          ...Array.from({ length: 9 }, (_, i) => ({
            satisfied: true,
            score: i < 5 ? 5 : 4,
            comment: i === 0 ? '很满意，孩子们常来' : '',
          })),
          { satisfied: false, score: 2 },
        ],
      });
      codes = [...failed.codes, ...passed.codes];
      const otherApp = await insightsApplication(t, round, {
        communityId: community.id,
        applicantId: planner.id,
        title: '=NOT-YET-APPROVED-PROJECT',
        status: 'SHORTLISTED',
        decidedAt: daysAgo(3),
      });
      proposedAward = await insightsAward(t, round, otherApp, {
        proposedBy: officer.id,
        status: 'PROPOSED',
      });
    });
    let codes: string[] = [];

    it('shows the amounts, community, fund, paid tranches with Beijing dates, accepted summaries, inspection and evaluations', async () => {
      const res = await request(t.server).get(`/projects/${award.id}?lang=zh-CN`).expect(200);
      const html = res.text;
      expect(html).toContain('口袋公园改造');
      expect(html).toContain('¥30,000.00'); // awarded: design 10,000 + construction 20,000
      expect(html).toContain('¥26,000.00'); // paid: design + 2 tranches of 8,000
      expect(html).toContain('社区营造基金');
      expect(html).toContain('F-PUBLIC');
      expect(html).toMatch(/已通过居民评议/);
      // 2026-03-01T17:30Z is 2 March in Beijing.
      expect(html).toContain('2026-03-02');
      expect(html).toContain('2026-06-10');
      expect(html.match(/class="tranche-paid"/g)).toHaveLength(2);
      expect(html).toContain('开工仪式已举行，居民参与设计。');
      expect(html).toContain('区住房和建设局');
      expect(html).toContain('验收合格');
      expect(html).toContain('很满意，孩子们常来');
      expect(html).toContain('座椅太少');
      expect(html).toMatch(/满意度 90%（10 人中 9 人满意；标准 80%），平均分 4\.30/);
      expect(html).toMatch(/满意度 70%/);
      const en = await request(t.server).get(`/projects/${award.id}?lang=en`).expect(200);
      expect(en.text).toContain('Placemaking Fund');
      expect(en.text).toContain('Satisfaction 90%');
    });

    it('never shows private fields: application text, reviews, report bodies, notes, codes, people', async () => {
      const html = (await request(t.server).get(`/projects/${award.id}`).expect(200)).text;
      for (const secret of [
        'SECRET-APPLICATION-SUMMARY',
        'SECRET-REVIEW-COMMENT',
        'SECRET-REPORT-BODY',
        'SECRET-INSPECTION-NOTE',
        'SECRET-LABEL',
        'UNACCEPTED-SUMMARY',
        planner.email,
        officer.email,
        finance.email,
        reviewer.email,
        ...codes,
      ]) {
        expect(html).not.toContain(secret);
      }
    });

    it('lists awarded projects with filters and paging; an award not approved is not public', async () => {
      const list = await request(t.server).get('/projects?lang=zh-CN&year=2025').expect(200);
      expect(list.text).toContain(`/projects/${award.id}`);
      expect(list.text).not.toContain('NOT-YET-APPROVED-PROJECT');
      const byStatus = await request(t.server).get('/projects?status=IN_PROGRESS').expect(200);
      expect(byStatus.text).not.toContain(`/projects/${award.id}`);
      const byPlace = await request(t.server)
        .get(
          `/projects?subdistrict=${community.subdistrictId}&community=${community.id}&status=EVALUATED`,
        )
        .expect(200);
      expect(byPlace.text).toContain(`/projects/${award.id}`);
      // Linked from and to the fund: its projects, and the fund's row on the home page.
      const byFund = await request(t.server).get('/projects?fund=F-PUBLIC&lang=en').expect(200);
      expect(byFund.text).toContain(`/projects/${award.id}`);
      expect(byFund.text).toContain('Projects paid from Placemaking Fund.');
      const otherFund = await request(t.server).get('/projects?fund=F-NONE').expect(200);
      expect(otherFund.text).not.toContain(`/projects/${award.id}`);
      const detail = await request(t.server).get(`/projects/${award.id}?lang=en`).expect(200);
      expect(detail.text).toMatch(/href="\/projects\?fund(=|&#x3D;)F-PUBLIC&amp;lang(=|&#x3D;)en"/);
      await request(t.server).get('/projects?fund=%3Cscript%3E').expect(400);
      const pageTwo = await request(t.server).get('/projects?year=2025&page=2').expect(200);
      expect(pageTwo.text).not.toContain(`/projects/${award.id}`);
      await request(t.server).get(`/projects/${proposedAward.id}`).expect(404);
      await request(t.server).get('/projects/00000000-0000-4000-8000-000000000000').expect(404);
      await request(t.server).get('/projects?year=abc').expect(400);
      await request(t.server).get('/projects?status=SECRET').expect(400);
      await request(t.server).get('/projects/not-a-uuid').expect(400);
      const home = await request(t.server).get('/?lang=zh-CN').expect(200);
      expect(home.text).toContain('href="/projects?lang=zh-CN"');
      expect(home.text).toContain('项目公示');
      expect(home.text).toContain('href="/projects?fund=F-PUBLIC&amp;lang=zh-CN"');
    });

    it('exports awards and fund use as CSV, formula-safe, to staff only', async () => {
      const session = formSession(t.server);
      expect((await session.signIn(finance.email, TEST_PASSWORD)).status).toBe(303);
      const awards = await session.agent
        .get('/admin/grants/export/awards.csv?year=2025')
        .expect(200);
      expect(awards.headers['content-type']).toMatch(/text\/csv/);
      const rows = parseCsv(awards.text);
      expect(rows[0]!.slice(0, 4)).toEqual(['round_year', 'round', 'award_id', 'title']);
      const mine = rows.find((r) => r[2] === award.id)!;
      expect(mine).toBeDefined();
      expect(mine[3]).toBe('口袋公园改造');
      expect(mine.slice(10, 16)).toEqual([
        '10000.00',
        '1000000',
        '20000.00',
        '2000000',
        '26000.00',
        '2600000',
      ]);
      const fundUse = await session.agent
        .get(`/admin/grants/export/fund-use.csv?year=${year}`)
        .expect(200);
      const line = parseCsv(fundUse.text).find((r) => r[1] === 'F-PUBLIC')!;
      // 50,000 in; 10,000 + 16,000 paid out → 52.0%.
      expect(line.slice(5, 10)).toEqual(['0.00', '50000.00', '50000.00', '26000.00', '52.0']);
      // A title that a spreadsheet would run as a formula arrives as text.
      expect(rows.find((r) => r[2] === proposedAward.id)![3]).toBe("'=NOT-YET-APPROVED-PROJECT");
      await session.agent.get('/admin/grants/export/awards.csv?year=abc').expect(400);
      const page = await session.agent.get('/admin/grants?lang=en').expect(200);
      expect(page.text).toContain('Grants dashboard');
      expect(page.text).toContain('href="/admin/grants"');
      expect(page.text).toMatch(/class="overdue"/);
      const stranger = formSession(t.server);
      expect((await stranger.signIn(planner.email, TEST_PASSWORD)).status).toBe(303);
      await stranger.agent.get('/admin/grants/export/awards.csv').expect(403);
      await request(t.server)
        .get('/admin/grants/export/fund-use.csv')
        .expect((r) => expect([302, 303, 401]).toContain(r.status));
    });
  });
});
