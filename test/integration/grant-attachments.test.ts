import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { AttachmentStorage } from '../../src/modules/grants/attachments/attachment-storage';
import { createUser } from '../factories/accounts.factory';
import {
  createCommunity,
  createFoundation,
  createFund,
  fundFromOutside,
} from '../factories/foundation.factory';
import { PNG, solidImage } from '../utils/images';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;

const API = '/api/v1/grants/attachments';
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

/**
 * Attachments of applications, reports and expenses: judged by content (PDF markers; images
 * decoded and written again), 10 MB and 20 per owner at most, names cleaned, and who may add or
 * read decided by the owner.
 */
describe('grant attachments', () => {
  let t: TestApp;
  let finance: User;
  let finance2: User;
  let officer: User;
  let admin: User;
  let leader: User;
  let otherLeader: User;
  let planner: User;
  let otherPlanner: User;
  let reviewer: User;
  let otherReviewer: User;
  let fund: { id: string };
  let communityId: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    const f = await createFund(t, { kind: 'COMMUNITY' });
    await fundFromOutside(t, f, 1_000_000);
    fund = f;
    communityId = f.communityId!;
    const elsewhere = await createFund(t, { kind: 'COMMUNITY' });
    finance = await createUser(t, ['FINANCE']);
    finance2 = await createUser(t, ['FINANCE']);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    admin = await createUser(t, ['ADMIN']);
    leader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [f.id] });
    otherLeader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [elsewhere.id] });
    planner = await createUser(t, ['PLANNER'], { communityIds: [communityId] });
    otherPlanner = await createUser(t, ['PLANNER'], {
      communityIds: [(await createCommunity(t)).id],
    });
    reviewer = await createUser(t, ['REVIEWER']);
    otherReviewer = await createUser(t, ['REVIEWER']);
  });
  afterAll(() => t.close());

  const expense = async (who: User = leader) =>
    (
      await request(t.server)
        .post(`/api/v1/funds/${fund.id}/expenses`)
        .set(who.auth)
        .send({ payee: 'Shop', purpose: 'Supplies', amountMinor: 100 })
        .expect(201)
    ).body.expense as { id: string };
  const raw = (
    who: User | null,
    owner: { ownerType: string; ownerId: string },
    data: Buffer,
    type: string,
    name?: string,
  ) => {
    const req = request(t.server).post(API).query(owner).set('Content-Type', type);
    if (who) void req.set(who.auth);
    if (name !== undefined) void req.set('X-File-Name', encodeURIComponent(name));
    return req.send(data);
  };
  const multipart = (
    who: User,
    owner: { ownerType: string; ownerId: string },
    data: Buffer,
    filename: string,
    contentType: string,
  ) =>
    request(t.server)
      .post(API)
      .query(owner)
      .set(who.auth)
      .attach('file', data, { filename, contentType });
  const rows = async (ownerId: string) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM grant_attachments WHERE owner_id = $1`,
        [ownerId],
      )
    )[0].n as number;
  const download = (who: User, id: string) =>
    request(t.server).get(`${API}/${id}`).set(who.auth).buffer(true).parse(binary);

  /** An application (DRAFT) by `planner` in the fund's community, with `reviewer` assigned. */
  async function application(status = 'DRAFT') {
    const [round] = await t.dataSource.query(
      `INSERT INTO grant_rounds (name_zh, name_en, year, source_fund_id, currency,
         applications_open_at, applications_close_at, review_close_at, tiers, rubric,
         second_approval_above_minor, tranche_schedule, target_days, budget_minor)
       VALUES ('测试', 'Test', 2026, $1, 'CNY', now(), now() + interval '10 days',
         now() + interval '20 days', '[]', '[]', 0, '[]', '{}', 100) RETURNING id`,
      [fund.id],
    );
    const [app] = await t.dataSource.query(
      `INSERT INTO grant_applications (round_id, community_id, applicant_id, title, status, submitted_at)
       VALUES ($1, $2, $3, 'A park', $4, CASE WHEN $4 = 'DRAFT' THEN NULL ELSE now() END)
       RETURNING id`,
      [round.id, communityId, planner.id, status],
    );
    await t.dataSource.query(
      `INSERT INTO grant_review_assignments (application_id, reviewer_id, assigned_by, due_at)
       VALUES ($1, $2, $3, now() + interval '7 days')`,
      [app.id, reviewer.id, officer.id],
    );
    return { roundId: round.id as string, applicationId: app.id as string };
  }

  /** A SUBMITTED report by `planner` (the grantee) on an award of their application. */
  async function report() {
    const { roundId, applicationId } = await application('SHORTLISTED');
    const [award] = await t.dataSource.query(
      `INSERT INTO grant_awards (round_id, application_id, tier_key, design_award_minor, currency,
         needs_second_approval, proposed_by, decision_due_at)
       VALUES ($1, $2, 'first', 100, 'CNY', false, $3, now()) RETURNING id`,
      [roundId, applicationId, officer.id],
    );
    const [r] = await t.dataSource.query(
      `INSERT INTO grant_reports (award_id, kind, body, submitted_by, decision_due_at)
       VALUES ($1, 'START', 'We started.', $2, now() + interval '5 days') RETURNING id`,
      [award.id, planner.id],
    );
    return r.id as string;
  }

  it('accepts a PDF as a raw body with its UTF-8 name, and serves it as a download', async () => {
    const e = await expense();
    const owner = { ownerType: 'EXPENSE', ownerId: e.id };
    const res = await raw(leader, owner, PDF, 'application/pdf', '发票 2026.pdf').expect(201);
    expect(res.body).toMatchObject({
      ownerType: 'EXPENSE',
      ownerId: e.id,
      fileName: '发票 2026.pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
      url: `${API}/${res.body.id}`,
    });
    expect(res.body.storageKey).toBeUndefined();
    const file = await download(finance, res.body.id).expect(200);
    expect(Buffer.compare(file.body as Buffer, PDF)).toBe(0);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="__ 2026.pdf"; filename*=UTF-8''${encodeURIComponent('发票 2026.pdf')}`,
    );
    const list = await request(t.server).get(API).query(owner).set(leader.auth).expect(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([res.body.id]);
    const audit = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE entity_type = 'grant_attachment' AND entity_id = $1`,
      [res.body.id],
    );
    expect(audit).toEqual([{ action: 'grant.attachment.added' }]);
  });

  it('accepts a PNG in a multipart form, written again (no trailing data survives)', async () => {
    const e = await expense();
    const png = Buffer.concat([await solidImage('png'), Buffer.from('<script>x</script>')]);
    const res = await multipart(
      leader,
      { ownerType: 'EXPENSE', ownerId: e.id },
      png,
      'receipt.png',
      'image/png',
    ).expect(201);
    expect(res.body).toMatchObject({ fileName: 'receipt.png', contentType: 'image/png' });
    const file = await download(leader, res.body.id).expect(200);
    const stored = file.body as Buffer;
    expect(stored.includes('<script>')).toBe(false);
    expect(await sharp(stored).metadata()).toMatchObject({ format: 'png', width: 64, height: 48 });
    expect(res.body.sha256).toBe(createHash('sha256').update(stored).digest('hex'));
  });

  it.each([
    [
      'a PNG header on garbage',
      Buffer.concat([PNG.subarray(0, 16), Buffer.alloc(400, 7)]),
      'image/png',
      'x.png',
    ],
    [
      'an .exe renamed .pdf',
      Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(500, 1)]),
      'application/pdf',
      'invoice.pdf',
    ],
    [
      'a PDF header with no end marker',
      Buffer.from('%PDF-1.4\n' + 'x'.repeat(3000)),
      'application/pdf',
      'cut.pdf',
    ],
    ['a GIF', Buffer.from('GIF89a' + '\0'.repeat(50)), 'image/gif', 'a.gif'],
  ])('refuses %s (415, nothing stored)', async (_what, data, type, name) => {
    const e = await expense();
    const res = await raw(leader, { ownerType: 'EXPENSE', ownerId: e.id }, data, type, name);
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('INVALID_ATTACHMENT');
    expect(res.body.message).toMatch(/^The file /);
    expect(await rows(e.id)).toBe(0);
  });

  it('refuses 10 MB + 1 byte with a 413 in words, and a huge body at the door', async () => {
    const e = await expense();
    const owner = { ownerType: 'EXPENSE', ownerId: e.id };
    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024 + 1 - PDF.length, 0x20)]);
    const started = Date.now();
    const res = await raw(leader, owner, big, 'application/pdf', 'big.pdf');
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
    expect(res.body.message).toMatch(/The file is 10241 KB; an attachment may be at most 10 MB/);
    const huge = await raw(leader, owner, Buffer.alloc(21 * 1024 * 1024), 'application/pdf');
    expect(huge.status).toBe(413);
    // Exactly 10 MB is fine.
    const edge = Buffer.concat([
      PDF.subarray(0, 9),
      Buffer.alloc(10 * 1024 * 1024 - 9 - 6, 0x20),
      Buffer.from('%%EOF\n'),
    ]);
    await raw(leader, owner, edge, 'application/pdf', 'edge.pdf').expect(201);
    expect(await rows(e.id)).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('cleans path-traversal and control characters out of names; the file lands only under DATA_DIR/attachments', async () => {
    const e = await expense();
    const owner = { ownerType: 'EXPENSE', ownerId: e.id };
    const dir = t.get(AttachmentStorage).dir;
    const cases: [string, string][] = [
      ['../../../../etc/passwd.pdf', 'passwd.pdf'],
      ['..\\..\\windows\\evil.pdf', 'evil.pdf'],
      ['in\u0000voice\u202e.pdf', 'invoice.pdf'],
      ['invoice.exe', 'invoice.exe.pdf'],
      ['..', 'file.pdf'],
      [`${'长'.repeat(300)}.pdf`, `${'长'.repeat(196)}.pdf`],
    ];
    for (const [given, stored] of cases) {
      const res = await raw(leader, owner, PDF, 'application/pdf', given).expect(201);
      expect(res.body.fileName).toBe(stored);
      const [row] = await t.dataSource.query(
        `SELECT storage_key AS key FROM grant_attachments WHERE id = $1`,
        [res.body.id],
      );
      expect(row.key).toMatch(/^[0-9a-f]{32}$/);
      expect(existsSync(path.join(dir, row.key))).toBe(true);
    }
    expect(existsSync(path.join(dir, '..', 'passwd.pdf'))).toBe(false);
    expect(readdirSync(dir).every((n) => /^[0-9a-f]{32}$/.test(n))).toBe(true);
    // The name query parameter works as well as the header.
    const byQuery = await request(t.server)
      .post(API)
      .query({ ...owner, name: 'q/../scan.pdf' })
      .set(leader.auth)
      .set('Content-Type', 'application/pdf')
      .send(PDF)
      .expect(201);
    expect(byQuery.body.fileName).toBe('scan.pdf');
  });

  it('keeps at most 20 files per owner', async () => {
    const e = await expense();
    const owner = { ownerType: 'EXPENSE', ownerId: e.id };
    for (let i = 0; i < 20; i++)
      await raw(leader, owner, PDF, 'application/pdf', `${i}.pdf`).expect(201);
    const res = await raw(leader, owner, PDF, 'application/pdf', '21.pdf').expect(409);
    expect(res.body.code).toBe('TOO_MANY_ATTACHMENTS');
    expect(await rows(e.id)).toBe(20);
  });

  it('expense: its requester adds while REQUESTED; requester, FINANCE, officers, ADMIN and the fund leaders read', async () => {
    const e = await expense(leader);
    const owner = { ownerType: 'EXPENSE', ownerId: e.id };
    const a = (await raw(leader, owner, PDF, 'application/pdf', 'i.pdf').expect(201)).body.id;
    const leader2 = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [fund.id] });
    for (const who of [finance, officer, admin, leader2]) {
      await download(who, a).expect(200);
      await raw(who, owner, PDF, 'application/pdf').expect(403);
    }
    for (const who of [otherLeader, planner, reviewer]) {
      await download(who, a).expect(404);
      await request(t.server).get(API).query(owner).set(who.auth).expect(404);
      await raw(who, owner, PDF, 'application/pdf').expect(404);
    }
    await request(t.server).get(`${API}/${a}`).expect(401);
    await raw(null, owner, PDF, 'application/pdf').expect(401);
    await request(t.server).post(`/api/v1/expenses/${e.id}/pay`).set(finance2.auth).expect(200);
    const locked = await raw(leader, owner, PDF, 'application/pdf').expect(409);
    expect(locked.body.code).toBe('ATTACHMENT_LOCKED');
    expect(locked.body.message).toMatch(/only while it is waiting for payment/);
    await download(leader, a).expect(200);
  });

  it('application: its applicant adds while DRAFT; officers, ADMIN, FINANCE and assigned reviewers read', async () => {
    const { applicationId } = await application();
    const owner = { ownerType: 'APPLICATION', ownerId: applicationId };
    const png = await solidImage('jpeg');
    const a = (await multipart(planner, owner, png, 'site.jpg', 'image/jpeg').expect(201)).body;
    expect(a.contentType).toBe('image/jpeg');
    for (const who of [officer, admin, finance, reviewer]) {
      await download(who, a.id).expect(200);
      await raw(who, owner, PDF, 'application/pdf').expect(403);
    }
    for (const who of [otherReviewer, otherPlanner, leader]) {
      await download(who, a.id).expect(404);
    }
    await t.dataSource.query(
      `UPDATE grant_applications SET status = 'SUBMITTED', submitted_at = now() WHERE id = $1`,
      [applicationId],
    );
    const locked = await raw(planner, owner, PDF, 'application/pdf').expect(409);
    expect(locked.body.code).toBe('ATTACHMENT_LOCKED');
    expect(await rows(applicationId)).toBe(1);
  });

  it('report: its submitter adds while SUBMITTED; the grantee, officers, ADMIN and FINANCE read', async () => {
    const reportId = await report();
    const owner = { ownerType: 'REPORT', ownerId: reportId };
    const a = (await raw(planner, owner, PDF, 'application/pdf', 'start.pdf').expect(201)).body.id;
    for (const who of [officer, admin, finance, planner]) await download(who, a).expect(200);
    for (const who of [reviewer, leader, otherPlanner]) await download(who, a).expect(404);
    await raw(officer, owner, PDF, 'application/pdf').expect(403);
    await t.dataSource.query(
      `UPDATE grant_reports SET status = 'ACCEPTED', decided_by = $2, decided_at = now() WHERE id = $1`,
      [reportId, officer.id],
    );
    const locked = await raw(planner, owner, PDF, 'application/pdf').expect(409);
    expect(locked.body.code).toBe('ATTACHMENT_LOCKED');
    expect(await rows(reportId)).toBe(1);
  });

  it('answers in words for a missing owner, a bad query and an unsupported body', async () => {
    const missing = await raw(
      leader,
      { ownerType: 'EXPENSE', ownerId: randomUUID() },
      PDF,
      'application/pdf',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ATTACHMENT_OWNER_NOT_FOUND');
    const bad = await raw(leader, { ownerType: 'CAMPAIGN', ownerId: 'x' }, PDF, 'application/pdf');
    expect(bad.status).toBe(400);
    expect(bad.body.message.join(' ')).toMatch(
      /ownerType must be one of APPLICATION, REPORT, EXPENSE/,
    );
    const e = await expense();
    const text = await raw(
      leader,
      { ownerType: 'EXPENSE', ownerId: e.id },
      Buffer.from('hi'),
      'text/plain',
    );
    expect(text.status).toBe(415);
    // Image and PDF bodies are still refused on routes that take no upload.
    const elsewhere = await request(t.server)
      .post(`/api/v1/expenses/${e.id}/withdraw`)
      .set(leader.auth)
      .set('Content-Type', 'application/pdf')
      .send(PDF);
    expect(elsewhere.status).toBe(415);
    expect(await rows(e.id)).toBe(0);
  });
});

function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
