import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { COVER_MAX_BYTES } from './cover-image';
import type { CoverUpload } from './campaigns.types';

export const COVER_CONTENT_TYPES = ['multipart/form-data', 'image/png', 'image/jpeg', 'image/webp'];
export const COVER_ROUTE = '/api/v1/campaigns/:id/cover';

/**
 * Lets the cover route take a multipart form or a raw image body, buffered with a limit of twice
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
          if (request.routeOptions.url !== COVER_ROUTE) {
            done(unsupported(request.headers['content-type']));
            return;
          }
          const upload: CoverUpload = {
            contentType: request.headers['content-type'] ?? type,
            body,
          };
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
