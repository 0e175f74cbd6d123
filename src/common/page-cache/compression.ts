import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/*
 * gzip and brotli for text answers (HTML, CSV, CSS, JS, SVG, JSON) of at least COMPRESS_MIN_BYTES,
 * chosen by Accept-Encoding. Cached pages are compressed once when stored (page-cache.hooks.ts);
 * everything else through `compressAnswer`, an onSend hook.
 */

export type Encoding = 'br' | 'gzip';

/** Below this, the headers cost more than the bytes saved. */
export const COMPRESS_MIN_BYTES = 1024;

const COMPRESSIBLE =
  /^(text\/(html|csv|css|javascript|plain)|application\/(javascript|json)|image\/svg\+xml)\b/;

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/** Brotli level 5: close to the best ratio for HTML at a few per cent of level 11's time. */
const BROTLI_OPTIONS: zlib.BrotliOptions = {
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  },
};
const GZIP_OPTIONS: zlib.ZlibOptions = { level: 6 };

export function compressible(contentType: unknown): boolean {
  return typeof contentType === 'string' && COMPRESSIBLE.test(contentType);
}

/** The best encoding the client accepts: br, then gzip; none for `identity` or q=0. */
export function negotiateEncoding(acceptEncoding: string | string[] | undefined): Encoding | null {
  if (!acceptEncoding) return null;
  const accepted = new Map<string, number>();
  for (const part of String(acceptEncoding).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const quality = (name: Encoding) => accepted.get(name) ?? (accepted.get('*') || 0);
  if (quality('br') > 0) return 'br';
  if (quality('gzip') > 0) return 'gzip';
  return null;
}

export function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br' ? brotli(body, BROTLI_OPTIONS) : gzip(body, GZIP_OPTIONS);
}

function compressStream(encoding: Encoding): zlib.Gzip | zlib.BrotliCompress {
  return encoding === 'br'
    ? zlib.createBrotliCompress(BROTLI_OPTIONS)
    : zlib.createGzip(GZIP_OPTIONS);
}

/** Adds accept-encoding to Vary, keeping what is there. */
export function varyOnEncoding(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  const list = typeof vary === 'string' ? vary : '';
  if (!/accept-encoding/i.test(list))
    void reply.header('vary', list ? `${list}, accept-encoding` : 'accept-encoding');
}

/** onSend: compresses a text answer the cache did not already encode. */
export async function compressAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  if (
    request.method === 'HEAD' ||
    reply.statusCode < 200 ||
    reply.statusCode === 204 ||
    reply.statusCode === 304 ||
    reply.getHeader('content-encoding') ||
    reply.getHeader('x-page-cache') ||
    !compressible(reply.getHeader('content-type'))
  )
    return payload;
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (body.length < COMPRESS_MIN_BYTES) return payload;
    varyOnEncoding(reply);
    const encoding = negotiateEncoding(request.headers['accept-encoding']);
    if (!encoding) return payload;
    const compressed = await compress(body, encoding);
    void reply.header('content-encoding', encoding);
    void reply.header('content-length', compressed.length);
    return compressed;
  }
  if (payload instanceof Readable && reply.statusCode === 200) {
    // A static file: its length is known from the header @fastify/static set.
    const length = Number(reply.getHeader('content-length'));
    if (Number.isFinite(length) && length < COMPRESS_MIN_BYTES) return payload;
    varyOnEncoding(reply);
    const encoding = negotiateEncoding(request.headers['accept-encoding']);
    if (!encoding) return payload;
    void reply.header('content-encoding', encoding);
    void reply.removeHeader('content-length');
    return payload.pipe(compressStream(encoding));
  }
  return payload;
}
