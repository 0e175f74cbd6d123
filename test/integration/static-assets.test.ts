import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { templatesDir } from '../../src/common/paths';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const staticFile = (name: string) => readFileSync(path.join(templatesDir(), 'static', name));

/** Pages link static files by a name that carries a fingerprint of their content. */
describe('fingerprinted static files', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  /** The href of `<link rel="…">` in a page. */
  const linked = (html: string, rel: string) =>
    [...html.matchAll(new RegExp(`<link rel="${rel}" href="([^"]+)"`, 'g'))].map((m) => m[1]!);

  it('links the fingerprinted stylesheet, served for a year as immutable', async () => {
    const campaign = await createCampaign(t);
    for (const url of ['/', `/campaigns/${campaign.slug}?lang=en`]) {
      const page = await request(t.server).get(url).expect(200);
      const sheets = linked(page.text, 'stylesheet');
      // The name changes with the content: its fingerprint is the content's SHA-256.
      const hash = createHash('sha256').update(staticFile('site.css')).digest('hex').slice(0, 8);
      expect(sheets).toEqual([`/static/site.${hash}.css`]);
      expect(linked(page.text, 'icon')).toEqual([
        expect.stringMatching(/^\/static\/favicon\.[0-9a-f]{8}\.svg$/),
      ]);
    }
    const page = await request(t.server).get('/').expect(200);
    const css = await request(t.server).get(linked(page.text, 'stylesheet')[0]!).expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe(IMMUTABLE);
    expect(css.text).toBe(staticFile('site.css').toString('utf8'));
    const icon = await request(t.server).get(linked(page.text, 'icon')[0]!).expect(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(icon.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('answers 404 to another fingerprint, and still serves the plain name briefly cached', async () => {
    for (const wrong of [
      '/static/site.00000000.css',
      '/static/site.deadbeef.css',
      '/static/nothing.0123abcd.css',
      '/static/site.0123ABCD.css',
    ]) {
      const res = await request(t.server).get(wrong);
      expect([wrong, res.status]).toEqual([wrong, 404]);
      expect(res.headers['cache-control'] ?? '').not.toContain('immutable');
    }
    const plain = await request(t.server).get('/static/site.css').expect(200);
    expect(plain.headers['content-type']).toMatch(/^text\/css/);
    expect(plain.headers['cache-control']).toBe('public, max-age=3600');
    expect(plain.text).toBe(staticFile('site.css').toString('utf8'));
    await request(t.server)
      .get('/static/..%2F..%2Fpackage.json')
      .expect((res) => {
        expect([400, 403, 404]).toContain(res.status);
      });
  });

  it('links the fingerprinted names in the back office too', async () => {
    const user = await createUser(t, ['ADMIN']);
    const browser = formSession(t.server);
    await browser.signIn(user.email, TEST_PASSWORD);
    const admin = await browser.agent.get('/admin/campaigns?lang=en').expect(200);
    expect(linked(admin.text, 'stylesheet')).toEqual([
      expect.stringMatching(/^\/static\/site\.[0-9a-f]{8}\.css$/),
      expect.stringMatching(/^\/static\/admin\.[0-9a-f]{8}\.css$/),
    ]);
    for (const href of linked(admin.text, 'stylesheet')) {
      await request(t.server).get(href).expect(200).expect('cache-control', IMMUTABLE);
    }
  });
});
