/**
 * Cover images: what counts as an image (magic bytes, never the client's word, then a full decode
 * in cover-transcoder.ts), their size limits and stored formats and how stored files are named.
 * Pure: no Nest, no I/O.
 */
import { words, type Words } from '../../common/i18n/i18n';
export const COVER_MAX_BYTES = 2 * 1024 * 1024;
/**
 * Pixels a cover may declare. Checked from the header before any decoding: a PNG of zeros
 * compresses about 1000:1, so 2 MB could otherwise unpack into gigabytes (a decompression bomb).
 * 36 MP is 6000 × 6000, more than any camera photo that fits in 2 MB.
 */
export const COVER_MAX_PIXELS = 36_000_000;
/** Stored covers fit in this many pixels on their long side (pages show them far smaller). */
export const COVER_MAX_EDGE = 2400;

export const COVER_FORMATS = {
  png: { extension: 'png', mime: 'image/png' },
  jpeg: { extension: 'jpg', mime: 'image/jpeg' },
  webp: { extension: 'webp', mime: 'image/webp' },
} as const;
export type CoverFormat = keyof typeof COVER_FORMATS;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const NOT_AN_IMAGE = words('errors.campaigns.notAnImage');

/** The image format from the file's first bytes, or null when it is not PNG, JPEG or WebP. */
export function sniffImage(data: Uint8Array): CoverFormat | null {
  const starts = (bytes: readonly number[], at = 0) =>
    data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);
  if (starts(PNG)) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  return null;
}

export interface CoverProblem {
  code: 'IMAGE_TOO_LARGE' | 'IMAGE_UNREADABLE';
  words: Words;
}

/** Why an image of these dimensions is refused, or null when it may be decoded. */
export function coverDimensionsProblem(width: number, height: number): CoverProblem | null {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    return { code: 'IMAGE_UNREADABLE', words: words('errors.campaigns.imageNoSize') };
  }
  if (width * height > COVER_MAX_PIXELS) {
    return {
      code: 'IMAGE_TOO_LARGE',
      words: words('errors.campaigns.imagePixels', {
        width: String(width),
        height: String(height),
        max: COVER_MAX_PIXELS / 1_000_000,
      }),
    };
  }
  return null;
}

/**
 * Every cover is written again in one of two formats: PNG where it has transparency to keep,
 * JPEG otherwise (photos). WebP uploads are read but never stored as WebP (mail clients).
 */
export type StoredCoverFormat = Extract<CoverFormat, 'png' | 'jpeg'>;

export function storedCoverFormat(hasAlpha: boolean): StoredCoverFormat {
  return hasAlpha ? 'png' : 'jpeg';
}

/** The stored size that fits inside COVER_MAX_EDGE, keeping the aspect ratio (never enlarged). */
export function storedCoverSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, COVER_MAX_EDGE / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Narrower copies written beside each stored cover for `srcset` (phones fetch a fraction of the
 * bytes): only the widths narrower than the stored cover, which is the widest source itself.
 */
export const COVER_VARIANT_WIDTHS = [480, 960, 1440] as const;

export function coverVariantWidths(storedWidth: number): number[] {
  return COVER_VARIANT_WIDTHS.filter((width) => width < storedWidth);
}

/** A variant's size: the stored cover scaled to `width`, keeping its aspect ratio. */
export function coverVariantSize(
  stored: { width: number; height: number },
  width: number,
): { width: number; height: number } {
  return { width, height: Math.max(1, Math.round((stored.height * width) / stored.width)) };
}

/**
 * Stored names are 128 random bits in hex plus the sniffed extension: nothing from the client. A
 * variant adds `-w<width>` for one of COVER_VARIANT_WIDTHS; no other name is ever served.
 */
export const UPLOAD_NAME = new RegExp(
  `^[0-9a-f]{32}(?:-w(?:${COVER_VARIANT_WIDTHS.join('|')}))?\\.(png|jpg|webp)$`,
);

export function uploadName(randomHex: string, format: CoverFormat): string {
  return `${randomHex}.${COVER_FORMATS[format].extension}`;
}

/** `<base>-w<width>.<ext>` beside the stored cover `<base>.<ext>`. */
export function coverVariantName(name: string, width: number): string {
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}-w${width}${name.slice(dot)}`;
}

export function mimeOfUpload(name: string): string | null {
  const match = UPLOAD_NAME.exec(name);
  if (!match) return null;
  const format = Object.values(COVER_FORMATS).find((f) => f.extension === match[1]);
  return format?.mime ?? null;
}

// The multipart parser moved to src/common/http/multipart.ts (one upload parser for the app).
export {
  extractMultipartFile,
  MultipartError,
  multipartBoundary,
  type MultipartFile,
  multipartTextField,
} from '../../common/http/multipart';
