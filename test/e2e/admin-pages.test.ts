import request from 'supertest';
import { AuditService } from '../../src/modules/audit/audit.service';
import { UsersService } from '../../src/modules/accounts/users.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { PASSWORD, seedBackOffice, type BackOffice, YEARLY_MINOR } from '../browser/admin-fixtures';
import { isConfirmationPage, postConfirmed, pressConfirm } from '../utils/confirm-step';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The back-office pages over real HTTP (supertest) with forms posted as a browser posts them
 * (urlencoded, with the CSRF field), against the full app on this file's own database.
 */

let t: TestApp;
let seed: BackOffice;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.getHttpAdapter().getInstance().ready();
  seed = await seedBackOffice(t);
});
afterAll(() => t.close());

type Agent = ReturnType<typeof request.agent>;
interface Session {
  agent: Agent;
  csrf: string;
}

function csrfIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF field on the page');
  return token;
}

/** Signs in through the login form, as a browser does; the agent keeps the cookies. */
async function signIn(email: string, password = PASSWORD): Promise<Session> {
  const agent = request.agent(t.server);
  const login = await agent.get('/login').expect(200);
  const csrf = csrfIn(login.text);
  const res = await agent.post('/login').type('form').send({ email, password, _csrf: csrf });
  expect({ status: res.status, location: res.headers.location }).toEqual({
    status: 303,
    location: '/admin',
  });
  return { agent, csrf };
}

const balance = async (id: string) => (await t.get(FundsService).get(id)).balanceMinor;
const auditCount = async (action: string) =>
  (await t.get(AuditService).list({ action, limit: 500 })).items.length;

/** The text beside a field: the error paragraph the form renders for it. */
function fieldError(html: string, id: string): string | null {
  const m = new RegExp(`<p class="field-error" id="e-${id}">([^<]*)</p>`).exec(html);
  return m ? m[1]! : null;
}

let admin: Session;
let leader: Session;

beforeAll(async () => {
  admin = await signIn(seed.admin.email);
  leader = await signIn(seed.leader.email);
});

describe('access to the back office', () => {
  it('sends someone not signed in to the sign-in page, and back afterwards', async () => {
    const res = await request(t.server).get('/admin/funds').expect(303);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Ffunds');
  });

  it('shows staff the dashboard and sends a community leader to their funds', async () => {
    const dash = await admin.agent.get('/admin').expect(200);
    expect(dash.headers['cache-control']).toBe('no-store');
    expect(dash.text).toContain('id="figure-held"');
    const res = await leader.agent.get('/admin?lang=en').expect(303);
    expect(res.headers.location).toBe('/admin/my-funds?lang=en');
    const mine = await leader.agent.get('/admin/my-funds').expect(200);
    expect(mine.text).toContain(seed.fundA.code);
    expect(mine.text).not.toContain(seed.fundB.code);
  });

  it('lets a leader open their own fund but not another one (403 page)', async () => {
    await leader.agent.get(`/admin/funds/${seed.fundA.id}`).expect(200);
    const other = await leader.agent.get(`/admin/funds/${seed.fundB.id}`).expect(403);
    expect(other.headers['content-type']).toMatch(/text\/html/);
    await leader.agent.get(`/admin/funds/${seed.fundB.id}/statement.csv`).expect(403);
    await leader.agent.get('/admin/funds').expect(403);
    await leader.agent.get('/admin/allocations').expect(403);
  });

  it('refuses a leader posting an allocation, and moves nothing', async () => {
    const before = await balance(seed.general.id);
    await leader.agent
      .post('/admin/allocations')
      .type('form')
      .send({
        _csrf: leader.csrf,
        fromFundId: seed.general.id,
        toFundId: seed.fundA.id,
        amount: '1.00',
        requestKey: 'leader-try-1',
      })
      .expect(403);
    expect(await balance(seed.general.id)).toBe(before);
  });

  it('shows an unknown fund as a 404 page and a malformed id as a 400 page', async () => {
    const unknown = await admin.agent.get('/admin/funds/3f1c2a9e-0000-4000-8000-000000000000');
    const malformed = await admin.agent.get('/admin/funds/not-a-uuid');
    expect([unknown.status, malformed.status]).toEqual([404, 400]);
  });
});

