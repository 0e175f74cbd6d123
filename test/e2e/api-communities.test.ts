import { randomUUID } from 'node:crypto';
import { apiBuilders, type Community, uid } from '../factories/api.factory';
import { bodyOf, err, invalid, describeWholeFileChecks, useApiTestApp } from '../utils/api-client';

/**
 * The JSON API end to end, subdistricts and communities: real HTTP against the full app on this file's own database
 * (test/utils/api-client.ts refuses any 500 or malformed error body). Each describe makes the
 * foundation, communities and funds it needs through the builders in test/factories/api.factory.ts.
 */
const { t, api } = useApiTestApp();
const { ensureFoundation, newSubdistrict, newCommunity, allPages } = apiBuilders(api, t);

describe('subdistricts and communities', () => {
  beforeAll(ensureFoundation);

  it('creates a subdistrict, reads it back and counts its communities', async () => {
    const sd = await newSubdistrict();
    expect(bodyOf(await api.get(`/api/v1/subdistricts/${sd.id}`), 200)).toMatchObject({
      id: sd.id,
      code: sd.code,
    });
    await newCommunity(sd.id);
    const list = bodyOf(await api.get('/api/v1/subdistricts'), 200) as {
      id: string;
      communityCount: number;
    }[];
    expect(list.find((s) => s.id === sd.id)?.communityCount).toBe(1);
  });

  it('refuses a duplicate subdistrict code with 409 DUPLICATE_CODE', async () => {
    const sd = await newSubdistrict();
    const res = await api.post('/api/v1/subdistricts', {
      code: sd.code,
      nameZh: '重复',
      nameEn: 'Duplicate',
    });
    expect(err(res)).toMatchObject({ status: 409, code: 'DUPLICATE_CODE' });
  });

  it('refuses a malformed subdistrict code with 400', async () => {
    const res = await api.post('/api/v1/subdistricts', {
      code: 'has space!',
      nameZh: '坏',
      nameEn: 'Bad',
    });
    expect(err(res)).toMatchObject(invalid('code'));
  });

  it('creates a community and reads it back', async () => {
    const sd = await newSubdistrict();
    const c = bodyOf(
      await api.post('/api/v1/communities', {
        code: `CM-${uid()}`,
        subdistrictId: sd.id,
        nameZh: '桃源社区',
        nameEn: 'Taoyuan',
        households: 1200,
      }),
      201,
    );
    expect(bodyOf(await api.get(`/api/v1/communities/${c.id}`), 200)).toMatchObject({
      subdistrictId: sd.id,
      nameZh: '桃源社区',
      households: 1200,
    });
  });

  it('refuses a duplicate community code with 409 DUPLICATE_CODE', async () => {
    const c = await newCommunity();
    const res = await api.post('/api/v1/communities', {
      code: c.code,
      subdistrictId: c.subdistrictId,
      nameZh: '重',
      nameEn: 'Dup',
    });
    expect(err(res)).toMatchObject({ status: 409, code: 'DUPLICATE_CODE' });
  });

  it('refuses a community in an unknown subdistrict with 404, and a non-UUID subdistrictId with 400', async () => {
    const body = { code: `CM-${uid()}`, nameZh: '无', nameEn: 'Nowhere' };
    expect(
      err(await api.post('/api/v1/communities', { ...body, subdistrictId: randomUUID() })),
    ).toMatchObject({
      status: 404,
      code: 'SUBDISTRICT_NOT_FOUND',
    });
    expect(
      err(await api.post('/api/v1/communities', { ...body, subdistrictId: 'sd-1' })),
    ).toMatchObject(invalid('subdistrictId'));
  });

  it('answers 404 COMMUNITY_NOT_FOUND for an unknown community', async () => {
    expect(err(await api.get(`/api/v1/communities/${randomUUID()}`))).toMatchObject({
      status: 404,
      code: 'COMMUNITY_NOT_FOUND',
    });
  });

  it('pages the communities of a subdistrict with a cursor, each once, in code order', async () => {
    const sd = await newSubdistrict();
    const codes = ['PG-E', 'PG-A', 'PG-D', 'PG-B', 'PG-C'].map((c) => `${c}-${uid()}`);
    for (const code of codes) await newCommunity(sd.id, code);
    const { rows, pages } = await allPages<Community>(
      `/api/v1/communities?subdistrictId=${sd.id}&limit=2`,
      'items',
    );
    expect(pages).toBe(3);
    expect(rows.map((c) => c.code)).toEqual([...codes].sort());
  });

  it('pages every community with limit=1 exactly as one big page lists them', async () => {
    const whole = bodyOf(await api.get('/api/v1/communities?limit=500'), 200) as {
      items: Community[];
      nextCursor: null;
    };
    expect(whole.nextCursor).toBeNull();
    const { rows } = await allPages<Community>('/api/v1/communities?limit=1', 'items');
    expect(rows.map((c) => c.id)).toEqual(whole.items.map((c) => c.id));
  });

  it('refuses a garbage cursor with 400 INVALID_CURSOR', async () => {
    expect(err(await api.get('/api/v1/communities?cursor=not-a-cursor'))).toMatchObject({
      status: 400,
      code: 'INVALID_CURSOR',
    });
  });

  it('refuses renaming a community onto another one’s code with 409', async () => {
    const [a, b] = [await newCommunity(), await newCommunity()];
    expect(err(await api.patch(`/api/v1/communities/${a.id}`, { code: b.code }))).toMatchObject({
      status: 409,
      code: 'DUPLICATE_CODE',
    });
  });

  it('refuses null for a required field on PATCH with 400 and keeps the community as it was', async () => {
    const c = await newCommunity();
    expect(err(await api.patch(`/api/v1/communities/${c.id}`, { code: null }))).toMatchObject(
      invalid('code'),
    );
    expect(bodyOf(await api.get(`/api/v1/communities/${c.id}`), 200).code).toBe(c.code);
  });
});

describeWholeFileChecks(api, {
  movedMoney: false,
  codes: ['VALIDATION_FAILED', 'DUPLICATE_CODE', 'INVALID_CURSOR'],
});
