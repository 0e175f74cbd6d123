import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { CoverStorage } from '../../src/modules/campaigns/cover-storage';
import { createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { jpegWithGps, PNG, pngBomb, pngWithTextChunk, solidImage } from '../utils/images';
import { createTestApp, type TestApp } from '../utils/test-app';

const API = '/api/v1/campaigns';
const HTML = '<html><body><script>alert(document.cookie)</script></body></html>';

/** Cover uploads are decoded and written again: nothing but pixels survives from the upload. */
describe('cover images', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let fundId: string;
  const uploads: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t);
    fundId = (await createFund(t, { kind: 'COMMUNITY' })).id;
    admin = (await createUser(t, ['ADMIN'])).auth;
  });

  afterAll(async () => {
    const covers = t.get(CoverStorage);
    for (const name of uploads) await covers.remove(name);
    await t.close();
  });

  async function upload(data: Buffer, filename = 'cover.png') {
    const campaign = await createCampaign(t, { fundId, status: 'DRAFT' });
    const res = await request(t.server)
      .post(`${API}/${campaign.id}/cover`)
      .set(admin)
      .attach('file', data, { filename, contentType: 'image/png' });
    const url = res.body.coverImageUrl as string | undefined;
    if (url) uploads.push(url.slice('/uploads/'.length));
    return { res, campaign };
  }

  async function served(url: string) {
    const image = await request(t.server).get(url).buffer(true).expect(200);
    const stored = readFileSync(path.join(t.get(CoverStorage).dir, url.slice('/uploads/'.length)));
    expect(Buffer.compare(image.body as Buffer, stored)).toBe(0);
    return { image, stored, meta: await sharp(stored).metadata() };
  }

  it('accepts a JPEG and a PNG, re-encoded, and serves each with its type', async () => {
    const jpeg = await solidImage('jpeg', { width: 320, height: 200 });
    const first = (await upload(jpeg, 'photo.jpg')).res;
    expect(first.status).toBe(200);
    expect(first.body.coverImageUrl).toMatch(/^\/uploads\/[0-9a-f]{32}\.jpg$/);
    const j = await served(first.body.coverImageUrl);
    expect(j.image.headers['content-type']).toBe('image/jpeg');
    expect(j.meta).toMatchObject({ format: 'jpeg', width: 320, height: 200 });

    // Transparency needs PNG; the pixels come through.
    const png = await solidImage('png', { width: 40, height: 30, alpha: true });
    const second = (await upload(png)).res;
    expect(second.status).toBe(200);
    expect(second.body.coverImageUrl).toMatch(/\.png$/);
    const p = await served(second.body.coverImageUrl);
    expect(p.image.headers['content-type']).toBe('image/png');
    expect(p.meta).toMatchObject({ format: 'png', width: 40, height: 30, hasAlpha: true });
    const { data } = await sharp(p.stored).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 4)]).toEqual([200, 40, 40, 128]);

    // A real WebP is taken too, and stored in one of the two formats.
    const webp = (await upload(await solidImage('webp'), 'c.webp')).res;
    expect(webp.status).toBe(200);
    expect(webp.body.coverImageUrl).toMatch(/\.jpg$/);
  });

  it('refuses a PNG signature followed by HTML', async () => {
    const polyglot = Buffer.concat([PNG.subarray(0, 8), Buffer.from(HTML)]);
    const { res } = await upload(polyglot);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'IMAGE_UNREADABLE' });
    expect(res.body.message).toMatch(/could not be read as an image/);
  });

  it('keeps no HTML from a real PNG that carries it after its end or in a text chunk', async () => {
    const png = await solidImage('png', { alpha: true });
    for (const polyglot of [Buffer.concat([png, Buffer.from(HTML)]), pngWithTextChunk(png, HTML)]) {
      const { res } = await upload(polyglot);
      expect(res.status).toBe(200);
      const { image, stored } = await served(res.body.coverImageUrl);
      expect(stored.includes('<script')).toBe(false);
      expect(stored.includes('alert')).toBe(false);
      expect(image.headers['content-type']).toBe('image/png');
      expect(image.headers['content-security-policy']).toMatch(/sandbox/);
    }
  });

  it('refuses a truncated PNG with a 4xx in words', async () => {
    const png = await solidImage('png', { width: 200, height: 200 });
    for (const cut of [PNG.subarray(0, 20), png.subarray(0, Math.floor(png.length * 0.6))]) {
      const { res } = await upload(cut);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'IMAGE_UNREADABLE' });
      expect(res.body.message).toMatch(/^file could not be read as an image/);
      expect(res.body.coverImageUrl).toBeUndefined();
    }
  });

  it('strips EXIF, GPS position included', async () => {
    const original = await jpegWithGps();
    const exif = (await sharp(original).metadata()).exif;
    expect(exif?.includes('Li Ming')).toBe(true); // the test image really carries EXIF
    const { res } = await upload(original, 'holiday.jpg');
    expect(res.status).toBe(200);
    const { stored, meta } = await served(res.body.coverImageUrl);
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(stored.includes('Exif')).toBe(false);
    expect(stored.includes('Li Ming')).toBe(false);
  });

  it('refuses a decompression bomb by its pixel count, before decoding it', async () => {
    const bomb = pngBomb(20_000, 20_000); // 400 megapixels in ~50 KB
    expect(bomb.length).toBeLessThan(100_000);
    const started = Date.now();
    const { res } = await upload(bomb);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    expect(res.body.message).toMatch(/20000 × 20000 pixels/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('makes very large pictures smaller', async () => {
    const big = await solidImage('jpeg', { width: 4000, height: 1000 });
    const { res } = await upload(big, 'wide.jpg');
    expect(res.status).toBe(200);
    const { meta } = await served(res.body.coverImageUrl);
    expect(meta).toMatchObject({ width: 2400, height: 600 });
  });
});
