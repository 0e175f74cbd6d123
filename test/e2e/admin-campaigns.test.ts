import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { RequestContext } from '../../src/common/context/request-context';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { FoundationService } from '../../src/modules/foundation/foundation.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { PNG } from '../utils/images';
import { formFields } from '../utils/form-fields';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/** Campaigns in the back office: a leader drafts for their fund, staff publish, news, end. */
describe('back office: campaigns', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  const signedIn = async (roles: Parameters<typeof createUser>[1], fundIds?: string[]) => {
    const user = await createUser(t, roles, fundIds ? { fundIds } : {});
    const session = formSession(t.server);
    const res = await session.signIn(user.email, TEST_PASSWORD);
    if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
    return session;
  };
  const fieldError = (html: string, id: string) =>
    new RegExp(`id="e-${id}">([^<]*)<`).exec(html)?.[1];

  it('a leader drafts a campaign for their fund, FINANCE publishes it, posts news and ends it', async () => {
    const own = await createFund(t, { kind: 'PROGRAM' });
    const other = await createFund(t, { kind: 'PROGRAM' });
    const leader = await signedIn(['COMMUNITY_LEADER'], [own.id]);

    const form = await leader.agent.get('/admin/campaigns/new?lang=en').expect(200);
    expect(form.text).toContain(`value="${own.id}"`);
    expect(form.text).not.toContain(`value="${other.id}"`);

    const draft = {
      fundId: own.id,
      slug: 'Garden-Benches-2026',
      titleZh: '社区花园长椅',
      titleEn: 'Benches for the <garden>',
      storyZh: '为社区花园添置**长椅**。',
      storyEn: 'Benches for the **garden**.',
      goal: '20000.00',
      minAmount: '5.00',
      presets: '20.00, 50，100',
      startsAt: '2026-01-01T09:00',
      endsAt: '2099-12-31T18:00',
    };
    const created = await leader.post('/admin/campaigns/new?lang=en', draft);
    expect(created.status).toBe(303);
    const editPath = created.headers.location as string;
    const id = editPath.split('/').pop()!;
    const stored = await RequestContext.run({ actor: { kind: 'system', label: 'test' } }, () =>
      t.get(CampaignsService).getVisible({ kind: 'system', label: 'test' }, id),
    );
    expect(stored).toMatchObject({
      slug: 'garden-benches-2026',
      status: 'DRAFT',
      goalMinor: 2_000_000,
      minAmountMinor: 500,
      presetAmountsMinor: [2_000, 5_000, 10_000],
      startsAt: new Date('2026-01-01T01:00:00Z'),
      endsAt: new Date('2099-12-31T10:00:00Z'),
    });
    const edit = await leader.agent.get(`${editPath}?lang=en`).expect(200);
    expect(edit.text).toContain('value="Benches for the &lt;garden&gt;"');
    expect(edit.text).toContain('value="2026-01-01T09:00"');
    expect(edit.text).not.toContain('id="publish"'); // leaders draft, staff publish

    // Another fund's campaign, and publishing, are not the leader's.
    const refusedFund = await leader.post('/admin/campaigns/new?lang=en', {
      ...draft,
      fundId: other.id,
      slug: 'not-mine',
    });
    expect(refusedFund.status).toBe(403);
    expect((await leader.post(`${editPath}/publish`, {})).status).toBe(403);

    const bad = await leader.post('/admin/campaigns/new?lang=en', {
      ...draft,
      slug: 'x',
      goal: 'lots',
      presets: '10, abc',
      startsAt: 'tomorrow',
    });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'c-slug')).toMatch(/Web address name must be 3–80/);
    expect(fieldError(bad.text, 'c-goal')).toMatch(/Enter an amount/);
    expect(fieldError(bad.text, 'c-presets')).toMatch(/Enter an amount/);
    expect(fieldError(bad.text, 'c-startsAt')).toMatch(/date and time/);
    const taken = await leader.post('/admin/campaigns/new?lang=en', draft);
    expect(taken.status).toBe(409);
    expect(fieldError(taken.text, 'c-slug')).toBeDefined();

    // The leader edits the draft; FINANCE publishes it; it takes gifts on its public page.
    const saved = await leader.post(editPath, {
      ...draft,
      titleEn: 'Benches for the garden',
      goal: '',
      endsAt: '',
      storyZh: '',
    });
    expect(saved.status).toBe(303);
    // Emptied fields are cleared, not kept.
    expect(
      await RequestContext.run({ actor: { kind: 'system', label: 'test' } }, () =>
        t.get(CampaignsService).getVisible({ kind: 'system', label: 'test' }, id),
      ),
    ).toMatchObject({
      goalMinor: null,
      endsAt: null,
      storyZh: '',
      titleEn: 'Benches for the garden',
    });
    const finance = await signedIn(['FINANCE']);
    const staffView = await finance.agent.get(`${editPath}?lang=en`).expect(200);
    expect(staffView.text).toContain('id="publish"');
    expect((await finance.postConfirmed(`${editPath}/publish`, {})).status).toBe(303);
    const live = await finance.agent.get(`/campaigns/garden-benches-2026?lang=en`).expect(200);
    expect(live.text).toContain('<h1>Benches for the garden</h1>');
    expect(live.text).toContain('/campaigns/garden-benches-2026/donate');

    const news = await leader.post(`${editPath}/updates?lang=en`, {
      titleZh: '长椅已到货',
      titleEn: 'The benches arrived',
      bodyEn: 'Six **oak** benches.',
    });
    expect(news.status).toBe(303);
    const withNews = await finance.agent.get(`/campaigns/garden-benches-2026?lang=en`).expect(200);
    expect(withNews.text).toContain('<h3>The benches arrived</h3>');
    expect(withNews.text).toContain('<strong>oak</strong>');
    const emptyNews = await leader.post(`${editPath}/updates?lang=en`, {
      titleZh: '',
      titleEn: '',
    });
    expect(emptyNews.status).toBe(400);

    expect((await finance.post(`${editPath}/end`, {})).status).toBe(303);
    const ended = await finance.agent.get(`/campaigns/garden-benches-2026?lang=en`).expect(200);
    expect(ended.text).toContain('id="not-accepting"');
    const list = await finance.agent.get('/admin/campaigns?lang=en').expect(200);
    expect(list.text).toMatch(
      /id="campaigns-ended"[\s\S]*data-campaign-slug="garden-benches-2026"/,
    );
  });

  it('uploads a cover image through the page form (multipart, CSRF-checked)', async () => {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    const leader = await signedIn(['COMMUNITY_LEADER'], [fund.id]);
    const created = await leader.post('/admin/campaigns/new?lang=en', {
      fundId: fund.id,
      slug: 'cover-by-form',
      titleZh: '封面',
      titleEn: 'Cover',
      minAmount: '1.00',
    });
    const editPath = created.headers.location as string;
    const csrf = await leader.csrf();
    const upload = await leader.agent
      .post(`${editPath}/cover`)
      .field('_csrf', csrf)
      .attach('file', PNG, { filename: 'cover.png', contentType: 'image/png' });
    expect(upload.status).toBe(303);
    const page = await leader.agent.get(`${editPath}?lang=en`).expect(200);
    expect(page.text).toContain('Cover image saved.');
    const url = /src="(\/uploads\/[0-9a-f]{32}\.png)"/.exec(page.text)![1]!;
    await leader.agent.get(url).expect(200).expect('content-type', 'image/png');

    // Without the form's token nothing is stored; a file that is not an image is refused.
    const forged = await leader.agent
      .post(`${editPath}/cover`)
      .attach('file', PNG, { filename: 'cover.png', contentType: 'image/png' });
    expect(forged.status).toBe(403);
    const notImage = await leader.agent
      .post(`${editPath}/cover`)
      .field('_csrf', csrf)
      .attach('file', Buffer.from('<svg onload="alert(1)"/>'), {
        filename: 'x.png',
        contentType: 'image/png',
      });
    expect(notImage.status).toBe(303);
    const after = await leader.agent.get(`${editPath}?lang=en`).expect(200);
    expect(after.text).toMatch(/class="flash flash-error"[^>]*>[^<]*(PNG|image)/i);
    expect(after.text).toContain(url); // the old cover stays

    // A PNG cut short is refused in words, in the person's language.
    const truncated = await leader.agent
      .post(`${editPath}/cover?lang=zh-CN`)
      .field('_csrf', csrf)
      .attach('file', PNG.subarray(0, 20), { filename: 'cut.png', contentType: 'image/png' });
    expect(truncated.status).toBe(303);
    const zh = await leader.agent.get(`${editPath}?lang=zh-CN`).expect(200);
    expect(zh.text).toMatch(/class="flash flash-error"[^>]*>[^<]*无法读取这张图片/);
    expect(zh.text).toContain(url);
  });

  it('takes a campaign written in Chinese only: the address from the title in pinyin, unique, English pages in Chinese', async () => {
    const fund = await createFund(t, { kind: 'COMMUNITY', nameZh: '和美社区基金' });
    await createFund(t, { kind: 'PROGRAM' });
    const finance = await signedIn(['FINANCE']);
    const form = await finance.agent.get('/admin/campaigns/new').expect(200);
    // The fund picker groups community funds by subdistrict, with a search box for the script.
    const community = (await t.get(FundsService).get(fund.id)).community!;
    const subdistrict = await t.get(FoundationService).getSubdistrict(community.subdistrictId);
    expect(form.text).toMatch(
      new RegExp(`<optgroup label="${subdistrict.nameZh}"><option value="${fund.id}"`),
    );
    expect(form.text).toContain('<optgroup label="基金会直属基金">');
    expect(form.text).toContain('id="c-fundSearch"');

    const chineseOnly = {
      fundId: fund.id,
      titleZh: '和美社区·长者助餐',
      storyZh: '每天为长者送餐。',
    };
    const first = await finance.post('/admin/campaigns/new', chineseOnly);
    expect(first.status).toBe(303);
    const second = await finance.post('/admin/campaigns/new', chineseOnly);
    expect(second.status).toBe(303);
    const stored = async (path: string) =>
      (
        await t.dataSource.query<{ slug: string; title_en: string; story_en: string }[]>(
          `SELECT slug, title_en, story_en FROM campaigns WHERE id = $1`,
          [path.split('/').pop()],
        )
      )[0]!;
    expect(await stored(first.headers.location as string)).toEqual({
      slug: 'he-mei-she-qu-zhang-zhe-zhu-can',
      title_en: '',
      story_en: '',
    });
    expect((await stored(second.headers.location as string)).slug).toBe(
      'he-mei-she-qu-zhang-zhe-zhu-can-2',
    );

    // The edit form keeps the English fields empty (not the Chinese shown in their place).
    const edit = await finance.agent.get(first.headers.location as string).expect(200);
    expect(formFields(edit.text, 'campaign-form')).toMatchObject({ titleEn: '', storyEn: '' });
    expect(
      (await finance.postConfirmed(`${first.headers.location as string}/publish`, {})).status,
    ).toBe(303);
    const english = await finance.agent
      .get('/campaigns/he-mei-she-qu-zhang-zhe-zhu-can?lang=en')
      .expect(200);
    expect(english.text).toContain('<h1>和美社区·长者助餐</h1>');
    expect(english.text).toContain('每天为长者送餐。');
  });

  it('keeps a story exactly as written however often the form is saved', async () => {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    const leader = await signedIn(['COMMUNITY_LEADER'], [fund.id]);
    const storyZh = [
      '为社区花园添置**长椅**。',
      '',
      '- 六张橡木长椅',
      '  - 其中两张带扶手',
      '',
      '    缩进四格的一行',
      '最后一行 <b>不是标签</b> & "引号"',
    ].join('\n');
    const storyEn = 'Line one\n  two spaces\n\tA tab';
    const campaign = await createCampaign(t, {
      fundId: fund.id,
      status: 'DRAFT',
      storyZh,
      storyEn,
    });
    const stored = async () =>
      (
        await t.dataSource.query(`SELECT story_zh, story_en FROM campaigns WHERE id = $1`, [
          campaign.id,
        ])
      )[0] as { story_zh: string; story_en: string };
    const editPath = `/admin/campaigns/${campaign.id}`;
    for (let save = 1; save <= 3; save++) {
      const page = await leader.agent.get(editPath).expect(200);
      const fields = formFields(page.text, 'campaign-form');
      // A browser sends a textarea's line breaks as CR LF.
      for (const name of ['storyZh', 'storyEn'])
        fields[name] = fields[name]!.replace(/\r?\n/g, '\r\n');
      delete fields._csrf;
      const saved = await leader.post(editPath, fields);
      expect(saved.status).toBe(303);
      expect(await stored()).toEqual({ story_zh: storyZh, story_en: storyEn });
    }
  });

  it('keeps campaign pages to staff and community leaders', async () => {
    const reviewer = await signedIn(['REVIEWER']);
    expect((await reviewer.agent.get('/admin/campaigns')).status).toBe(403);
    expect((await reviewer.agent.get('/admin/campaigns/new')).status).toBe(403);
  });
});