describe('CSRF', () => {
  it('refuses a form without the CSRF field with the 403 page, and changes nothing', async () => {
    const before = [await balance(seed.general.id), await balance(seed.fundB.id)];
    const audits = await auditCount('allocation.created');
    const res = await admin.agent
      .post('/admin/allocations')
      .type('form')
      .send({
        fromFundId: seed.general.id,
        toFundId: seed.fundB.id,
        amount: '100.00',
        requestKey: 'no-csrf-0001',
      })
      .expect(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('403');
    const forged = await admin.agent
      .post('/admin/allocations')
      .type('form')
      .send({
        _csrf: 'x'.repeat(43),
        fromFundId: seed.general.id,
        toFundId: seed.fundB.id,
        amount: '100.00',
        requestKey: 'no-csrf-0002',
      });
    expect(forged.status).toBe(403);
    expect([await balance(seed.general.id), await balance(seed.fundB.id)]).toEqual(before);
    expect(await auditCount('allocation.created')).toBe(audits);
  });

  it('refuses the other back-office forms without it too', async () => {
    for (const path of [
      '/admin/funds',
      `/admin/funds/${seed.preparing.id}/activate`,
      '/admin/users/invite',
      '/admin/tokens',
    ]) {
      const res = await admin.agent.post(path).type('form').send({ name: 'x' });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    expect((await t.get(FundsService).get(seed.preparing.id)).status).toBe('PREPARING');
  });
});

describe('allocation forms', () => {
  const post = (body: Record<string, string>) =>
    admin.agent
      .post('/admin/allocations')
      .type('form')
      .send({ _csrf: admin.csrf, ...body });

  it('shows an amount with too many decimals beside the field (400), as typed, and moves nothing', async () => {
    const before = await balance(seed.general.id);
    const res = await post({
      fromFundId: seed.general.id,
      toFundId: seed.fundB.id,
      amount: '12.345',
      requestKey: 'bad-amount-1',
    });
    expect(res.status).toBe(400);
    expect(fieldError(res.text, 't-amount')).toMatch(/两位小数|two decimals/);
    expect(res.text).toContain('value="12.345"');
    expect(res.text).toMatch(/id="t-amount"[^>]*aria-invalid="true"/);
    expect(await balance(seed.general.id)).toBe(before);
  });

  it.each([
    ['not a number', { amount: 'abc' }, 't-amount'],
    ['zero', { amount: '0.00' }, 't-amount'],
    ['no source fund', { fromFundId: '' }, 't-from'],
  ])('shows %s beside its field', async (_name, override, id) => {
    const res = await post({
      fromFundId: seed.general.id,
      toFundId: seed.fundB.id,
      amount: '1.00',
      requestKey: 'bad-field-1',
      ...override,
    });
    expect(res.status).toBe(400);
    expect(fieldError(res.text, id)).toBeTruthy();
  });

  it('shows the same fund twice beside the destination, in English when asked', async () => {
    const res = await admin.agent.post('/admin/allocations?lang=en').type('form').send({
      _csrf: admin.csrf,
      fromFundId: seed.general.id,
      toFundId: seed.general.id,
      amount: '1.00',
      requestKey: 'same-fund-1',
    });
    expect(res.status).toBe(400);
    expect(fieldError(res.text, 't-to')).toBe('Choose a fund other than the one the money leaves.');
  });

  it('shows an overdraft beside the amount (422) and moves nothing', async () => {
    const before = await balance(seed.general.id);
    const res = await post({
      fromFundId: seed.general.id,
      toFundId: seed.fundA.id,
      amount: ((before + 100) / 100).toFixed(2),
      requestKey: 'overdraft-1',
    });
    expect(res.status).toBe(422);
    // In the page's language, amounts as money.
    expect(fieldError(res.text, 't-amount')).toMatch(
      /余额为 ¥600,000\.00，不足所需的 ¥600,001\.00/,
    );
    expect(await balance(seed.general.id)).toBe(before);
  });

  it('moves the money, writes an audit row, shows the result after the redirect, and a resubmit moves it once', async () => {
    const [from, to] = [await balance(seed.general.id), await balance(seed.fundB.id)];
    const audits = await auditCount('allocation.created');
    const body = {
      fromFundId: seed.general.id,
      toFundId: seed.fundB.id,
      amount: '1234.56',
      description: '表单拨付',
      requestKey: 'form-transfer-0001',
    };
    // The form's POST shows what will happen and moves nothing; Confirm moves the money.
    const asked = await admin.agent
      .post('/admin/allocations?lang=zh-CN')
      .type('form')
      .send({ _csrf: admin.csrf, ...body });
    expect(isConfirmationPage(asked)).toBe(true);
    expect(asked.text).toContain('确认拨付 ¥1,234.56');
    expect([await balance(seed.general.id), await balance(seed.fundB.id)]).toEqual([from, to]);
    const res = await pressConfirm(admin.agent, asked);
    expect({ status: res.status, location: res.headers.location }).toEqual({
      status: 303,
      location: '/admin/allocations',
    });
    expect([await balance(seed.general.id), await balance(seed.fundB.id)]).toEqual([
      from - 123456,
      to + 123456,
    ]);
    const rows = (await t.get(AuditService).list({ action: 'allocation.created', limit: 1 })).items;
    expect(await auditCount('allocation.created')).toBe(audits + 1);
    expect(rows[0]).toMatchObject({
      actorUserId: seed.admin.id,
      actorLabel: seed.admin.email,
      after: { fromFundId: seed.general.id, toFundId: seed.fundB.id, amountMinor: 123456 },
    });
    const page = await admin.agent.get('/admin/allocations?lang=zh-CN').expect(200);
    expect(page.text).toMatch(
      /class="flash flash-success"[^>]*>已从 综合基金 拨付 ¥1,234\.56 至 松坪社区基金。/,
    );

    // Confirm pressed twice (a double click, the back button) moves it once.
    const again = await pressConfirm(admin.agent, asked);
    expect(again.status).toBe(303);
    expect([await balance(seed.general.id), await balance(seed.fundB.id)]).toEqual([
      from - 123456,
      to + 123456,
    ]);
    expect(await auditCount('allocation.created')).toBe(audits + 1);
    const replay = await admin.agent.get('/admin/allocations?lang=zh-CN').expect(200);
    expect(replay.text).toContain('这笔拨付已经记录过');
    // The same form sent afresh says so before anything is confirmed.
    const fresh = await admin.agent
      .post('/admin/allocations?lang=en')
      .type('form')
      .send({ _csrf: admin.csrf, ...body });
    expect(fresh.text).toContain(
      'This transfer was recorded already; confirming moves nothing more.',
    );
  });

  it('runs the yearly allocation again as a no-op and says so; a different amount is refused beside the field', async () => {
    const before = await balance(seed.general.id);
    const yearly = (amount: string) =>
      postConfirmed(admin.agent, '/admin/allocations/yearly?lang=en', {
        _csrf: admin.csrf,
        year: String(seed.year),
        amount,
      });
    const same = await yearly('200000.00');
    expect(same.status).toBe(303);
    const page = await admin.agent.get('/admin/allocations?lang=en').expect(200);
    expect(page.text).toContain(
      `${seed.year} allocation: 0 funds received ¥200,000.00 each (¥0.00 in total); 2 had already received it.`,
    );
    const other = await yearly('100000.00');
    expect(other.status).toBe(409);
    expect(fieldError(other.text, 'y-amount')).toContain(
      'cannot be re-run with a different amount',
    );
    const badYear = await yearly('abc');
    expect(badYear.status).toBe(400);
    expect(fieldError(badYear.text, 'y-amount')).toBeTruthy();
    expect(await balance(seed.general.id)).toBe(before);
    expect(YEARLY_MINOR).toBe(20_000_000);
  });
});

describe('fund management forms', () => {
  it('creates a fund, and shows a missing name beside the field', async () => {
    const bad = await admin.agent
      .post('/admin/funds')
      .type('form')
      .send({ _csrf: admin.csrf, kind: 'PROGRAM', nameZh: '', nameEn: 'Elderly care' });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'c-nameZh')).toBeTruthy();
    expect(bad.text).toContain('value="Elderly care"');

    const res = await admin.agent.post('/admin/funds').type('form').send({
      _csrf: admin.csrf,
      kind: 'PROGRAM',
      code: 'P-ELDER',
      nameZh: '养老项目基金',
      nameEn: 'Elderly care',
      description: '',
    });
    expect(res.status).toBe(303);
    const created = await t.get(FundsService).findByCode('P-ELDER');
    expect(created).toMatchObject({ status: 'PREPARING', kind: 'PROGRAM' });
    expect(res.headers.location).toBe(`/admin/funds/${created!.id}`);

    const dup = await admin.agent.post('/admin/funds').type('form').send({
      _csrf: admin.csrf,
      kind: 'PROGRAM',
      code: 'P-ELDER',
      nameZh: '重复',
      nameEn: 'Duplicate',
    });
    expect(dup.status).toBe(409);
    expect(fieldError(dup.text, 'c-code')).toBeTruthy();
  });

  it('activates with a flash, and refuses to close a fund that holds money (FUND_HAS_BALANCE) with a flash', async () => {
    const act = await admin.agent
      .post(`/admin/funds/${seed.preparing.id}/activate`)
      .type('form')
      .send({ _csrf: admin.csrf, next: '/admin/funds' });
    expect({ status: act.status, location: act.headers.location }).toEqual({
      status: 303,
      location: '/admin/funds',
    });
    expect((await t.get(FundsService).get(seed.preparing.id)).status).toBe('ACTIVE');
    expect((await admin.agent.get('/admin/funds').expect(200)).text).toContain('flash-success');

    const close = await admin.agent
      .post(`/admin/funds/${seed.fundA.id}/close?lang=zh-CN`)
      .type('form')
      .send({ _csrf: admin.csrf, next: `/admin/funds/${seed.fundA.id}` });
    expect(close.headers.location).toBe(`/admin/funds/${seed.fundA.id}`);
    const page = await admin.agent.get(`/admin/funds/${seed.fundA.id}`).expect(200);
    // What it still holds, as money, in Chinese (not minor units, not English).
    expect(page.text).toMatch(
      /flash-error[^>]*>基金 \S+ 还有余额 ¥[\d,]+\.\d\d，请先拨付到其他基金，再关闭。/,
    );
    expect(page.text).not.toContain('minor units');
    expect((await t.get(FundsService).get(seed.fundA.id)).status).toBe('ACTIVE');
  });

  it('lets a grants officer look at funds but not manage them', async () => {
    const users = t.get(UsersService);
    const officer = await users.createAdmin('officer@example.org', PASSWORD, 'Gao Officer');
    await users.update(officer.id, { roles: ['GRANTS_OFFICER'] });
    const s = await signIn('officer@example.org');
    const list = await s.agent.get('/admin/funds').expect(200);
    expect(list.text).not.toContain('method="post" action="/admin/funds"');
    expect(list.text).not.toContain('/activate');
    await s.agent.get(`/admin/funds/${seed.fundB.id}`).expect(200);
    await s.agent
      .post('/admin/funds')
      .type('form')
      .send({ _csrf: s.csrf, kind: 'PROGRAM', nameZh: 'x', nameEn: 'x' })
      .expect(403);
    await s.agent.get('/admin/users').expect(403);
    await s.agent.get('/admin/tokens').expect(200);
  });
});

