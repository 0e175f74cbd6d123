import { words } from '../../common/i18n/i18n';
import sharp from 'sharp';
import {
  COVER_MAX_PIXELS,
  coverDimensionsProblem,
  coverVariantSize,
  coverVariantWidths,
  NOT_AN_IMAGE,
  sniffImage,
  type StoredCoverFormat,
  storedCoverFormat,
  storedCoverSize,
} from './cover-image';
import { ImageTooLargeError, ImageUnreadableError, InvalidImageError } from './campaigns.errors';

// Files are decoded once each; libvips' operation cache would only hold on to their memory.
sharp.cache(false);

export interface CoverVariant {
  data: Buffer;
  width: number;
  height: number;
}

export interface StoredCover extends CoverVariant {
  format: StoredCoverFormat;
  /** Narrower copies for `srcset` (coverVariantWidths), narrowest first. */
  variants: CoverVariant[];
}

const UNREADABLE = words('errors.campaigns.imageUnreadable');

/**
 * Decodes an uploaded cover and encodes its pixels again, so that what is stored and served is an
 * image this code wrote: nothing else in the upload survives (HTML or scripts after the image or in
 * its text chunks, EXIF with the GPS position, colour profiles, comments). The magic bytes limit
 * which decoder runs (PNG, JPEG, WebP only: never SVG, TIFF or the others libvips reads); the
 * header's dimensions are checked before a pixel is decoded; a file that does not decode to the
 * end is refused rather than stored half grey.
 */
export async function transcodeCover(data: Buffer): Promise<StoredCover> {
  const sniffed = sniffImage(data);
  if (!sniffed) {
    throw new InvalidImageError(NOT_AN_IMAGE);
  }
  const options: sharp.SharpOptions = { failOn: 'truncated', limitInputPixels: COVER_MAX_PIXELS };
  let meta: sharp.Metadata;
  try {
    // Reads the header only, so the pixel limit is checked below with a message in words.
    meta = await sharp(data, { ...options, limitInputPixels: false }).metadata();
  } catch {
    throw new ImageUnreadableError(UNREADABLE);
  }
  if (meta.format !== sniffed) throw new ImageUnreadableError(UNREADABLE);
  // Sizes after EXIF orientation, which is applied to the pixels before the EXIF goes.
  const { width, height } = meta.autoOrient;
  const problem = coverDimensionsProblem(width, height);
  if (problem) {
    throw problem.code === 'IMAGE_TOO_LARGE'
      ? new ImageTooLargeError(problem.words)
      : new ImageUnreadableError(problem.words);
  }
  const format = storedCoverFormat(meta.hasAlpha);
  const size = storedCoverSize(width, height);
  try {
    const pipeline = sharp(data, options)
      .autoOrient()
      .resize(size.width, size.height, { fit: 'fill' })
      .timeout({ seconds: 20 });
    const { data: out, info } = await encode(pipeline, format).toBuffer({
      resolveWithObject: true,
    });
    const stored = { width: info.width, height: info.height };
    // From the re-encoded cover, not the upload: the copies hold nothing the cover does not.
    const variants: CoverVariant[] = [];
    for (const width of coverVariantWidths(stored.width)) {
      const target = coverVariantSize(stored, width);
      const resized = sharp(out).resize(target.width, target.height, { fit: 'fill' });
      variants.push({ data: await encode(resized, format).toBuffer(), ...target });
    }
    return { data: out, format, ...stored, variants };
  } catch {
    throw new ImageUnreadableError(UNREADABLE);
  }
}

function encode(pipeline: sharp.Sharp, format: StoredCoverFormat): sharp.Sharp {
  return format === 'png'
    ? pipeline.png({ compressionLevel: 9, adaptiveFiltering: true })
    : pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 85, mozjpeg: true });
}
