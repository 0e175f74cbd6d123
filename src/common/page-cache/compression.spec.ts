import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { compress, compressible, negotiateEncoding } from './compression';
import { etagMatches } from './page-cache.hooks';

describe('negotiateEncoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['gzip, deflate', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0', null],
    ['identity', null],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['BR', 'br'],
    ['gzip;q=0.5, br;q=0.1', 'br'],
  ])('%j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('compressible', () => {
  it.each([
    ['text/html; charset=utf-8', true],
    ['text/csv; charset=utf-8', true],
    ['text/css', true],
    ['application/javascript', true],
    ['image/svg+xml', true],
    ['application/json; charset=utf-8', true],
    ['application/pdf', false],
    ['image/png', false],
    [undefined, false],
  ])('%s → %s', (type, expected) => {
    expect(compressible(type)).toBe(expected);
  });
});

describe('compress', () => {
  it('round-trips gzip and brotli', async () => {
    const body = Buffer.from('<p>每一分善款的去向都公开可查</p>'.repeat(100));
    expect(gunzipSync(await compress(body, 'gzip')).equals(body)).toBe(true);
    const br = await compress(body, 'br');
    expect(brotliDecompressSync(br).equals(body)).toBe(true);
    expect(br.length).toBeLessThan(body.length / 10);
  });
});

describe('etagMatches', () => {
  const etag = 'W/"abc"';
  it.each([
    [undefined, false],
    ['W/"abc"', true],
    ['"abc"', true],
    ['"x", W/"abc"', true],
    ['*', true],
    ['W/"abd"', false],
  ])('If-None-Match %j → %s', (header, expected) => {
    expect(etagMatches(header, etag)).toBe(expected);
  });
});