describe('fund page and statement', () => {
  it('shows the balance, the chart and the statement with filters and paging', async () => {
    const res = await leader.agent.get(`/admin/funds/${seed.fundA.id}?lang=en`).expect(200);
    expect(res.text).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="chart"');
    expect(res.text.match(/class="chart-bar /g)).toHaveLength(24);
    expect(res.text).toContain('id="fund-balance">¥200,000.00<');
    // The line says what happened in words, the fund on the other side linked.
    expect(res.text).toContain(
      `<td class="statement-what">Allocation · <a href="/admin/funds/${seed.general.id}">General Fund</a></td>`,
    );
    expect(res.text).not.toMatch(/>ALLOCATION<|fund:GENERAL/);
    expect(res.text).toContain(`href="/admin/my-funds"`);

    const empty = await leader.agent
      .get(`/admin/funds/${seed.fundA.id}?from=2000-01-01&to=2000-01-31&lang=en`)
      .expect(200);
    expect(empty.text).toContain('No postings in this period.');
    const bad = await leader.agent
      .get(`/admin/funds/${seed.fundA.id}?from=2026-02-30&lang=en`)
      .expect(400);
    expect(fieldError(bad.text, 's-from')).toBe('Enter a date such as 2026-03-01.');
  });

  it('exports the statement as CSV in words, in Beijing time and yuan', async () => {
    const res = await leader.agent
      .get(`/admin/funds/${seed.fundA.id}/statement.csv?lang=zh-CN`)
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(`attachment; filename="statement-${seed.fundA.code}-\\d{4}-\\d{2}-\\d{2}\\.csv"`),
    );
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('记账时间（北京时间）,事项,金额（元）,余额（元）,币种,分录编号');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},拨付 · 综合基金,200000\.00,200000\.00,CNY,[0-9a-f-]{36}$/,
    );
  });
});

