import request from 'supertest';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { launchChromium } from '../browser/chromium';
import { PNG } from '../utils/images';
import { RequestContext } from '../../src/common/context/request-context';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';

const BASE = 'https://give.example.org';
const PARTNERS = ['https://partner.example.org', 'https://*.example.net'];

/** Link previews, the sitemap and robots.txt, and the widget partners embed. */
describe('sharing', () => {
  let t: TestApp;
  let open: TestApp;
  beforeAll(async () => {
    await createFileDatabase();
    t = await startConfiguredApp({ publicUrl: BASE, widgetFrameAncestors: PARTNERS });
    open = await startConfiguredApp({ publicUrl: BASE, widgetFrameAncestors: ['*'] });
    await createFoundation(t);
  });
  afterAll(async () => {
    await t.close();
    await open.close();
    await dropFileDatabase();
  });

  /** Handlebars escapes '=' and '&' in attributes; browsers read them back: so does this. */
  const attributes = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  const meta = (html: string, name: string) =>
    new RegExp(`<meta (?:property|name)="${name}" content="([^"]*)">`).exec(attributes(html))?.[1];

  it('puts OpenGraph and Twitter-card tags with absolute addresses in the language read', async () => {
    const campaign = await createCampaign(t, {
      titleEn: 'Benches for the garden',
      titleZh: '花园长椅',
      storyEn: `Benches for the **garden**, where ${'neighbours meet '.repeat(20)}`,
    });
    await RequestContext.run({ actor: { kind: 'system', label: 'test' } }, () =>
      t.get(CampaignsService).setCover({ kind: 'system', label: 'test' }, campaign.id, {
        contentType: 'image/png',
        body: PNG,
      }),
    );
    const en = (await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200))
      .text;
    const url = `${BASE}/campaigns/${campaign.slug}?lang=en`;
    expect(meta(en, 'og:title')).toBe('Benches for the garden');
    expect(meta(en, 'og:url')).toBe(url);
    expect(meta(en, 'og:type')).toBe('website');
    expect(meta(en, 'og:locale')).toBe('en_US');
    expect(meta(en, 'og:image')).toMatch(new RegExp(`^${BASE}/uploads/[^"]+\\.(png|webp|jpg)$`));
    expect(meta(en, 'twitter:card')).toBe('summary_large_image');
    expect(meta(en, 'twitter:image')).toBe(meta(en, 'og:image'));
    const description = meta(en, 'og:description')!;
    expect(description.startsWith('Benches for the garden, where neighbours meet')).toBe(true);
    expect([...description].length).toBeLessThanOrEqual(120);
    expect(attributes(en)).toContain(`<link rel="canonical" href="${url}">`);
    // The share section keeps the language.
    expect(attributes(en)).toContain(`id="share-url" type="url" readonly value="${url}"`);
    expect(attributes(en)).toContain(
      `href="https://service.weibo.com/share/share.php?url=${encodeURIComponent(url)}`,
    );
    expect(attributes(en)).toContain(
      `href="mailto:?subject=Benches%20for%20the%20garden&body=${encodeURIComponent(url)}"`,
    );

    const zh = (await request(t.server).get(`/campaigns/${campaign.slug}?lang=zh-CN`).expect(200))
      .text;
    expect(meta(zh, 'og:title')).toBe('花园长椅');
    expect(meta(zh, 'og:url')).toBe(`${BASE}/campaigns/${campaign.slug}?lang=zh-CN`);
    expect(meta(zh, 'og:locale')).toBe('zh_CN');
  });

  it('has header links to each section keeping the language, the current one marked', async () => {
    const campaign = await createCampaign(t);
    const en = attributes(
      (await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200)).text,
    );
    const nav = /<nav class="site-nav"[\s\S]*?<\/nav>/.exec(en)![0];
    expect(nav).toContain('<a href="/?lang=en#live-campaigns" aria-current="page">Campaigns</a>');
    expect(nav).toContain('<a href="/funds?lang=en">Funds</a>');
    expect(nav).toContain('<a href="/projects?lang=en">Projects</a>');
    expect(nav).toContain('<a href="/donor?lang=en">My gifts</a>');
    expect(nav).toContain('<a href="/login?lang=en">Staff sign-in</a>');
    expect(nav).not.toContain('/api/docs');
    expect(en).toMatch(/<footer[\s\S]*href="\/api\/docs"/);
    const projects = attributes((await request(t.server).get('/projects?lang=en')).text);
    expect(projects).toContain('<a href="/projects?lang=en" aria-current="page">Projects</a>');
  });

  it('lists every public page in sitemap.xml in both languages, never a draft', async () => {
    const live = await createCampaign(t);
    const ended = await createCampaign(t, { status: 'ENDED' });
    const draft = await createCampaign(t, { status: 'DRAFT' });
    const preparing = await createFund(t, { kind: 'PROGRAM', status: 'PREPARING' });
    const res = await request(t.server).get('/sitemap.xml').expect(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const sitemap = await parseXml(res.text);
    expect(sitemap.namespace).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const locs = sitemap.urls.map((u) => u.loc);
    for (const path of [
      '/',
      '/funds',
      '/projects',
      `/funds/${preparing.code}`,
      `/campaigns/${live.slug}`,
      `/campaigns/${ended.slug}`,
    ]) {
      expect(locs).toContain(`${BASE}${path}?lang=zh-CN`);
      expect(locs).toContain(`${BASE}${path}?lang=en`);
    }
    expect(res.text).not.toContain(draft.slug);
    const entry = sitemap.urls.find((u) => u.loc === `${BASE}/campaigns/${live.slug}?lang=en`)!;
    expect(entry.alternates).toEqual([
      { rel: 'alternate', hreflang: 'zh-CN', href: `${BASE}/campaigns/${live.slug}?lang=zh-CN` },
      { rel: 'alternate', hreflang: 'en', href: `${BASE}/campaigns/${live.slug}?lang=en` },
    ]);
  });

  it('answers robots.txt: public pages allowed, private paths not, the sitemap named', async () => {
    const res = await request(t.server).get('/robots.txt').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe(
      [
        'User-agent: *',
        'Allow: /',
        'Disallow: /admin',
        'Disallow: /donor',
        'Disallow: /api',
        'Disallow: /webhooks',
        'Disallow: /sandbox',
        'Disallow: /dev',
        '',
        `Sitemap: ${BASE}/sitemap.xml`,
        '',
      ].join('\n'),
    );
  });

  it('lets partners frame the widget as configured while every other page refuses framing', async () => {
    const campaign = await createCampaign(t, { goalMinor: 100_000 });
    const widget = await request(t.server)
      .get(`/campaigns/${campaign.slug}/widget?lang=en`)
      .expect(200);
    const csp = widget.headers['content-security-policy'] as string;
    expect(csp).toContain(`frame-ancestors ${PARTNERS.join(' ')}`);
    expect(csp).not.toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(widget.headers['x-frame-options']).toBeUndefined();
    expect(attributes(widget.text)).toContain(
      `id="widget-give" href="${BASE}/campaigns/${campaign.slug}?lang=en" target="_blank" rel="noopener"`,
    );
    expect(widget.text).toContain('<h1>Campaign');
    expect(widget.text).not.toContain('<header');

    const anyone = await request(open.server).get(`/campaigns/${campaign.slug}/widget`).expect(200);
    expect(anyone.headers['content-security-policy']).toContain('frame-ancestors *;');

    const page = await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    // The page offers the embed code.
    expect(page.text).toContain(
      `&lt;iframe src&#x3D;&quot;${BASE}/campaigns/${campaign.slug}/widget?lang&#x3D;en&quot;`,
    );
  });

  it('answers 404 for the widget of a draft or an unknown campaign', async () => {
    const draft = await createCampaign(t, { status: 'DRAFT' });
    const res = await request(t.server).get(`/campaigns/${draft.slug}/widget?lang=en`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain(draft.titleEn);
    expect((await request(t.server).get('/campaigns/no-such-campaign/widget')).status).toBe(404);
  });
});

interface Sitemap {
  namespace: string | null;
  urls: { loc: string; alternates: { rel: string; hreflang: string; href: string }[] }[];
}

/**
 * Parses XML with chromium's strict XML parser: a document that is not well-formed throws. (Run
 * in the page as text: this project's TypeScript has no DOM types.)
 */
async function parseXml(text: string): Promise<Sitemap> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    return await page.evaluate<Sitemap>(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(text)}, 'application/xml');
      const error = doc.getElementsByTagName('parsererror')[0];
      if (error) throw new Error('sitemap.xml is not well-formed: ' + error.textContent);
      const root = doc.documentElement;
      return {
        namespace: root.namespaceURI,
        urls: [...root.children].map((url) => ({
          loc: url.getElementsByTagNameNS(root.namespaceURI, 'loc')[0]?.textContent ?? '',
          alternates: [...url.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'link')].map(
            (link) => ({
              rel: link.getAttribute('rel'),
              hreflang: link.getAttribute('hreflang'),
              href: link.getAttribute('href'),
            }),
          ),
        })),
      };
    })()`);
  } finally {
    await browser.close();
  }
}
