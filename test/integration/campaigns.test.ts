import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { RequestContext } from '../../src/common/context/request-context';
import { CampaignTotalsService } from '../../src/modules/campaigns/campaign-totals.service';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { CoverStorage } from '../../src/modules/campaigns/cover-storage';
import { FundsService } from '../../src/modules/funds/funds.service';
import { TransactionService } from '../../src/database/transaction.service';
import { createUser } from '../factories/accounts.factory';
import { buildCampaign, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { PNG, solidImage } from '../utils/images';
import { createTestApp, type TestApp } from '../utils/test-app';

const API = '/api/v1/campaigns';

type Auth = Record<string, string>;

describe('campaigns', () => {
  let t: TestApp;
  let admin: Auth;
  let finance: Auth;
  let grants: Auth;
  let reviewer: Auth;
  let leader: Auth;
  let ownFund: string;
  let otherFund: string;
  let preparingFund: string;
  let closedFund: string;
  const uploads: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t);
    ownFund = (await createFund(t, { kind: 'COMMUNITY' })).id;
    otherFund = (await createFund(t, { kind: 'COMMUNITY' })).id;
    preparingFund = (await createFund(t, { status: 'PREPARING' })).id;
    const closing = await createFund(t, { status: 'PREPARING' });
    await RequestContext.run({ actor: { kind: 'system', label: 'test' } }, () =>
      t.get(FundsService).close(closing.id),
    );
    closedFund = closing.id;
    admin = (await createUser(t, ['ADMIN'])).auth;
    finance = (await createUser(t, ['FINANCE'])).auth;
    grants = (await createUser(t, ['GRANTS_OFFICER'])).auth;
    reviewer = (await createUser(t, ['REVIEWER'])).auth;
    leader = (await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [ownFund] })).auth;
  });

  afterAll(async () => {
    const covers = t.get(CoverStorage);
    for (const name of uploads) await covers.remove(name);
    await t.close();
  });

  const post = (url: string, auth: Auth, body: object) =>
    request(t.server).post(url).set(auth).send(body);
  const patch = (url: string, auth: Auth, body: object) =>
    request(t.server).patch(url).set(auth).send(body);
  const get = (url: string, auth: Auth = {}) => request(t.server).get(url).set(auth);

  async function auditActions(entityId: string): Promise<string[]> {
    const rows: { action: string }[] = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE entity_type = 'campaign' AND entity_id = $1 ORDER BY id`,
      [entityId],
    );
    return rows.map((r) => r.action);
  }

  describe('lifecycle and permissions', () => {
    it('a leader drafts for their fund, staff publish, the public sees it, staff end it', async () => {
      const body = buildCampaign({ fundId: ownFund, slug: 'Wheelchairs-Spring' });
      const created = await post(API, leader, body).expect(201);
      expect(created.body).toMatchObject({
        slug: 'wheelchairs-spring',
        fundId: ownFund,
        status: 'DRAFT',
        currency: 'CNY',
        minAmountMinor: 100,
        presetAmountsMinor: [5_000, 10_000, 50_000],
        goalMinor: 1_000_000,
        acceptingGifts: false,
        totals: { raisedMinor: 0, matchedMinor: 0, gifts: 0, donors: 0, progress: 0 },
      });
      const id = created.body.id as string;

      // A draft is invisible to the public, visible to its editors.
      await get(`${API}/wheelchairs-spring`).expect(404);
      await get(`${API}/wheelchairs-spring`, reviewer).expect(404);
      await get(`${API}/wheelchairs-spring`, leader).expect(200);
      await get(`${API}/${id}`, admin).expect(200);
      const publicList = await get(API).expect(200);
      expect(publicList.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
      const drafts = await get(`${API}?status=DRAFT`, leader).expect(200);
      expect(drafts.body.items.map((c: { id: string }) => c.id)).toContain(id);
      await get(`${API}?status=DRAFT`).expect(401);
      await get(`${API}?status=DRAFT`, reviewer).expect(403);

      // The leader edits the draft, slug included.
      const edited = await patch(`${API}/${id}`, leader, {
        slug: 'wheelchairs-2026',
        titleEn: 'Wheelchairs 2026',
        minAmountMinor: 500,
      }).expect(200);
      expect(edited.body).toMatchObject({ slug: 'wheelchairs-2026', minAmountMinor: 500 });

      // Only ADMIN and FINANCE publish.
      for (const who of [leader, grants, reviewer]) {
        const refused = await post(`${API}/${id}/publish`, who, {}).expect(403);
        expect(refused.body.code).toBe('FORBIDDEN');
      }
      await post(`${API}/${id}/publish`, {}, {}).expect(401);
      const live = await post(`${API}/${id}/publish`, finance, {}).expect(200);
      expect(live.body).toMatchObject({ status: 'LIVE', acceptingGifts: true });
      expect(live.body.publishedAt).toEqual(expect.any(String));

      const page = await get(`${API}/wheelchairs-2026`).expect(200);
      expect(page.body.storyHtmlEn).toBe(
        '<p>Wheelchairs for the <strong>elderly</strong> of our community.</p>',
      );
      expect(page.body.storyEn).toBe('Wheelchairs for the **elderly** of our community.');
      expect((await get(API).expect(200)).body.items.map((c: { id: string }) => c.id)).toContain(
        id,
      );

      // Live: leaders may no longer edit; staff may, but not the slug.
      const leaderEdit = await patch(`${API}/${id}`, leader, { titleEn: 'x' }).expect(409);
      expect(leaderEdit.body.code).toBe('CAMPAIGN_NOT_EDITABLE');
      const slugEdit = await patch(`${API}/${id}`, grants, { slug: 'new-address' }).expect(409);
      expect(slugEdit.body.code).toBe('CAMPAIGN_SLUG_LOCKED');
      await patch(`${API}/${id}`, grants, { slug: 'wheelchairs-2026', titleEn: 'Chairs' }).expect(
        200,
      );
      const again = await post(`${API}/${id}/publish`, admin, {}).expect(409);
      expect(again.body.code).toBe('INVALID_CAMPAIGN_TRANSITION');

      await post(`${API}/${id}/end`, leader, {}).expect(403);
      const ended = await post(`${API}/${id}/end`, admin, {}).expect(200);
      expect(ended.body).toMatchObject({ status: 'ENDED', acceptingGifts: false });
      const endedEdit = await patch(`${API}/${id}`, admin, { titleEn: 'Later' }).expect(409);
      expect(endedEdit.body.code).toBe('CAMPAIGN_NOT_EDITABLE');
      await post(`${API}/${id}/end`, admin, {}).expect(409);
      await get(`${API}/wheelchairs-2026`).expect(200);

      expect(await auditActions(id)).toEqual([
        'campaign.created',
        'campaign.updated',
        'campaign.published',
        'campaign.updated',
        'campaign.ended',
      ]);
    });

    it('refuses a leader for another fund, and roles without campaign rights', async () => {
      const other = await post(API, leader, buildCampaign({ fundId: otherFund })).expect(403);
      expect(other.body).toMatchObject({ code: 'FORBIDDEN' });
      expect(other.body.message).toMatch(/their own funds/);
      await post(API, reviewer, buildCampaign({ fundId: ownFund })).expect(403);
      await post(API, {}, buildCampaign({ fundId: ownFund })).expect(401);
      await post(API, grants, buildCampaign({ fundId: otherFund })).expect(201);

      const theirs = await post(API, admin, buildCampaign({ fundId: otherFund })).expect(201);
      await patch(`${API}/${theirs.body.id}`, leader, { titleEn: 'mine now' }).expect(403);
      await get(`${API}/${theirs.body.slug}`, leader).expect(404);
    });

    it('publishes only with an ACTIVE fund and refuses CLOSED funds from the start', async () => {
      const draft = await post(API, admin, buildCampaign({ fundId: preparingFund })).expect(201);
      const refused = await post(`${API}/${draft.body.id}/publish`, admin, {}).expect(422);
      expect(refused.body).toMatchObject({ code: 'CAMPAIGN_NOT_PUBLISHABLE' });
      expect(refused.body.message).toMatch(/The fund is not running yet/);

      const closed = await post(API, admin, buildCampaign({ fundId: closedFund })).expect(422);
      expect(closed.body.code).toBe('FUND_CLOSED');
      const missing = await post(
        API,
        admin,
        buildCampaign({ fundId: '00000000-0000-4000-8000-000000000000' }),
      ).expect(404);
      expect(missing.body.code).toBe('FUND_NOT_FOUND');

      const over = await post(
        API,
        admin,
        buildCampaign({
          fundId: ownFund,
          startsAt: new Date('2020-01-01T00:00:00Z'),
          endsAt: new Date('2020-02-01T00:00:00Z'),
        }),
      ).expect(201);
      const late = await post(`${API}/${over.body.id}/publish`, admin, {}).expect(422);
      expect(late.body.message).toMatch(/The end date has already passed/);
    });
  });

  describe('validation', () => {
    const cases: [string, () => object, RegExp][] = [
      ['missing fields', () => ({}), /fundId/],
      ['no titles', () => ({ fundId: ownFund, slug: 'no-titles' }), /titleZh/],
      [
        'a slug with spaces',
        () => buildCampaign({ fundId: ownFund, slug: 'bad slug!' }),
        /slug must be/,
      ],
      ['a short slug', () => buildCampaign({ fundId: ownFund, slug: 'ab' }), /slug must be/],
      [
        'a UUID slug',
        () => buildCampaign({ fundId: ownFund, slug: '3f1c0f6e-8a0b-4c4e-9d1e-2b7a5c6d7e8f' }),
        /slug must not look like a UUID/,
      ],
      [
        'a long title',
        () => buildCampaign({ fundId: ownFund, titleEn: 'x'.repeat(121) }),
        /titleEn/,
      ],
      [
        'a huge story',
        () => buildCampaign({ fundId: ownFund, storyZh: 'x'.repeat(20_001) }),
        /storyZh/,
      ],
      ['a fractional goal', () => buildCampaign({ fundId: ownFund, goalMinor: 1.5 }), /goalMinor/],
      [
        'a zero minimum',
        () => buildCampaign({ fundId: ownFund, minAmountMinor: 0 }),
        /minAmountMinor/,
      ],
      [
        'nine presets',
        () =>
          buildCampaign({
            fundId: ownFund,
            presetAmountsMinor: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => n * 100),
          }),
        /presetAmountsMinor may hold at most 8/,
      ],
      [
        'a zero preset',
        () => buildCampaign({ fundId: ownFund, presetAmountsMinor: [0] }),
        /presetAmountsMinor/,
      ],
      [
        'a preset as text',
        () => ({ ...buildCampaign({ fundId: ownFund }), presetAmountsMinor: ['100'] }),
        /each of presetAmountsMinor must be a whole number/,
      ],
      [
        'repeated presets',
        () => buildCampaign({ fundId: ownFund, presetAmountsMinor: [500, 500] }),
        /must not repeat/,
      ],
      [
        'a bad date',
        () => ({ ...buildCampaign({ fundId: ownFund }), endsAt: 'soon' }),
        /endsAt must be a date/,
      ],
      [
        'an unknown field',
        () => ({ ...buildCampaign({ fundId: ownFund }), colour: 'red' }),
        /colour/,
      ],
      [
        'a null',
        () => ({ ...buildCampaign({ fundId: ownFund }), goalMinor: null }),
        /goalMinor must not be null/,
      ],
    ];
    it.each(cases)('refuses %s with 400 naming the field', async (_name, body, message) => {
      const res = await post(API, admin, body()).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.message)).toMatch(message);
    });

    it.each([
      [
        'presets below the minimum',
        { minAmountMinor: 1000, presetAmountsMinor: [500, 5000] },
        /A suggested amount, ¥5\.00, is below the smallest gift, ¥10\.00/,
      ],
      [
        'an end before the start',
        { startsAt: new Date('2026-09-09T00:00:00Z'), endsAt: new Date('2026-09-07T00:00:00Z') },
        /The end must be later than the start/,
      ],
    ])('refuses %s with 422', async (_name, overrides, message) => {
      const res = await post(API, admin, buildCampaign({ fundId: ownFund, ...overrides })).expect(
        422,
      );
      expect(res.body).toMatchObject({
        code: 'INVALID_CAMPAIGN',
        message: expect.stringMatching(message),
      });
    });

    it('checks edits against the whole campaign and refuses a new fund', async () => {
      const draft = await post(
        API,
        admin,
        buildCampaign({ fundId: ownFund, presetAmountsMinor: [1000] }),
      ).expect(201);
      const low = await patch(`${API}/${draft.body.id}`, admin, { minAmountMinor: 2000 }).expect(
        422,
      );
      expect(low.body.message).toMatch(/A suggested amount, ¥10\.00, is below the smallest gift/);
      const fund = await patch(`${API}/${draft.body.id}`, admin, { fundId: otherFund }).expect(400);
      expect(JSON.stringify(fund.body.message)).toMatch(/fundId should not exist/);
      await patch(`${API}/not-a-uuid`, admin, { titleEn: 'x' }).expect(400);
      await patch(`${API}/00000000-0000-4000-8000-000000000000`, admin, { titleEn: 'x' }).expect(
        404,
      );
      await get(`${API}/no-such-campaign`).expect(404);
      const cursor = await get(`${API}?cursor=garbage`).expect(400);
      expect(cursor.body.code).toBe('INVALID_CURSOR');
      await get(`${API}?limit=0`).expect(400);
      await get(`${API}?fundId=nope`).expect(400);
    });

    it('answers 409 for a slug already taken, also when two requests race for it', async () => {
      await post(API, admin, buildCampaign({ fundId: ownFund, slug: 'giving-day' })).expect(201);
      const dup = await post(
        API,
        finance,
        buildCampaign({ fundId: otherFund, slug: 'GIVING-DAY' }),
      ).expect(409);
      expect(dup.body).toMatchObject({ code: 'CAMPAIGN_SLUG_TAKEN' });
      expect(dup.body.message).toMatch(/giving-day/);

      const racing = await Promise.all(
        Array.from({ length: 8 }, () =>
          post(API, admin, buildCampaign({ fundId: ownFund, slug: 'race-slug' })),
        ),
      );
      expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);

      const draft = await post(API, admin, buildCampaign({ fundId: ownFund })).expect(201);
      const rename = await patch(`${API}/${draft.body.id}`, admin, { slug: 'giving-day' }).expect(
        409,
      );
      expect(rename.body.code).toBe('CAMPAIGN_SLUG_TAKEN');
    });
  });

  describe('stories', () => {
    it('stores the Markdown and serves sanitised HTML', async () => {
      const storyEn = [
        '# Hello <script>alert(1)</script>',
        '',
        '[click](javascript:alert(document.cookie)) and [site](https://example.org/"onmouseover="x)',
        '',
        '<img src=x onerror=alert(1)> **bold**',
      ].join('\n');
      const campaign = await createCampaign(t, { fundId: ownFund, storyEn });
      const res = await get(`${API}/${campaign.slug}`).expect(200);
      expect(res.body.storyEn).toBe(storyEn);
      const html = res.body.storyHtmlEn as string;
      expect(html).not.toMatch(/<script|<img|javascript:|" onmouseover/i);
      expect(html).toContain('<h2>Hello &lt;script&gt;alert(1)&lt;/script&gt;</h2>');
      expect(html).toContain(
        '<a href="https://example.org/%22onmouseover=%22x" rel="noopener nofollow">site</a>',
      );
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; <strong>bold</strong>');
    });
  });

  describe('cover image', () => {
    it('takes a PNG as multipart, stores it under a random name and serves it', async () => {
      const campaign = await createCampaign(t, { fundId: ownFund, status: 'DRAFT' });
      const res = await request(t.server)
        .post(`${API}/${campaign.id}/cover`)
        .set(leader)
        .attach('file', PNG, { filename: '../../evil.svg', contentType: 'image/svg+xml' })
        .expect(200);
      const url = res.body.coverImageUrl as string;
      expect(url).toMatch(/^\/uploads\/[0-9a-f]{32}\.png$/);
      const name = url.slice('/uploads/'.length);
      uploads.push(name);
      const image = await request(t.server).get(url).buffer(true).expect(200);
      expect(image.headers['content-type']).toBe('image/png');
      expect(image.headers['x-content-type-options']).toBe('nosniff');
      // Stored as this app wrote it again (see cover-images.test.ts), and served as stored.
      const stored = readFileSync(path.join(t.get(CoverStorage).dir, name));
      expect(Buffer.compare(image.body as Buffer, stored)).toBe(0);
      expect(await sharp(stored).metadata()).toMatchObject({ format: 'png', width: 1, height: 1 });

      // A raw image body works too; the previous file is removed once the new one is committed.
      const second = await request(t.server)
        .post(`${API}/${campaign.id}/cover`)
        .set(admin)
        .set('Content-Type', 'image/webp')
        .send(await solidImage('webp'))
        .expect(200);
      expect(second.body.coverImageUrl).toMatch(/\.jpg$/);
      uploads.push(second.body.coverImageUrl.slice('/uploads/'.length));
      expect(existsSync(path.join(t.get(CoverStorage).dir, name))).toBe(false);
      expect(await auditActions(campaign.id)).toEqual(
        expect.arrayContaining(['campaign.cover_changed']),
      );
    });

    it('refuses what is not an image, too large, not multipart, or not theirs', async () => {
      const campaign = await createCampaign(t, { fundId: ownFund, status: 'DRAFT' });
      const cover = () => request(t.server).post(`${API}/${campaign.id}/cover`);

      const svg = await cover()
        .set(admin)
        .attach('file', Buffer.from('<svg onload="alert(1)"/>'), {
          filename: 'x.png',
          contentType: 'image/png',
        })
        .expect(415);
      expect(svg.body.code).toBe('INVALID_IMAGE');

      const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
      const tooBig = await cover().set(admin).attach('file', big, 'big.png').expect(413);
      expect(tooBig.body).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
      expect(tooBig.body.message).toMatch(/a cover image may be at most 2 MB/);
      await cover()
        .set(admin)
        .set('Content-Type', 'image/png')
        .send(Buffer.alloc(5 * 1024 * 1024))
        .expect(413);

      const json = await cover()
        .set(admin)
        .send({ file: PNG.toString('base64') })
        .expect(415);
      expect(json.body.message).toMatch(/multipart\/form-data/);
      const noFile = await cover().set(admin).field('other', 'x').expect(400);
      expect(noFile.body.message).toMatch(/The file in field "file" could not be read/);

      await cover()
        .set(leader)
        .attach('file', PNG, 'a.png')
        .expect(200)
        .then((r) => {
          uploads.push(r.body.coverImageUrl.slice('/uploads/'.length));
        });
      const others = await createCampaign(t, { fundId: otherFund, status: 'DRAFT' });
      await request(t.server)
        .post(`${API}/${others.id}/cover`)
        .set(leader)
        .attach('file', PNG, 'a.png')
        .expect(403);
      await cover().set(reviewer).attach('file', PNG, 'a.png').expect(403);

      // The image parsers serve the cover route only.
      await request(t.server)
        .post('/api/v1/funds')
        .set(admin)
        .attach('file', PNG, 'a.png')
        .expect(415);

      const files = await request(t.server).get('/uploads/..%2F..%2Fpackage.json').expect(404);
      expect(files.text).not.toContain('"name"');
      await request(t.server)
        .get(`/uploads/${'0'.repeat(32)}.png`)
        .expect(404);
    });
  });

  describe('updates', () => {
    it('staff and the fund’s leader post; everyone reads those of public campaigns', async () => {
      const campaign = await createCampaign(t, { fundId: ownFund });
      const first = await post(`${API}/${campaign.id}/updates`, leader, {
        titleZh: '进展',
        titleEn: 'Progress',
        bodyEn: 'First **40** chairs <b>delivered</b>',
      }).expect(201);
      expect(first.body.bodyHtmlEn).toBe(
        '<p>First <strong>40</strong> chairs &lt;b&gt;delivered&lt;/b&gt;</p>',
      );
      await post(`${API}/${campaign.id}/updates`, grants, { titleZh: '二', titleEn: 'Two' }).expect(
        201,
      );
      await post(`${API}/${campaign.id}/updates`, admin, {
        titleZh: '三',
        titleEn: 'Three',
      }).expect(201);
      await post(`${API}/${campaign.id}/updates`, reviewer, {
        titleZh: '四',
        titleEn: 'Four',
      }).expect(403);
      const bad = await post(`${API}/${campaign.id}/updates`, admin, { titleZh: '' }).expect(400);
      expect(JSON.stringify(bad.body.message)).toMatch(/titleZh/);

      const otherCampaign = await createCampaign(t, { fundId: otherFund });
      await post(`${API}/${otherCampaign.id}/updates`, leader, {
        titleZh: '不',
        titleEn: 'No',
      }).expect(403);

      const page1 = await get(`${API}/${campaign.slug}/updates?limit=2`).expect(200);
      expect(page1.body.items.map((u: { titleEn: string }) => u.titleEn)).toEqual(['Three', 'Two']);
      const page2 = await get(
        `${API}/${campaign.slug}/updates?limit=2&cursor=${page1.body.nextCursor}`,
      ).expect(200);
      expect(page2.body.items.map((u: { titleEn: string }) => u.titleEn)).toEqual(['Progress']);
      expect(page2.body.nextCursor).toBeNull();
      expect(await auditActions(campaign.id)).toEqual(
        expect.arrayContaining(['campaign.update_posted']),
      );

      const draft = await createCampaign(t, { fundId: ownFund, status: 'DRAFT' });
      await post(`${API}/${draft.id}/updates`, leader, {
        titleZh: '草稿',
        titleEn: 'Draft',
      }).expect(201);
      await get(`${API}/${draft.slug}/updates`).expect(404);
      await get(`${API}/${draft.slug}/updates`, leader).expect(200);
    });
  });

  describe('listing', () => {
    it('pages through public campaigns of one fund by keyset, newest first', async () => {
      const fund = await createFund(t, { kind: 'PROGRAM' });
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await createCampaign(t, { fundId: fund.id }));
      await createCampaign(t, { fundId: fund.id, status: 'DRAFT' });
      const ended = await createCampaign(t, { fundId: fund.id, status: 'ENDED' });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await get(
          `${API}?fundId=${fund.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        ).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const item of res.body.items) {
          expect(item).not.toHaveProperty('storyZh');
          expect(item.totals).toMatchObject({ gifts: 0 });
        }
        seen.push(...res.body.items.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([ended.id, ...made.map((c) => c.id).reverse()]);
      const endedOnly = await get(`${API}?fundId=${fund.id}&status=ENDED`).expect(200);
      expect(endedOnly.body.items.map((c: { id: string }) => c.id)).toEqual([ended.id]);
    });
  });

  describe('totals and donation intake', () => {
    it('counts 50 concurrent gifts exactly, donors once per key, on several slots', async () => {
      const campaign = await createCampaign(t, { goalMinor: 2_000 });
      const service = t.get(CampaignsService);
      const tx = t.get(TransactionService);
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          tx.run(async (m) => {
            await t.get(CampaignTotalsService).recordGift(m, campaign.id, {
              amountMinor: i + 1,
              donorKey: `donor-${i % 20}@example.org`,
            });
            // Hold the row a moment so transactions really overlap.
            await m.query('SELECT pg_sleep(0.01)');
          }),
        ),
      );
      expect(await service.totals(campaign.id)).toEqual({
        raisedMinor: 1275,
        matchedMinor: 0,
        gifts: 50,
        donors: 20,
        goalMinor: 2_000,
        progress: 0.6375,
      });
      const slots: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM campaign_totals WHERE campaign_id = $1 AND gifts > 0`,
        [campaign.id],
      );
      expect(slots[0]!.n).toBeGreaterThan(1);
      const rows: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM campaign_totals WHERE campaign_id = $1`,
        [campaign.id],
      );
      expect(rows[0]!.n).toBe(8);

      // A rolled-back gift leaves no trace; the donor it named counts when they really give.
      await expect(
        tx.run(async (m) => {
          await t.get(CampaignTotalsService).recordGift(m, campaign.id, {
            amountMinor: 999,
            donorKey: 'late@example.org',
          });
          throw new Error('payment failed afterwards');
        }),
      ).rejects.toThrow('payment failed');
      await tx.run(async (m) => {
        await t.get(CampaignTotalsService).recordGift(m, campaign.id, {
          amountMinor: 25,
          matchedMinor: 700,
          donorKey: 'late@example.org',
        });
      });
      await tx.run((m) =>
        t
          .get(CampaignTotalsService)
          .recordRefund(m, campaign.id, { amountMinor: 100, matchedMinor: 50 }),
      );
      expect(await service.totals(campaign.id)).toEqual({
        raisedMinor: 1200,
        matchedMinor: 650,
        gifts: 51,
        donors: 21,
        goalMinor: 2_000,
        progress: 0.925,
      });
      const publicTotals = await get(`${API}/${campaign.slug}/totals`).expect(200);
      expect(publicTotals.body).toMatchObject({
        raisedMinor: 1200,
        matchedMinor: 650,
        progress: 0.925,
      });

      await expect(
        tx.run((m) =>
          t
            .get(CampaignTotalsService)
            .recordGift(m, campaign.id, { amountMinor: 0, donorKey: 'x' }),
        ),
      ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
      await expect(
        tx.run((m) =>
          t
            .get(CampaignTotalsService)
            .recordGift(m, campaign.id, { amountMinor: 1, matchedMinor: 1.5, donorKey: 'x' }),
        ),
      ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    });

    it('gives donation intake what it needs, and hides drafts', async () => {
      const service = t.get(CampaignsService);
      const live = await createCampaign(t, {
        fundId: ownFund,
        startsAt: new Date('2026-01-01T00:00:00Z'),
        endsAt: new Date('2099-01-01T00:00:00Z'),
      });
      const intake = await service.getForDonation(live.slug);
      expect(intake).toEqual({
        id: live.id,
        slug: live.slug,
        fundId: ownFund,
        currency: 'CNY',
        status: 'LIVE',
        startsAt: new Date('2026-01-01T00:00:00Z'),
        endsAt: new Date('2099-01-01T00:00:00Z'),
        minAmountMinor: 100,
        presetAmountsMinor: [5_000, 10_000, 50_000],
        titleZh: live.titleZh,
        titleEn: live.titleEn,
      });
      expect(service.isAcceptingGifts(intake, new Date('2030-01-01T00:00:00Z'))).toBe(true);
      expect(service.isAcceptingGifts(intake, new Date('2025-12-31T00:00:00Z'))).toBe(false);
      await t.dataSource.transaction(async (m) => {
        expect((await service.getForDonation(live.slug, { within: m })).id).toBe(live.id);
        expect((await service.getById(live.id, { within: m })).slug).toBe(live.slug);
      });
      expect((await service.findBySlug(live.slug))?.id).toBe(live.id);
      expect(await service.findBySlug('nothing-here')).toBeNull();

      const draft = await createCampaign(t, { fundId: ownFund, status: 'DRAFT' });
      await expect(service.getForDonation(draft.slug)).rejects.toMatchObject({
        code: 'CAMPAIGN_NOT_FOUND',
      });
      await expect(service.getForDonation('no-such-slug')).rejects.toMatchObject({
        code: 'CAMPAIGN_NOT_FOUND',
      });
      const ended = await createCampaign(t, { fundId: ownFund, status: 'ENDED' });
      const endedIntake = await service.getForDonation(ended.slug);
      expect(service.isAcceptingGifts(endedIntake, new Date())).toBe(false);
      // campaign_donors' foreign key refuses it (23503 foreign_key_violation) before the service
      // could answer CAMPAIGN_NOT_FOUND; either way nothing is recorded.
      await expect(
        t.get(TransactionService).run((m) =>
          t.get(CampaignTotalsService).recordGift(m, '00000000-0000-4000-8000-000000000000', {
            amountMinor: 1,
            donorKey: 'x',
          }),
        ),
      ).rejects.toMatchObject({ code: '23503' });
    });
  });
});
