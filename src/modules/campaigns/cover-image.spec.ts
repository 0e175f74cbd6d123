import { say } from '../../common/i18n/i18n';
import {
  COVER_FORMATS,
  coverDimensionsProblem,
  coverVariantName,
  coverVariantSize,
  coverVariantWidths,
  storedCoverFormat,
  storedCoverSize,
  extractMultipartFile,
  mimeOfUpload,
  multipartBoundary,
  MultipartError,
  sniffImage,
  uploadName,
} from './cover-image';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);

describe('sniffImage', () => {
  it.each([
    ['png', png, 'png'],
    ['jpeg', jpeg, 'jpeg'],
    ['webp', webp, 'webp'],
    ['gif', Buffer.from('GIF89a'), null],
    ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'), null],
    ['html', Buffer.from('<!doctype html><script>alert(1)</script>'), null],
    [
      'RIFF but WAVE',
      Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE')]),
      null,
    ],
    ['truncated png', png.subarray(0, 5), null],
    ['empty', Buffer.alloc(0), null],
  ])('%s', (_name, data, expected) => {
    expect(sniffImage(data)).toBe(expected);
  });
});

describe('coverDimensionsProblem', () => {
  it.each([
    [1, 1, null],
    [6000, 6000, null],
    [36_000_000, 1, null],
    [6000, 6001, 'IMAGE_TOO_LARGE'],
    [20_000, 20_000, 'IMAGE_TOO_LARGE'],
    [65_535, 65_535, 'IMAGE_TOO_LARGE'],
    [0, 10, 'IMAGE_UNREADABLE'],
    [10, Number.NaN, 'IMAGE_UNREADABLE'],
    [1.5, 10, 'IMAGE_UNREADABLE'],
  ])('%s × %s → %s', (width, height, code) => {
    expect(coverDimensionsProblem(width, height)?.code ?? null).toBe(code);
  });

  it('names the size in words', () => {
    const problem = coverDimensionsProblem(20_000, 20_000)!;
    expect(say('en', problem.words)).toBe(
      'The image is 20000 × 20000 pixels; a cover image may have at most 36 million pixels (e.g. 6000 × 6000).',
    );
    expect(say('zh-CN', problem.words)).toBe(
      '图片为 20000 × 20000 像素，封面图片最多 36 百万像素（例如 6000 × 6000）。',
    );
  });
});

describe('stored covers', () => {
  it.each([
    [true, 'png'],
    [false, 'jpeg'],
  ])('transparency %s → %s', (hasAlpha, format) => {
    expect(storedCoverFormat(hasAlpha)).toBe(format);
  });

  it.each([
    [
      [1, 1],
      [1, 1],
    ],
    [
      [2400, 2400],
      [2400, 2400],
    ],
    [
      [4000, 1000],
      [2400, 600],
    ],
    [
      [1000, 6000],
      [400, 2400],
    ],
    [
      [36_000_000, 1],
      [2400, 1],
    ],
    [
      [2401, 3],
      [2400, 3],
    ],
  ])('%j fits in %j', ([width, height], expected) => {
    expect(storedCoverSize(width!, height!)).toEqual({ width: expected[0], height: expected[1] });
  });
});

describe('upload names', () => {
  it('are random hex plus the sniffed extension, and only those map to a type', () => {
    const name = uploadName('a'.repeat(32), 'jpeg');
    expect(name).toBe(`${'a'.repeat(32)}.jpg`);
    expect(mimeOfUpload(name)).toBe(COVER_FORMATS.jpeg.mime);
    expect(mimeOfUpload(`${'b'.repeat(32)}.webp`)).toBe('image/webp');
  });

  it('name a variant by its width beside the cover, and serve it with the same type', () => {
    const variant = coverVariantName(`${'c'.repeat(32)}.png`, 960);
    expect(variant).toBe(`${'c'.repeat(32)}-w960.png`);
    expect(mimeOfUpload(variant)).toBe('image/png');
  });

  it.each([
    '../../etc/passwd',
    `${'a'.repeat(32)}.svg`,
    `${'A'.repeat(32)}.png`,
    'x.png',
    `${'a'.repeat(32)}.png/..`,
    `${'a'.repeat(32)}-w500.jpg`, // not one of the widths written
    `${'a'.repeat(32)}-w480-w960.jpg`,
    `${'a'.repeat(32)}-w480.jpg.jpg`,
    `${'a'.repeat(31)}-w480.jpg`,
    `${'a'.repeat(32)}-W480.jpg`,
  ])('refuses %s', (name) => {
    expect(mimeOfUpload(name)).toBeNull();
  });
});

