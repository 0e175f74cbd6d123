import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { COVER_VARIANT_WIDTHS } from '../../src/modules/campaigns/cover-image';
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
    for (const name of uploads) await covers.remove(name, COVER_VARIANT_WIDTHS);
    await t.close();
  });

  async function upload(
    data: Buffer,
    filename = 'cover.png',
    campaign: { id: string; slug: string } | null = null,
  ) {
    campaign ??= await createCampaign(t, { fundId, status: 'DRAFT' });
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
      expect(res.body.message).toMatch(/^The file could not be read as an image/);
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

  describe('narrower copies for srcset', () => {
    const dir = () => t.get(CoverStorage).dir;
    const variantUrl = (url: string, width: number) => url.replace(/\.(\w+)$/, `-w${width}.$1`);
    const stored = async (campaignId: string) => {
      const rows = await t.dataSource.query<Record<string, unknown>[]>(
        `SELECT cover_widths, cover_width, cover_height FROM campaigns WHERE id = $1`,
        [campaignId],
      );
      return rows[0];
    };

    it('writes each narrower width, serves it for a year, and the page offers them', async () => {
      const campaign = await createCampaign(t, { fundId });
      const big = await solidImage('jpeg', { width: 4000, height: 1000 });
      const { res } = await upload(big, 'wide.jpg', campaign);
      expect(res.status).toBe(200);
      const url = res.body.coverImageUrl as string;
      expect(await stored(campaign.id)).toMatchObject({
        cover_widths: [480, 960, 1440],
        cover_width: 2400,
        cover_height: 600,
      });
      for (const width of [480, 960, 1440]) {
        const { image, meta } = await served(variantUrl(url, width));
        expect(image.headers['content-type']).toBe('image/jpeg');
        expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(meta).toMatchObject({ format: 'jpeg', width, height: width / 4 });
      }
      expect(res.body).toMatchObject({
        coverSrcset: [480, 960, 1440]
          .map((w) => `${variantUrl(url, w)} ${w}w`)
          .concat(`${url} 2400w`)
          .join(', '),
        coverWidth: 2400,
        coverHeight: 600,
      });

      const page = await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
      const img = /<img class="cover"[^>]*>/.exec(page.text)?.[0] ?? '';
      expect(img).toContain(`src="${url}"`);
      expect(img).toContain(`srcset="${variantUrl(url, 480)} 480w, ${variantUrl(url, 960)} 960w,`);
      expect(img).toContain(`${url} 2400w"`);
      expect(img).toMatch(/ sizes="[^"]+"/);
      expect(img).toContain('width="2400" height="600"');
      expect(img).toContain('decoding="async"');
    });

    it('writes only the widths narrower than the cover, and keeps a PNG a PNG', async () => {
      const campaign = await createCampaign(t, { fundId });
      const png = await solidImage('png', { width: 1000, height: 500, alpha: true });
      const { res } = await upload(png, 'logo.png', campaign);
      expect(res.status).toBe(200);
      expect(await stored(campaign.id)).toMatchObject({ cover_widths: [480, 960] });
      const { meta } = await served(variantUrl(res.body.coverImageUrl as string, 960));
      expect(meta).toMatchObject({ format: 'png', width: 960, height: 480, hasAlpha: true });
      await request(t.server)
        .get(variantUrl(res.body.coverImageUrl as string, 1440))
        .expect(404);

      const small = (await upload(await solidImage('jpeg', { width: 320, height: 200 }))).res;
      expect(small.body).toMatchObject({ coverSrcset: null, coverWidth: 320, coverHeight: 200 });
    });

    it('removes the replaced cover with its copies', async () => {
      const campaign = await createCampaign(t, { fundId });
      const first = (
        await upload(await solidImage('jpeg', { width: 2000, height: 1000 }), 'a.jpg', campaign)
      ).res;
      const old = first.body.coverImageUrl as string;
      const oldFiles = [old, ...[480, 960, 1440].map((w) => variantUrl(old, w))];
      for (const file of oldFiles) {
        expect(existsSync(path.join(dir(), file.slice('/uploads/'.length)))).toBe(true);
      }
      const second = (
        await upload(await solidImage('jpeg', { width: 1200, height: 600 }), 'b.jpg', campaign)
      ).res;
      expect(second.status).toBe(200);
      for (const file of oldFiles) {
        expect(existsSync(path.join(dir(), file.slice('/uploads/'.length)))).toBe(false);
        await request(t.server).get(file).expect(404);
      }
      const now = second.body.coverImageUrl as string;
      await served(variantUrl(now, 960));
      expect(await stored(campaign.id)).toMatchObject({
        cover_widths: [480, 960],
        cover_width: 1200,
      });
    });

    it('answers 404 to names it never wrote', async () => {
      const { res } = await upload(await solidImage('jpeg', { width: 1000, height: 500 }), 'c.jpg');
      const url = res.body.coverImageUrl as string;
      const base = url.slice('/uploads/'.length, -'.jpg'.length);
      for (const forged of [
        `${base}-w500.jpg`, // not a width this app writes
        `${base}-w1440.jpg`, // a width it writes, but not for this cover (too narrow)
        `${base}-w480.png`,
        `${base}-w480-w480.jpg`,
        `${base}-w480.jpg.jpg`,
        `${base.toUpperCase()}-w480.jpg`,
        `..%2F${base}-w480.jpg`,
      ]) {
        const answer = await request(t.server).get(`/uploads/${forged}`);
        expect([forged, answer.status]).toEqual([forged, 404]);
      }
      await request(t.server).get(`/uploads/${base}-w480.jpg`).expect(200);
    });

    it('still shows a cover stored before copies were written', async () => {
      const campaign = await createCampaign(t, { fundId });
      const { res } = await upload(
        await solidImage('jpeg', { width: 1000, height: 500 }),
        'd.jpg',
        campaign,
      );
      await t.dataSource.query(
        `UPDATE campaigns SET cover_widths = '{}', cover_width = NULL, cover_height = NULL WHERE id = $1`,
        [campaign.id],
      );
      const page = await request(t.server).get(`/campaigns/${campaign.slug}`).expect(200);
      const img = /<img class="cover"[^>]*>/.exec(page.text)?.[0] ?? '';
      expect(img).toContain(`src="${res.body.coverImageUrl as string}"`);
      expect(img).not.toContain('srcset');
      expect(img).not.toContain('width=');
    });
  });
});
