import sharp from 'sharp';
import { InvalidAttachmentError } from '../grants.errors';
import { ATTACHMENT_MAX_PIXELS, type AttachmentContentType } from './attachment-rules';
import { words } from '../../../common/i18n/i18n';

sharp.cache(false);

const UNREADABLE = words('errors.grants.imageUnreadable');

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
      words('errors.grants.attachmentPixels', {
        width: width ?? '?',
        height: height ?? '?',
        max: ATTACHMENT_MAX_PIXELS / 1_000_000,
      }),
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
