import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isUpload, registerUploadRoutes, uploadedFile } from '../../common/http/upload-parser';
import { ImageTooLargeError, InvalidImageError } from './campaigns.errors';
import type { CoverUpload } from './campaigns.types';
import { COVER_MAX_BYTES, NOT_AN_IMAGE, sniffImage } from './cover-image';
import { words } from '../../common/i18n/i18n';

export const COVER_CONTENT_TYPES = ['multipart/form-data', 'image/png', 'image/jpeg', 'image/webp'];
export const COVER_ROUTE = '/api/v1/campaigns/:id/cover';
/** The back office's upload form: a multipart form whose `_csrf` field the CSRF guard checks. */
export const COVER_PAGE_ROUTE = '/admin/campaigns/:id/cover';

/**
 * The cover routes (the API's, and the back office's form) take a multipart form or a raw image
 * body through the app's one upload parser (src/common/http/upload-parser.ts), buffered with a
 * limit of twice the largest image.
 */
registerUploadRoutes(
  { url: COVER_ROUTE, rawTypes: COVER_CONTENT_TYPES.slice(1), maxBytes: COVER_MAX_BYTES },
  {
    url: COVER_PAGE_ROUTE,
    rawTypes: COVER_CONTENT_TYPES.slice(1),
    maxBytes: COVER_MAX_BYTES,
    pageForm: true,
  },
);

export function isCoverUpload(body: unknown): body is CoverUpload {
  return isUpload(body);
}

/** The body of a cover upload as UploadParser left it, or a 415 naming what to send. */
export const CoverBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CoverUpload => {
    const body = context.switchToHttp().getRequest<FastifyRequest>().body;
    if (isCoverUpload(body)) return body;
    throw new InvalidImageError(words('errors.campaigns.sendImage'));
  },
);

/**
 * The image bytes of an upload (the multipart form's `file`, or the raw body), refused before
 * anything is decoded or written when too large or not a PNG, JPEG or WebP by its magic bytes.
 */
export function coverUploadBytes(upload: CoverUpload): Buffer {
  const { data } = uploadedFile(upload, 'file');
  if (data.length > COVER_MAX_BYTES) {
    throw new ImageTooLargeError(
      words('errors.campaigns.imageTooLarge', { size: `${Math.ceil(data.length / 1024)} KB` }),
    );
  }
  if (!sniffImage(data)) throw new InvalidImageError(NOT_AN_IMAGE);
  return data;
}
