import {
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationFailedError } from '../../common/errors';
import { ImageTooLargeError, InvalidImageError } from './campaigns.errors';
import type { CoverUpload } from './campaigns.types';
import {
  COVER_MAX_BYTES,
  extractMultipartFile,
  MultipartError,
  multipartTextField,
  NOT_AN_IMAGE,
  sniffImage,
} from './cover-image';

export const COVER_CONTENT_TYPES = ['multipart/form-data', 'image/png', 'image/jpeg', 'image/webp'];
export const COVER_ROUTE = '/api/v1/campaigns/:id/cover';
/** The back office's upload form: a multipart form whose `_csrf` field the CSRF guard checks. */
export const COVER_PAGE_ROUTE = '/admin/campaigns/:id/cover';

/**
 * Lets the cover routes (the API's, and the back office's form) take a multipart form or a raw image body, buffered with a limit of twice
 * the largest image (so a slightly oversized file gets the service's clear 413, and a huge one
 * Fastify's). Registered on the root instance because Nest does not expose per-route parsers, and
 * scoped by hand: on any other route these content types stay unsupported (415), as before.
 * @fastify/multipart would add a dependency for one buffered file of at most 2 MB.
 */
@Injectable()
export class CoverUploadParser implements OnModuleInit {
  private readonly logger = new Logger(CoverUploadParser.name);

  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    // The CLI and the worker run without an HTTP server.
    const adapter = this.host.httpAdapter as { getInstance?: () => unknown } | undefined;
    const fastify = adapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.addContentTypeParser) return;
    for (const type of COVER_CONTENT_TYPES) {
      if (fastify.hasContentTypeParser(type)) {
        this.logger.warn(`a parser for ${type} already exists; cover uploads keep using it`);
        continue;
      }
      fastify.addContentTypeParser(
        type,
        { parseAs: 'buffer', bodyLimit: 2 * COVER_MAX_BYTES },
        (
          request: FastifyRequest,
          body: Buffer,
          done: (err: Error | null, body?: unknown) => void,
        ) => {
          const route = request.routeOptions.url;
          if (route !== COVER_ROUTE && route !== COVER_PAGE_ROUTE) {
            done(unsupported(request.headers['content-type']));
            return;
          }
          const contentType = request.headers['content-type'] ?? type;
          const upload: CoverUpload & { _csrf?: string } = { contentType, body };
          if (route === COVER_PAGE_ROUTE) {
            const token = multipartTextField(body, contentType, '_csrf');
            if (token) upload._csrf = token;
          }
          done(null, upload);
        },
      );
    }
  }
}

function unsupported(contentType: string | undefined): Error {
  return Object.assign(new Error(`Unsupported Media Type: ${contentType ?? 'none'}`), {
    statusCode: 415,
    code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  });
}

export function isCoverUpload(body: unknown): body is CoverUpload {
  return (
    typeof body === 'object' &&
    body !== null &&
    Buffer.isBuffer((body as CoverUpload).body) &&
    typeof (body as CoverUpload).contentType === 'string'
  );
}

/** The body of a cover upload as CoverUploadParser left it, or a 415 naming what to send. */
export const CoverBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CoverUpload => {
    const body = context.switchToHttp().getRequest<FastifyRequest>().body;
    if (isCoverUpload(body)) return body;
    throw new InvalidImageError(
      'file: send the image as multipart/form-data (field "file") or as a raw image/png, image/jpeg or image/webp body.',
    );
  },
);

/**
 * The image bytes of an upload (the multipart form's `file`, or the raw body), refused before
 * anything is decoded or written when too large or not a PNG, JPEG or WebP by its magic bytes.
 */
export function coverUploadBytes(upload: CoverUpload): Buffer {
  const data = coverBytes(upload);
  if (data.length > COVER_MAX_BYTES) {
    throw new ImageTooLargeError(
      `file is ${data.length} bytes; a cover image may be at most ${COVER_MAX_BYTES} bytes (2 MB).`,
    );
  }
  if (!sniffImage(data)) throw new InvalidImageError(NOT_AN_IMAGE);
  return data;
}

function coverBytes(upload: CoverUpload): Buffer {
  if (!/^multipart\/form-data/i.test(upload.contentType)) return upload.body;
  try {
    return extractMultipartFile(upload.body, upload.contentType, 'file').data;
  } catch (error) {
    if (error instanceof MultipartError) {
      throw new ValidationFailedError(`file: ${error.message}`);
    }
    throw error;
  }
}
