import sharp from 'sharp';
import { InvalidAttachmentError } from '../grants.errors';
import { ATTACHMENT_MAX_PIXELS, type AttachmentContentType } from './attachment-rules';

sharp.cache(false);

const UNREADABLE =
  'file could not be read as an image (it is damaged, cut short or not really a PNG, JPEG or WebP); save it again and upload it once more.';

const FORMAT: Record<Exclude<AttachmentContentType, 'application/pdf'>, keyof sharp.FormatEnum> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
};

/**
 * Decodes an image attachment and encodes its pixels again in the same format (as cover images
 * are, cover-transcoder.ts): a file whose header is an image but whose body is not is refused, and
 * what is stored is an image this code wrote (no EXIF with the GPS position, no trailing data).
 * The size is kept so an invoice photo stays legible.
 */
export async function reencodeImage(
  data: Buffer,
  type: Exclude<AttachmentContentType, 'application/pdf'>,
): Promise<Buffer> {
  const format = FORMAT[type];
  let meta: sharp.Metadata;
  try {
    meta = await sharp(data, { failOn: 'truncated', limitInputPixels: false }).metadata();
  } catch {
    throw new InvalidAttachmentError(UNREADABLE);
  }
  if (meta.format !== format) throw new InvalidAttachmentError(UNREADABLE);
  const { width, height } = meta.autoOrient;
  if (!width || !height || width * height > ATTACHMENT_MAX_PIXELS) {
    throw new InvalidAttachmentError(
      `file is ${width ?? '?'} × ${height ?? '?'} pixels; an image may have at most ${ATTACHMENT_MAX_PIXELS / 1_000_000} million pixels.`,
    );
  }
  try {
    const pipeline = sharp(data, { failOn: 'truncated', limitInputPixels: ATTACHMENT_MAX_PIXELS })
      .autoOrient()
      .timeout({ seconds: 30 });
    const out =
      format === 'png'
        ? pipeline.png({ compressionLevel: 9 })
        : format === 'jpeg'
          ? pipeline.jpeg({ quality: 88, mozjpeg: true })
          : pipeline.webp({ quality: 88 });
    return await out.toBuffer();
  } catch {
    throw new InvalidAttachmentError(UNREADABLE);
  }
}