describe('users, audit and tokens', () => {
  it('invites a community leader by form, with scope errors beside the fields', async () => {
    const noScope = await admin.agent.post('/admin/users/invite').type('form').send({
      _csrf: admin.csrf,
      email: 'new.leader@example.org',
      name: '新负责人',
      roles: 'COMMUNITY_LEADER',
      locale: 'zh-CN',
    });
    expect(noScope.status).toBe(400);
    expect(fieldError(noScope.text, 'scope')).toBeTruthy();
    expect(noScope.text).toMatch(/value="COMMUNITY_LEADER" checked/);

    const res = await admin.agent.post('/admin/users/invite').type('form').send({
      _csrf: admin.csrf,
      email: 'new.leader@example.org',
      name: '新负责人',
      roles: 'COMMUNITY_LEADER',
      fundIds: seed.fundB.id,
      locale: 'zh-CN',
    });
    expect(res.status).toBe(303);
    const user = await t.get(UsersService).findByEmail('new.leader@example.org');
    expect(res.headers.location).toBe(`/admin/users/${user!.id}`);
    expect(await t.get(UsersService).get(user!.id)).toMatchObject({
      status: 'INVITED',
      roles: ['COMMUNITY_LEADER'],
      fundIds: [seed.fundB.id],
    });

    const taken = await admin.agent
      .post('/admin/users/invite?lang=en')
      .type('form')
      .send({
        _csrf: admin.csrf,
        email: 'new.leader@example.org',
        name: 'Again',
        roles: ['FINANCE', 'REVIEWER'],
        locale: 'en',
      });
    expect(taken.status).toBe(409);
    expect(fieldError(taken.text, 'u-email') ?? fieldError(taken.text, 'email')).toContain(
      'already exists',
    );

    const edit = await admin.agent
      .post(`/admin/users/${user!.id}`)
      .type('form')
      .send({
        _csrf: admin.csrf,
        name: '新负责人',
        roles: ['REVIEWER', 'FINANCE'],
        fundIds: seed.fundB.id,
        locale: 'en',
      });
    expect(edit.status).toBe(303);
    expect(await t.get(UsersService).get(user!.id)).toMatchObject({
      roles: ['FINANCE', 'REVIEWER'],
      fundIds: [],
      locale: 'en',
    });

    const off = await admin.agent
      .post(`/admin/users/${user!.id}/deactivate`)
      .type('form')
      .send({ _csrf: admin.csrf });
    expect(off.status).toBe(303);
    expect((await t.get(UsersService).get(user!.id)).status).toBe('DEACTIVATED');
  });

  it('keeps the last administrator an administrator (error beside the roles)', async () => {
    const res = await admin.agent
      .post(`/admin/users/${seed.admin.id}`)
      .type('form')
      .send({ _csrf: admin.csrf, name: 'Ada Admin', roles: 'FINANCE', locale: 'zh-CN' });
    expect(res.status).toBe(409);
    expect(fieldError(res.text, 'roles')).toBeTruthy();
  });

  it('filters the audit log, shows bad filters beside their fields, and exports CSV', async () => {
    const res = await admin.agent.get('/admin/audit?action=allocation&lang=en').expect(200);
    expect(res.text).toMatch(/<td data-action="allocation\.created"[^>]*>Money allocated<\/td>/);
    expect(res.text).not.toContain('data-action="user.invited"');
    expect(res.text).toContain('<option value="allocation" selected>Allocations (all)</option>');
    // The change is a labelled list in words, not JSON.
    expect(res.text).toContain('<dl class="audit-details">');
    expect(res.text).not.toMatch(/<pre>|&quot;amountMinor&quot;/);
    const typed = await admin.agent.get('/admin/audit?action=no.such_action&lang=en').expect(400);
    expect(fieldError(typed.text, 'a-action')).toBe('Choose an action from the list.');
    const bad = await admin.agent
      .get('/admin/audit?from=yesterday&actor=nobody%40example.org&lang=en')
      .expect(400);
    expect(fieldError(bad.text, 'a-from')).toBe('Enter a date such as 2026-03-01.');
    const byActor = await admin.agent
      .get(`/admin/audit?actor=${encodeURIComponent(seed.admin.email)}&action=allocation.created`)
      .expect(200);
    expect(byActor.text).toContain('allocation.created');
    const csv = await admin.agent
      .get('/admin/audit.csv?action=allocation.created&lang=zh-CN')
      .expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, first] = csv.text.split('\r\n');
    expect(header).toBe(
      '\uFEFF时间（北京时间）,操作人,操作,对象,对象编号,变更内容,IP 地址,请求编号',
    );
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},[^,]+,拨付资金,/);
    expect(csv.text).not.toContain('allocation.created');
    expect(csv.text).not.toMatch(/amountMinor|"\{/);
    await leader.agent.get('/admin/audit').expect(403);
  });

  it('creates a token shown once, which works until revoked', async () => {
    const bad = await leader.agent
      .post('/admin/tokens')
      .type('form')
      .send({ _csrf: leader.csrf, name: '', expiresInDays: '90' });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'k-name')).toBeTruthy();

    const res = await leader.agent
      .post('/admin/tokens')
      .type('form')
      .send({ _csrf: leader.csrf, name: 'my script', expiresInDays: '30' });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const token = /<output id="new-token" class="token">([^<]+)<\/output>/.exec(res.text)?.[1];
    expect(token).toMatch(/^lx_pat_/);
    const me = await request(t.server)
      .get('/api/v1/me')
      .set('authorization', `Bearer ${token}`)
      .expect(200);
    expect((me.body as { email: string }).email).toBe(seed.leader.email);

    const list = await leader.agent.get('/admin/tokens').expect(200);
    expect(list.text).toContain('my script');
    expect(list.text).not.toContain(token);
    const id = /action="\/admin\/tokens\/([0-9a-f-]{36})\/revoke"/.exec(list.text)?.[1];
    const revoke = await leader.agent
      .post(`/admin/tokens/${id}/revoke`)
      .type('form')
      .send({ _csrf: leader.csrf });
    expect(revoke.status).toBe(303);
    await request(t.server).get('/api/v1/me').set('authorization', `Bearer ${token}`).expect(401);
  });
});
