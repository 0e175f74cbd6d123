import {
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ValidationFailedError } from '../errors';
import { extractMultipartFile, MultipartError, multipartTextField } from './multipart';
import { words } from '../i18n/i18n';

/** One route that takes a file: a raw body of one of `rawTypes`, or a multipart form. */
export interface UploadRoute {
  /** The route as Fastify registered it, e.g. `/api/v1/campaigns/:id/cover`. */
  url: string;
  /** Raw body types taken besides multipart/form-data (`image/*` matches any image type). */
  rawTypes: readonly string[];
  /**
   * The largest file the route keeps. Bodies up to twice this are buffered, so a slightly
   * oversized file gets the service's clear 413 in words, a huge one a plain 413 here.
   */
  maxBytes: number;
  /** A back-office form: its multipart `_csrf` field is lifted onto the body for the CSRF guard. */
  pageForm?: boolean;
}

/** A buffered upload as UploadParser leaves it on `request.body`. */
export interface Upload {
  contentType: string;
  body: Buffer;
  /** The client's file name: the multipart part's, or `X-File-Name` / `?name=` for a raw body. */
  fileName?: string;
  _csrf?: string;
}

const ROUTES = new Map<string, UploadRoute>();

/**
 * Adds upload routes to the registry (called once, at import, by the module that owns them). The
 * one parser serves them all; on any route not registered here these content types stay
 * unsupported (415), as before.
 */
export function registerUploadRoutes(...routes: UploadRoute[]): void {
  for (const route of routes) ROUTES.set(route.url, route);
}

export function uploadRoute(url: string | undefined): UploadRoute | undefined {
  return url ? ROUTES.get(url) : undefined;
}

/** The media types the parser is installed for: any upload route's type must be among them. */
const PARSED_TYPES: (string | RegExp)[] = [
  'multipart/form-data',
  'application/pdf',
  /^image\/[\w.+-]+$/i,
];

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function accepts(route: UploadRoute, contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  if (type === 'multipart/form-data') return true;
  return route.rawTypes.some((t) =>
    t.endsWith('/*') ? type.startsWith(t.slice(0, -1)) && type.length > t.length - 1 : t === type,
  );
}

function httpError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

const installed = new WeakSet<object>();

/**
 * The app's one upload parser: lets registered routes take a multipart form (one file) or a raw
 * file body, buffered with the route's own limit. Registered on the root instance because Nest does
 * not expose per-route parsers, and scoped by hand to the registry. @fastify/multipart would add a
 * dependency for one buffered file. Any module may provide it; it installs once per server.
 */
@Injectable()
export class UploadParser implements OnModuleInit {
  private readonly logger = new Logger(UploadParser.name);

  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    // The CLI and the worker run without an HTTP server.
    const adapter = this.host.httpAdapter as { getInstance?: () => unknown } | undefined;
    const fastify = adapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.addContentTypeParser || installed.has(fastify)) return;
    installed.add(fastify);
    for (const type of PARSED_TYPES) {
      if (typeof type === 'string' && fastify.hasContentTypeParser(type)) {
        this.logger.warn(`a parser for ${type} already exists; uploads keep using it`);
        continue;
      }
      fastify.addContentTypeParser(type, (request: FastifyRequest, payload: Readable, done) => {
        const route = uploadRoute(request.routeOptions.url);
        const contentType = request.headers['content-type'];
        if (!route || !accepts(route, contentType)) {
          payload.resume();
          done(
            httpError(
              415,
              'FST_ERR_CTP_INVALID_MEDIA_TYPE',
              `Unsupported Media Type: ${contentType ?? 'none'}`,
            ),
          );
          return;
        }
        readLimited(payload, 2 * route.maxBytes, request.headers['content-length']).then(
          (body) => done(null, toUpload(request, route, contentType ?? '', body)),
          (error: Error) => done(error),
        );
      });
    }
  }
}

function readLimited(
  payload: Readable,
  limit: number,
  declared: string | undefined,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      httpError(413, 'FST_ERR_CTP_BODY_TOO_LARGE', `Request body is larger than ${limit} bytes.`);
    if (declared && Number(declared) > limit) {
      payload.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    payload.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    payload.on('error', (error) => {
      if (!failed) reject(error);
      failed = true;
    });
  });
}

function toUpload(
  request: FastifyRequest,
  route: UploadRoute,
  contentType: string,
  body: Buffer,
): Upload {
  const upload: Upload = { contentType, body };
  if (mediaType(contentType) !== 'multipart/form-data') {
    const header = request.headers['x-file-name'];
    const query = (request.query as Record<string, unknown> | undefined)?.name;
    const name = typeof header === 'string' ? safeDecode(header) : query;
    if (typeof name === 'string' && name) upload.fileName = name;
  }
  if (route.pageForm && mediaType(contentType) === 'multipart/form-data') {
    const token = multipartTextField(body, contentType, '_csrf');
    if (token) upload._csrf = token;
  }
  return upload;
}

/** The header's percent-encoded name, decoded; control characters go (the name is cleaned later too). */
function safeDecode(value: string): string {
  let name = value;
  try {
    name = decodeURIComponent(value);
  } catch {
    // not percent-encoded: taken as it is
  }
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, '');
}

export function isUpload(body: unknown): body is Upload {
  return (
    typeof body === 'object' &&
    body !== null &&
    Buffer.isBuffer((body as Upload).body) &&
    typeof (body as Upload).contentType === 'string'
  );
}

/** The body of an upload as UploadParser left it, or null when the request carried none. */
export const UploadBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Upload | null => {
    const body = context.switchToHttp().getRequest<FastifyRequest>().body;
    return isUpload(body) ? body : null;
  },
);

/**
 * The file of an upload: the multipart form's one file in `field` (with its file name), or the raw
 * body. A malformed form is a 400 in words.
 */
export function uploadedFile(
  upload: Upload,
  field = 'file',
): { data: Buffer; fileName: string | null } {
  if (mediaType(upload.contentType) !== 'multipart/form-data') {
    return { data: upload.body, fileName: upload.fileName ?? null };
  }
  try {
    const file = extractMultipartFile(upload.body, upload.contentType, field);
    return { data: file.data, fileName: file.filename };
  } catch (error) {
    if (error instanceof MultipartError) {
      throw new ValidationFailedError(words('errors.common.badUpload', { field }), {
        problem: error.message,
      });
    }
    throw error;
  }
}
