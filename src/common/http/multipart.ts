/**
 * A small parser for a buffered multipart/form-data body (RFC 7578): the one file of an upload
 * form and its short text fields (the CSRF token). Pure: no Nest, no I/O. Bodies are buffered
 * with a limit by UploadParser (upload-parser.ts) before they get here.
 */
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

/**
 * The text fields of a buffered multipart/form-data body (the parts without a file name), each at
 * most `maxBytes`; the first of a repeated name wins. A malformed body gives no fields (the file
 * check reports the problem).
 */
export function multipartFields(
  body: Buffer,
  contentType: string,
  maxBytes = 16 * 1024,
): Record<string, string> {
  const fields: Record<string, string> = {};
  try {
    for (const part of multipartParts(body, contentType)) {
      if (part.filename !== undefined || !part.name || part.data.length > maxBytes) continue;
      if (Object.hasOwn(fields, part.name)) continue;
      fields[part.name] = part.data.toString('utf8');
    }
  } catch (error) {
    if (!(error instanceof MultipartError)) throw error;
  }
  return fields;
}
