/**
 * Cover images: what counts as an image (magic bytes, never the client's word), how stored files
 * are named, and a small parser for a buffered multipart/form-data body. Pure: no Nest, no I/O.
 */
export const COVER_MAX_BYTES = 2 * 1024 * 1024;

export const COVER_FORMATS = {
  png: { extension: 'png', mime: 'image/png' },
  jpeg: { extension: 'jpg', mime: 'image/jpeg' },
  webp: { extension: 'webp', mime: 'image/webp' },
} as const;
export type CoverFormat = keyof typeof COVER_FORMATS;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The image format from the file's first bytes, or null when it is not PNG, JPEG or WebP. */
export function sniffImage(data: Uint8Array): CoverFormat | null {
  const starts = (bytes: readonly number[], at = 0) =>
    data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);
  if (starts(PNG)) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  return null;
}

/** Stored names are 128 random bits in hex plus the sniffed extension: nothing from the client. */
export const UPLOAD_NAME = /^[0-9a-f]{32}\.(png|jpg|webp)$/;

export function uploadName(randomHex: string, format: CoverFormat): string {
  return `${randomHex}.${COVER_FORMATS[format].extension}`;
}

export function mimeOfUpload(name: string): string | null {
  const match = UPLOAD_NAME.exec(name);
  if (!match) return null;
  const format = Object.values(COVER_FORMATS).find((f) => f.extension === match[1]);
  return format?.mime ?? null;
}

export class MultipartError extends Error {}

export interface MultipartFile {
  field: string;
  filename: string | null;
  data: Buffer;
}

/** The boundary of a multipart/form-data content type, or null. */
export function multipartBoundary(contentType: string): string | null {
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

interface MultipartPart {
  name: string | undefined;
  filename: string | undefined;
  data: Buffer;
}

/** The parts of a buffered multipart/form-data body (RFC 7578), in order. */
function multipartParts(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = multipartBoundary(contentType);
  if (!boundary) {
    throw new MultipartError('multipart/form-data needs a boundary parameter in Content-Type');
  }
  const delimiter = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw new MultipartError('the multipart body does not contain its boundary');
  pos += delimiter.length;
  const parts: MultipartPart[] = [];
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the closing delimiter
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) {
      throw new MultipartError('the multipart body is malformed after a boundary');
    }
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1 || headerEnd - pos > 8192) {
      throw new MultipartError('a multipart part has no header block');
    }
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const contentStart = headerEnd + 4;
    const next = body.indexOf(separator, contentStart);
    if (next === -1) throw new MultipartError('the multipart body ends before its last boundary');
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    parts.push({
      name: /;\s*name="([^"]*)"/i.exec(disposition)?.[1],
      filename: /;\s*filename="([^"]*)"/i.exec(disposition)?.[1],
      data: body.subarray(contentStart, next),
    });
    pos = next + separator.length;
  }
  return parts;
}

/**
 * The one file part named `field` of a buffered multipart/form-data body (RFC 7578). Other text
 * fields are ignored; a second file under the same name, a missing one, or a body that does not
 * follow the format is refused with a message for the person uploading.
 */
export function extractMultipartFile(
  body: Buffer,
  contentType: string,
  field: string,
): MultipartFile {
  const named = multipartParts(body, contentType).filter((p) => p.name === field);
  if (named.length > 1) throw new MultipartError(`send one file in field "${field}", not several`);
  const [found] = named;
  if (!found) throw new MultipartError(`the form has no file in field "${field}"`);
  return { field, filename: found.filename ?? null, data: found.data };
}

/** A short text field of a multipart/form-data body (e.g. a form's CSRF token), or null. */
export function multipartTextField(body: Buffer, contentType: string, name: string): string | null {
  try {
    const part = multipartParts(body, contentType).find((p) => p.name === name && !p.filename);
    return part && part.data.length <= 1024 ? part.data.toString('utf8') : null;
  } catch (error) {
    if (error instanceof MultipartError) return null; // the upload itself reports the problem
    throw error;
  }
}
