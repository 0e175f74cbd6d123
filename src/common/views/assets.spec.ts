import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { templatesDir } from '../paths';
import { FINGERPRINTED_NAME, StaticAssets, staticAssets } from './assets';
import { listTemplates } from './handlebars';

describe('StaticAssets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'assets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names each file by a fingerprint of its content, and resolves only that name', () => {
    writeFileSync(path.join(dir, 'site.css'), 'body { color: red }');
    writeFileSync(path.join(dir, 'icon.min.svg'), '<svg/>');
    const assets = new StaticAssets(dir);
    const url = assets.url('site.css');
    expect(url).toMatch(/^\/static\/site\.[0-9a-f]{8}\.css$/);
    const name = url.slice('/static/'.length);
    expect(name).toMatch(FINGERPRINTED_NAME);
    expect(assets.resolve(name)).toBe('site.css');
    expect(assets.resolve('site.00000000.css')).toBeNull();
    expect(assets.resolve('site.css')).toBeNull();
    expect(assets.url('icon.min.svg')).toMatch(/^\/static\/icon\.min\.[0-9a-f]{8}\.svg$/);
    expect(() => assets.url('sight.css')).toThrow(/no static file "sight.css"/);

    writeFileSync(path.join(dir, 'site.css'), 'body { color: blue }');
    expect(new StaticAssets(dir).url('site.css')).not.toBe(url);
  });

  it('knows every file the templates link', () => {
    const root = templatesDir();
    const linked = listTemplates(root).flatMap((t) =>
      [
        ...readFileSync(path.join(root, `${t}.hbs`), 'utf8').matchAll(/\{\{asset "([^"]+)"\}\}/g),
      ].map((m) => m[1]!),
    );
    expect(linked).toEqual(expect.arrayContaining(['site.css', 'admin.css', 'favicon.svg']));
    for (const name of linked) expect(() => staticAssets().url(name)).not.toThrow();
    // No template links a static file by its plain name any more.
    for (const t of listTemplates(root)) {
      expect([t, readFileSync(path.join(root, `${t}.hbs`), 'utf8').includes('"/static/')]).toEqual([
        t,
        false,
      ]);
    }
  });
});
