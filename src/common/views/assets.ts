import type {} from '@fastify/static'; // reply.sendFile
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { templatesDir } from '../paths';

/** How long a fingerprinted file may be kept: its name changes whenever its content does. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** Plain names (`/static/site.css`, linked from old pages and emails) change content in place. */
export const PLAIN_MAX_AGE = '1h';

/** `site.3f2a9c1d.css`: a name, 8 hex digits of its content's SHA-256, the extension. */
export const FINGERPRINTED_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[0-9a-f]{8}\.[A-Za-z0-9]+$/;

/**
 * The files under templates/static with a fingerprint of each one's content, computed once when
 * first asked (at start: the app links its stylesheets before serving). Pages link
 * `{{asset "site.css"}}` → `/static/site.3f2a9c1d.css`, served as immutable for a year; a new
 * deploy that changes the file changes the name, so no browser keeps an old stylesheet.
 */
export class StaticAssets {
  private readonly byName = new Map<string, string>();
  private readonly byFingerprint = new Map<string, string>();

  constructor(readonly dir: string) {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      if (!name.isFile()) continue;
      const hash = createHash('sha256')
        .update(readFileSync(path.join(dir, name.name)))
        .digest('hex')
        .slice(0, 8);
      const ext = path.extname(name.name);
      const fingerprinted = `${name.name.slice(0, -ext.length || undefined)}.${hash}${ext}`;
      this.byName.set(name.name, fingerprinted);
      this.byFingerprint.set(fingerprinted, name.name);
    }
  }

  /** The URL of a static file by its plain name; an unknown name fails the page (a typo). */
  url(name: string): string {
    const fingerprinted = this.byName.get(name);
    if (!fingerprinted) throw new Error(`There is no static file "${name}" in ${this.dir}.`);
    return `/static/${fingerprinted}`;
  }

  /** The plain file behind a fingerprinted name, or null for a name with another fingerprint. */
  resolve(fingerprinted: string): string | null {
    return this.byFingerprint.get(fingerprinted) ?? null;
  }
}

let shared: StaticAssets | undefined;

/** The app's static files (templates/static), fingerprinted once per process. */
export function staticAssets(): StaticAssets {
  shared ??= new StaticAssets(path.join(templatesDir(), 'static'));
  return shared;
}

/**
 * `GET /static/<name>.<fingerprint>.<ext>`: the file when the fingerprint is its content's, cached
 * for a year as immutable; any other fingerprint is a 404 (an old deploy's name is never answered
 * with new content under a year-long cache). Plain names fall through to the static files plugin
 * (useStaticAssets, PLAIN_MAX_AGE). The static files plugin must be registered: it adds sendFile.
 */
export function serveFingerprintedAssets(fastify: FastifyInstance): void {
  const assets = staticAssets();
  fastify.get<{ Params: { name: string } }>(
    `/static/:name(${FINGERPRINTED_NAME.source})`,
    (request, reply) => {
      const file = assets.resolve(request.params.name);
      if (!file) return reply.callNotFound();
      return reply.sendFile(file, assets.dir, { maxAge: '365d', immutable: true });
    },
  );
}
