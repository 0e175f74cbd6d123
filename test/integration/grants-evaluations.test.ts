import request from 'supertest';
import { EvaluationsService } from '../../src/modules/grants/evaluations/evaluations.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import {
  acceptRectification,
  createCompletedProject,
} from '../factories/grants-evaluation.factory';
import { createFoundation } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;

/**
 * Resident satisfaction evaluations over HTTP against real PostgreSQL: one-time codes, one
 * response per code under concurrency, the integer threshold, rectification and re-evaluation,
 * refusals that store nothing, the daily close, and the public results.
 */
describe('grants: resident evaluations', () => {
  let t: TestApp;
  let officer: User;
  let finance: User;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    finance = await createUser(t, ['FINANCE']);
  });
  afterAll(() => t.close());

  const open = (awardId: string, body: Record<string, unknown>, who: User = officer) =>
    request(t.server).post(`/api/v1/grants/awards/${awardId}/evaluations`).set(who.auth).send(body);
  const respond = (body: Record<string, unknown>) =>
    request(t.server).post('/api/v1/evaluations/responses').send(body);
  const close = (id: string) =>
    request(t.server).post(`/api/v1/grants/evaluations/${id}/close`).set(officer.auth);
  const one = async <T = Record<string, unknown>>(sql: string, params: unknown[]) =>
    (await t.dataSource.query<T[]>(sql, params))[0]!;
  const responsesOf = async (evaluationId: string) =>
    (
      await one<{ n: number }>(
        `SELECT count(*)::int AS n FROM grant_evaluation_responses WHERE evaluation_id = $1`,
        [evaluationId],
      )
    ).n;
  const projectStatus = async (awardId: string) =>
    (
      await one<{ s: string }>(`SELECT project_status AS s FROM grant_awards WHERE id = $1`, [
        awardId,
      ])
    ).s;
  const audit = async (entityId: string) =>
    (
      await t.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`,
        [entityId],
      )
    ).map((r) => r.action);
  type Opened = {
    id: string;
    codes: { code: string; label: string; panel: string; url: string }[];
  };
  /** Sends one response per (satisfied, score) pair, each on its own code. */
  const answer = async (ev: Opened, answers: [boolean, number, string?][]) => {
    for (const [i, [satisfied, score, comment]] of answers.entries())
      await respond({ code: ev.codes[i]!.code, satisfied, score, comment: comment ?? '' }).expect(
        201,
      );
  };

  it('200 concurrent responses on 50 codes (each sent 4 times): exactly 50 are counted', async () => {
    const p = await createCompletedProject(t, { minEvaluators: 10 });
    const res = await open(p.awardId, { residentCodes: 40, stakeholderCodes: 10 }).expect(201);
    const ev = res.body as Opened;
    expect(ev.codes).toHaveLength(50);
    expect(new Set(ev.codes.map((c) => c.code)).size).toBe(50);
    expect(ev.codes[0]!.label).toBe('居民代表 1 / Resident 1');
    expect(ev.codes[40]!.label).toBe('利益相关方 1 / Stakeholder 1');
    expect(ev.codes[0]!.url).toMatch(/\/evaluate\?code=[A-HJ-NP-Z2-9]{10}$/);

    const sends = ev.codes.flatMap((c, i) =>
      [0, 1, 2, 3].map((k) =>
        respond({
          code: c.code,
          satisfied: i % 5 !== 0,
          score: 1 + ((i + k) % 5),
          comment: `#${i}.${k}`,
        }),
      ),
    );
    const answers = await Promise.all(sends);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(150);
    for (const a of answers.filter((x) => x.status === 409))
      expect(a.body).toMatchObject({ code: 'EVALUATOR_CODE_USED' });
    expect(await responsesOf(ev.id)).toBe(50);
    expect(
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM grant_evaluator_codes WHERE evaluation_id = $1 AND used_at IS NOT NULL`,
          [ev.id],
        )
      ).n,
    ).toBe(50);
    // One response per code, whichever of its four arrived first.
    expect(
      (
        await one<{ n: number }>(
          `SELECT count(DISTINCT code_id)::int AS n FROM grant_evaluation_responses WHERE evaluation_id = $1`,
          [ev.id],
        )
      ).n,
    ).toBe(50);

    // 40 of 50 satisfied = 80 %: passes exactly at the threshold.
    const closed = await close(ev.id).expect(200);
    expect(closed.body).toMatchObject({
      projectStatus: 'EVALUATED',
      evaluation: { status: 'PASSED', resultResponses: 50, resultSatisfied: 40 },
    });
    expect(await projectStatus(p.awardId)).toBe('EVALUATED');
  });

  it('closes a passed project at once when nothing is left to pay', async () => {
    const p = await createCompletedProject(t, { minEvaluators: 2, lastTranche: false });
    const ev = (await open(p.awardId, { residentCodes: 2, stakeholderCodes: 0 }).expect(201))
      .body as Opened;
    await answer(ev, [
      [true, 5],
      [true, 4],
    ]);
    const closed = await close(ev.id).expect(200);
    expect(closed.body).toMatchObject({
      projectStatus: 'CLOSED',
      evaluation: { status: 'PASSED' },
    });
    expect(await projectStatus(p.awardId)).toBe('CLOSED');
    expect(await audit(p.awardId)).toEqual([
      'grant.project.evaluated',
      'grant.award.project_status',
    ]);
  });

  it('counts a hand-computed example; below 80 % orders rectification; a new evaluation waits for an accepted rectification report; passing clears it', async () => {
    const p = await createCompletedProject(t, { minEvaluators: 10 });
    const first = (await open(p.awardId, { residentCodes: 10, stakeholderCodes: 2 }).expect(201))
      .body as Opened;
    expect(first).toMatchObject({ seq: 1, status: 'OPEN', thresholdPct: 80, minResponses: 10 });
    expect(await audit(first.id)).toEqual(['grant.evaluation.opened']);

    // 9 answers: below the minimum, the officer cannot close yet.
    await answer(first, [
      [true, 5],
      [true, 4],
      [true, 4],
      [false, 2, '晚上太暗了'],
      [true, 3],
      [true, 5],
      [false, 1, '座椅太少'],
      [true, 4],
      [true, 4],
    ]);
    const early = await close(first.id).expect(409);
    expect(early.body).toMatchObject({ code: 'EVALUATION_BELOW_MINIMUM' });
    expect(early.body.message).toMatch(/has 9 responses and needs at least 10/);
    expect(
      (
        await one<{ s: string }>(`SELECT status AS s FROM grant_evaluations WHERE id = $1`, [
          first.id,
        ])
      ).s,
    ).toBe('OPEN');

    // Three more: 12 responses, 9 satisfied = 75 % < 80 % → FAILED.
    // Scores 5+4+4+2+3+5+1+4+4+3+2+5 = 42, mean 42 / 12 = 3.50.
    await respond({ code: first.codes[9]!.code, satisfied: true, score: 3 }).expect(201);
    await respond({ code: first.codes[10]!.code, satisfied: false, score: 2 }).expect(201);
    await respond({
      code: first.codes[11]!.code,
      satisfied: true,
      score: 5,
      comment: '孩子们喜欢',
    }).expect(201);

    const failed = await close(first.id).expect(200);
    expect(failed.body).toMatchObject({
      projectStatus: 'RECTIFICATION_REQUIRED',
      evaluation: {
        status: 'FAILED',
        resultResponses: 12,
        resultSatisfied: 9,
        resultMeanScore: 3.5,
      },
    });
    expect(await projectStatus(p.awardId)).toBe('RECTIFICATION_REQUIRED');
    expect(await audit(first.id)).toEqual([
      'grant.evaluation.opened',
      ...Array<string>(12).fill('grant.evaluation.responded'),
      'grant.evaluation.closed',
    ]);
    expect(await audit(p.awardId)).toEqual(['grant.project.rectification_required']);
    // The grantee is told to rectify at once, in their language.
    const mail = await one<{
      payload: { template: string; to: string; locale: string; data: Record<string, unknown> };
    }>(`SELECT payload FROM outbox WHERE dedupe_key = $1`, [`grant-evaluation-result:${first.id}`]);
    expect(mail.payload).toMatchObject({
      template: 'grant-evaluation-result',
      to: p.grantee.email,
      locale: 'zh-CN',
      data: { passed: false, satisfied: '75%', threshold: '80%', responses: 12 },
    });

    // Closing twice is refused; the closed evaluation takes no more answers and stores nothing.
    await close(first.id).expect(409);
    const late = await respond({ code: first.codes[0]!.code, satisfied: true, score: 5 }).expect(
      409,
    );
    expect(late.body.code).toBe('EVALUATOR_CODE_USED');

    // No new evaluation before the rectification report is accepted.
    const refused = await open(p.awardId, { residentCodes: 10, stakeholderCodes: 0 }).expect(409);
    expect(refused.body).toMatchObject({ code: 'EVALUATION_NOT_ALLOWED' });
    expect(refused.body.message).toMatch(/rectification report is accepted/);
    expect(
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM grant_evaluations WHERE award_id = $1`,
          [p.awardId],
        )
      ).n,
    ).toBe(1);

    await acceptRectification(t, p.awardId, p.grantee.id, officer.id);
    const second = (await open(p.awardId, { residentCodes: 10, stakeholderCodes: 0 }).expect(201))
      .body as Opened;
    expect(second).toMatchObject({ seq: 2, status: 'OPEN' });
    // A second one while it is open is refused.
    expect(
      (await open(p.awardId, { residentCodes: 10, stakeholderCodes: 0 }).expect(409)).body.code,
    ).toBe('EVALUATION_ALREADY_OPEN');
    // 10 responses, 8 satisfied = 80 % → PASSED, mean (4×8 + 2×2) / 10 = 3.60.
    await answer(second, [
      ...Array.from({ length: 8 }, (): [boolean, number] => [true, 4]),
      [false, 2, '还可以更好'],
      [false, 2],
    ]);
    const passed = await close(second.id).expect(200);
    expect(passed.body).toMatchObject({
      projectStatus: 'EVALUATED',
      evaluation: {
        status: 'PASSED',
        resultResponses: 10,
        resultSatisfied: 8,
        resultMeanScore: 3.6,
      },
    });
    expect(await projectStatus(p.awardId)).toBe('EVALUATED');
    expect(await audit(p.awardId)).toEqual([
      'grant.project.rectification_required',
      'grant.project.evaluated',
    ]);

    // Public results (no sign-in): both evaluations, comments without codes or labels.
    const pub = await request(t.server)
      .get(`/api/v1/grants/awards/${p.awardId}/evaluations`)
      .expect(200);
    expect(pub.body.items).toMatchObject([
      { seq: 1, status: 'FAILED', responses: 12, satisfiedPercent: 75, meanScore: 3.5 },
      { seq: 2, status: 'PASSED', responses: 10, satisfiedPercent: 80, meanScore: 3.6 },
    ]);
    expect(pub.body.items[0].comments.map((c: { comment: string }) => c.comment)).toEqual([
      '晚上太暗了',
      '座椅太少',
      '孩子们喜欢',
    ]);
    const text = JSON.stringify(pub.body);
    for (const c of [...first.codes, ...second.codes]) expect(text).not.toContain(c.code);
    expect(text).not.toContain('居民代表');
  });

  it('refuses bad input with a clear message and stores nothing', async () => {
    const p = await createCompletedProject(t, { minEvaluators: 2 });
    const other = await createCompletedProject(t, { minEvaluators: 2 });
    const ev = (await open(p.awardId, { residentCodes: 3, stakeholderCodes: 0 }).expect(201))
      .body as Opened;
    const otherEv = (
      await open(other.awardId, { residentCodes: 2, stakeholderCodes: 0 }).expect(201)
    ).body as Opened;
    const code = ev.codes[0]!.code;
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['score 0', { code, satisfied: true, score: 0 }, 400, 'VALIDATION_FAILED'],
      ['score 6', { code, satisfied: true, score: 6 }, 400, 'VALIDATION_FAILED'],
      ['score 4.5', { code, satisfied: true, score: 4.5 }, 400, 'VALIDATION_FAILED'],
      [
        'comment too long',
        { code, satisfied: true, score: 3, comment: '长'.repeat(2001) },
        400,
        'VALIDATION_FAILED',
      ],
      ['satisfied missing', { code, score: 3 }, 400, 'VALIDATION_FAILED'],
      [
        'unknown code',
        { code: 'ABCDEFGHJK', satisfied: true, score: 3 },
        404,
        'EVALUATOR_CODE_UNKNOWN',
      ],
      [
        'not a code',
        { code: "x' OR 1=1", satisfied: true, score: 3 },
        404,
        'EVALUATOR_CODE_UNKNOWN',
      ],
      [
        'a code posted for another evaluation',
        { code, evaluationId: otherEv.id, satisfied: true, score: 3 },
        422,
        'EVALUATOR_CODE_MISMATCH',
      ],
    ];
    for (const [what, body, status, errorCode] of cases) {
      const res = await respond(body);
      expect({ what, status: res.status, code: res.body.code }).toEqual({
        what,
        status,
        code: errorCode,
      });
      expect(res.body.message).toBeTruthy();
    }
    expect(await responsesOf(ev.id)).toBe(0);
    expect(await responsesOf(otherEv.id)).toBe(0);

    // Typed by a person (lower case, dash) it is the same code; used once, then refused.
    const typed = `${code.slice(0, 5).toLowerCase()}-${code.slice(5)}`;
    await respond({ code: typed, evaluationId: ev.id, satisfied: true, score: 4 }).expect(201);
    const reused = await respond({ code, satisfied: false, score: 1 }).expect(409);
    expect(reused.body.message).toMatch(/used already/);
    expect(await responsesOf(ev.id)).toBe(1);

    // Past its closing time, an open evaluation takes nothing more.
    await t.dataSource.query(
      `UPDATE grant_evaluations SET closes_at = now() - interval '1 minute' WHERE id = $1`,
      [ev.id],
    );
    const closedRes = await respond({ code: ev.codes[1]!.code, satisfied: true, score: 4 }).expect(
      409,
    );
    expect(closedRes.body.code).toBe('EVALUATION_CLOSED');
    expect(await responsesOf(ev.id)).toBe(1);

    // Opening: not for a project that is not completed, not with fewer codes than the minimum.
    await t.dataSource.query(
      `UPDATE grant_awards SET project_status = 'IN_PROGRESS' WHERE id = $1`,
      [other.awardId],
    );
    await close(otherEv.id).expect(409); // below minimum (0 of 2)
    await request(t.server)
      .post(`/api/v1/grants/evaluations/${otherEv.id}/close`)
      .set(finance.auth)
      .expect(403);
    const third = await createCompletedProject(t, { minEvaluators: 5 });
    const few = await open(third.awardId, { residentCodes: 3, stakeholderCodes: 1 }).expect(400);
    expect(few.body.message).toMatch(/at least 5 responses/);
    await open(third.awardId, { residentCodes: -1, stakeholderCodes: 10 }).expect(400);
    await open(third.awardId, {
      residentCodes: 10,
      stakeholderCodes: 0,
      closesAt: '2020-01-01',
    }).expect(400);
    await open(third.awardId, { residentCodes: 10, stakeholderCodes: 0 }, finance).expect(403);
    await request(t.server)
      .post(`/api/v1/grants/awards/${third.awardId}/evaluations`)
      .send({ residentCodes: 10, stakeholderCodes: 0 })
      .expect(401);
    expect(
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM grant_evaluations WHERE award_id = $1`,
          [third.awardId],
        )
      ).n,
    ).toBe(0);
  });

  it('cancels an open evaluation with a reason: its codes stop working, nothing is counted, a new one may open', async () => {
    const p = await createCompletedProject(t, { minEvaluators: 2 });
    const ev = (await open(p.awardId, { residentCodes: 3, stakeholderCodes: 0 }).expect(201))
      .body as Opened;
    await answer(ev, [[true, 5]]);
    const cancel = (id: string, body: Record<string, unknown>, who: User = officer) =>
      request(t.server).post(`/api/v1/grants/evaluations/${id}/cancel`).set(who.auth).send(body);
    const status = async () =>
      (await one<{ s: string }>(`SELECT status AS s FROM grant_evaluations WHERE id = $1`, [ev.id]))
        .s;

    // No reason, a blank one, one too long, the wrong role, anonymous: refused, still open.
    expect((await cancel(ev.id, {}).expect(400)).body.message.join(' ')).toMatch(/reason/);
    await cancel(ev.id, { reason: '   ' }).expect(400);
    await cancel(ev.id, { reason: 'x'.repeat(1001) }).expect(400);
    await cancel(ev.id, { reason: 'Cards printed wrongly' }, finance).expect(403);
    await request(t.server)
      .post(`/api/v1/grants/evaluations/${ev.id}/cancel`)
      .send({ reason: 'Cards printed wrongly' })
      .expect(401);
    await cancel('00000000-0000-4000-8000-000000000000', { reason: 'Nope' }).expect(404);
    expect(await status()).toBe('OPEN');

    const cancelled = await cancel(ev.id, { reason: '  测评卡印错，重新发放  ' }).expect(200);
    expect(cancelled.body).toMatchObject({ id: ev.id, status: 'CANCELLED', resultResponses: null });
    expect(cancelled.body.closedAt).toBeTruthy();
    expect(await status()).toBe('CANCELLED');
    expect(await projectStatus(p.awardId)).toBe('COMPLETED');
    const row = await one<{ before: unknown; after: unknown; actor_user_id: string }>(
      `SELECT before, after, actor_user_id FROM audit_log WHERE entity_id = $1 AND action = 'grant.evaluation.cancelled'`,
      [ev.id],
    );
    expect(row).toMatchObject({
      before: { status: 'OPEN', responses: 1 },
      after: { status: 'CANCELLED', reason: '测评卡印错，重新发放', awardId: p.awardId },
      actor_user_id: officer.id,
    });

    // Its codes stop working on the API and the page; nothing is stored.
    const late = await respond({ code: ev.codes[1]!.code, satisfied: true, score: 4 }).expect(409);
    expect(late.body.code).toBe('EVALUATION_CLOSED');
    const page = await request(t.server).get(`/evaluate?code=${ev.codes[2]!.code}&lang=en`);
    expect(page.status).toBe(409);
    expect(await responsesOf(ev.id)).toBe(1);

    // Cancelling or closing it again is refused in words.
    const twice = await cancel(ev.id, { reason: 'again' }).expect(409);
    expect(twice.body).toMatchObject({ code: 'EVALUATION_NOT_OPEN' });
    expect(twice.body.message).toMatch(/Only an open evaluation can be closed or cancelled/);
    await close(ev.id).expect(409);

    // Not in the public results; a new evaluation may open (seq 2) and counts on its own.
    const pub = await request(t.server)
      .get(`/api/v1/grants/awards/${p.awardId}/evaluations`)
      .expect(200);
    expect(pub.body.items).toEqual([]);
    const next = (await open(p.awardId, { residentCodes: 2, stakeholderCodes: 0 }).expect(201))
      .body as Opened;
    expect(next).toMatchObject({ seq: 2, status: 'OPEN' });
    await answer(next, [
      [true, 4],
      [true, 5],
    ]);
    const passed = await close(next.id).expect(200);
    expect(passed.body.evaluation).toMatchObject({ resultResponses: 2, resultSatisfied: 2 });
  });

  it('the daily job closes evaluations past their time when the minimum is in; one below it stays open, flagged overdue', async () => {
    const a = await createCompletedProject(t, { minEvaluators: 3 });
    const b = await createCompletedProject(t, { minEvaluators: 3 });
    const evA = (await open(a.awardId, { residentCodes: 3, stakeholderCodes: 0 }).expect(201))
      .body as Opened;
    const evB = (await open(b.awardId, { residentCodes: 3, stakeholderCodes: 0 }).expect(201))
      .body as Opened;
    await answer(evA, [
      [true, 5],
      [true, 4],
      [false, 2],
    ]); // 2 of 3 = 66.7 % → FAILED
    await answer(evB, [[true, 5]]);
    const later = new Date(Date.now() + 15 * 24 * 3_600_000);
    const result = await t.get(EvaluationsService).closeDue(later);
    expect(result.closed).toContain(evA.id);
    expect(result.overdue).toContain(evB.id);
    expect(await projectStatus(a.awardId)).toBe('RECTIFICATION_REQUIRED');
    expect(await projectStatus(b.awardId)).toBe('COMPLETED');
    const row = await one<{ actor_label: string }>(
      `SELECT actor_label FROM audit_log WHERE entity_id = $1 AND action = 'grant.evaluation.closed'`,
      [evA.id],
    );
    expect(row.actor_label).toBe('job:grant-evaluations-close');
    await t.dataSource.query(
      `UPDATE grant_evaluations SET closes_at = now() - interval '1 hour' WHERE id = $1`,
      [evB.id],
    );
    const view = await request(t.server)
      .get(`/api/v1/grants/evaluations/${evB.id}`)
      .set(officer.auth)
      .expect(200);
    expect(view.body).toMatchObject({ status: 'OPEN', overdue: true, tally: { responses: 1 } });
    // Run again: nothing more to do for A, B still overdue.
    const again = await t.get(EvaluationsService).closeDue(later);
    expect(again.closed).not.toContain(evA.id);
    expect(again.overdue).toContain(evB.id);
  });

  it('shows the public page for a code and the printable sheet with a QR per code', async () => {
    const p = await createCompletedProject(t, { minEvaluators: 2, title: '社区花园 Garden' });
    const ev = (await open(p.awardId, { residentCodes: 2, stakeholderCodes: 1 }).expect(201))
      .body as Opened;
    const page = await request(t.server)
      .get(`/evaluate?code=${ev.codes[0]!.code}&lang=zh-CN`)
      .expect(200);
    expect(page.text).toContain('社区花园 Garden');
    expect(page.text).toContain('花园已建成');
    expect(page.text).toContain('您对这个项目满意吗');
    const unknown = await request(t.server).get('/evaluate?code=ZZZZZZZZZZ&lang=en').expect(404);
    expect(unknown.text).toContain('This code is not valid');
    await request(t.server)
      .get(`/admin/grants/evaluations/${ev.id}/codes`)
      .expect((r) => expect([302, 303, 401]).toContain(r.status));
    const staff = formSession(t.server);
    await staff.signIn(officer.email, TEST_PASSWORD);
    const sheet = await staff.agent
      .get(`/admin/grants/evaluations/${ev.id}/codes?lang=zh-CN`)
      .expect(200);
    expect(sheet.text.match(/<img src="data:image\/png;base64,/g)).toHaveLength(3);
    expect(sheet.text).toContain('利益相关方 1');
    expect(sheet.text).not.toContain('Stakeholder 1');

    // The page's form: a missing score is shown beside the field and nothing is stored; then it
    // records once and thanks; the same code again is refused in words.
    const resident = formSession(t.server);
    const fields = {
      code: ev.codes[1]!.code,
      evaluationId: ev.id,
      satisfied: 'yes',
      comment: '很好',
    };
    const missing = await resident.post('/evaluate?lang=zh-CN', fields);
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('请选择 1 到 5 分');
    expect(await responsesOf(ev.id)).toBe(0);
    const sent = await resident.post('/evaluate?lang=zh-CN', { ...fields, score: '4' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('/evaluate/thanks?lang=zh-CN');
    expect(await responsesOf(ev.id)).toBe(1);
    const again = await resident.post('/evaluate?lang=en', { ...fields, score: '5' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('This code has been used already');
    const wrong = await resident.post('/evaluate?lang=en', {
      ...fields,
      code: ev.codes[2]!.code,
      evaluationId: p.awardId,
      score: '5',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('belongs to another evaluation');
    expect(await responsesOf(ev.id)).toBe(1);
  });
});