function form(
  parts: { name: string; filename?: string; type?: string; data: Buffer | string }[],
  boundary = 'XyZ123',
) {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const filename = p.filename === undefined ? '' : `; filename="${p.filename}"`;
    const type = p.type ? `\r\nContent-Type: ${p.type}` : '';
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${filename}${type}\r\n\r\n`,
      ),
      Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

describe('multipartBoundary', () => {
  it.each([
    ['multipart/form-data; boundary=abc', 'abc'],
    ['multipart/form-data; boundary="a b c"', 'a b c'],
    ['Multipart/Form-Data;charset=utf-8; BOUNDARY=x', 'x'],
    ['multipart/form-data', null],
    ['multipart/mixed; boundary=abc', null],
    ['application/json', null],
  ])('%s', (contentType, expected) => {
    expect(multipartBoundary(contentType)).toBe(expected);
  });
});

describe('extractMultipartFile', () => {
  const type = 'multipart/form-data; boundary=XyZ123';

  it('returns the bytes of the named file, exactly, ignoring other fields', () => {
    const data = Buffer.concat([
      png,
      Buffer.from('\r\n--XyZ12 not the boundary\r\n'),
      Buffer.from([0, 255]),
    ]);
    const body = form([
      { name: '_csrf', data: 'token' },
      { name: 'file', filename: 'cover.png', type: 'image/png', data },
    ]);
    const file = extractMultipartFile(body, type, 'file');
    expect(file.filename).toBe('cover.png');
    expect(file.data.equals(data)).toBe(true);
  });

  it('takes an empty file as an empty buffer', () => {
    const file = extractMultipartFile(
      form([{ name: 'file', filename: 'a', data: '' }]),
      type,
      'file',
    );
    expect(file.data.length).toBe(0);
  });

  it.each([
    [
      'no boundary parameter',
      form([{ name: 'file', data: png }]),
      'multipart/form-data',
      /boundary/,
    ],
    ['another boundary', form([{ name: 'file', data: png }], 'other'), type, /boundary/],
    ['no file field', form([{ name: 'picture', data: png }]), type, /no file in field "file"/],
    [
      'two files',
      form([
        { name: 'file', data: png },
        { name: 'file', data: jpeg },
      ]),
      type,
      /one file/,
    ],
    ['truncated', form([{ name: 'file', data: png }]).subarray(0, 60), type, /ends before|header/],
    ['garbage after the boundary', Buffer.from('--XyZ123garbage'), type, /malformed/],
  ])('refuses %s', (_name, body, contentType, message) => {
    expect(() => extractMultipartFile(body, contentType, 'file')).toThrow(MultipartError);
    expect(() => extractMultipartFile(body, contentType, 'file')).toThrow(message);
  });
});

describe('cover variants', () => {
  it.each([
    [2400, [480, 960, 1440]],
    [1441, [480, 960, 1440]],
    [1440, [480, 960]],
    [960, [480]],
    [481, [480]],
    [480, []],
    [40, []],
  ])('a cover %i px wide gets the narrower widths %j', (width, widths) => {
    expect(coverVariantWidths(width)).toEqual(widths);
  });

  it.each([
    [{ width: 2400, height: 600 }, 480, { width: 480, height: 120 }],
    [{ width: 1000, height: 333 }, 480, { width: 480, height: 160 }],
    [{ width: 2400, height: 3 }, 480, { width: 480, height: 1 }],
  ])('scales %j to %i px keeping its aspect ratio', (stored, width, size) => {
    expect(coverVariantSize(stored, width)).toEqual(size);
  });
});
