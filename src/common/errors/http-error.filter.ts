import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DomainError, errorText } from './domain-error';
import { ERROR_HTTP_STATUS } from './error-codes';
import { LOCALE_COOKIE } from '../http/cookies';
import { pickLocale, type SupportedLocale, translate, type Words, say } from '../i18n/i18n';
import { type Problem, problemText } from '../i18n/validation-text';

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string | string[];
  /** Machine-readable facts about a domain error (e.g. the donation to resume), when it has any. */
  details?: Record<string, unknown>;
  requestId?: string;
}

/** Nest's HttpException statuses mapped to a stable code for clients that do not read messages. */
const HTTP_CODES: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  431: 'REQUEST_HEADERS_TOO_LARGE',
};

/** Requests answered in JSON; everything else is a page and gets an HTML answer. */
export function wantsJson(url: string): boolean {
  return /^\/(api|health|webhooks)(\/|$|\?)/.test(url);
}

/**
 * One filter answers every error. JSON routes get the shape DESIGN.md fixes:
 * { statusCode, error, code, message }. Pages get a rendered error page, or a redirect to sign-in
 * when the visitor is not signed in. Unknown errors become a 500 with a request id, logged once.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const json = wantsJson(request.url);
    const locale = json ? apiLocale(request) : pageErrorLocale(request);
    const body = toErrorBody(exception, request.id, locale, json ? 'api' : 'page');
    if (exception instanceof DomainError && body.statusCode >= 500) {
      // A deliberate "unavailable" (a busy payment provider): a line, not a stack.
      this.logger.warn(
        `${request.method} ${request.url}: ${exception.code} (request ${request.id})`,
      );
    } else if (body.statusCode >= 500) {
      this.logger.error(
        `${request.method} ${request.url} failed (request ${request.id})`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (json) {
      void reply.status(body.statusCode).header('content-language', locale).send(body);
      return;
    }
    if (body.code === 'UNAUTHENTICATED' && request.method === 'GET') {
      const login = request.url.startsWith('/donor') ? '/donor/login' : '/login';
      void reply.redirect(`${login}?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    const view = {
      locale,
      otherLocale: locale === 'en' ? 'zh-CN' : 'en',
      statusCode: body.statusCode,
      // The status in the reader's language ("页面不存在"), else the HTTP reason phrase.
      title: statusTitle(locale, body.statusCode, body.error),
      code: body.code,
      messages: Array.isArray(body.message) ? body.message : [body.message],
      requestId: body.statusCode >= 500 ? request.id : undefined,
    };
    void reply.viewAsync('pages/error', view).then(
      (html) => reply.status(body.statusCode).type('text/html; charset=utf-8').send(html),
      () =>
        reply
          .status(body.statusCode)
          .type('text/plain; charset=utf-8')
          .send(view.messages.join('\n')),
    );
  }
}

/**
 * The JSON API's language: Accept-Language when it names Chinese or English, else English (the
 * API's documented language; `code` is the same in both).
 */
export function apiLocale(request: FastifyRequest): SupportedLocale {
  return pickLocale(undefined, request.headers['accept-language'], 'en');
}

/** An error page's language: as every page's (?lang=, the remembered choice, Accept-Language). */
function pageErrorLocale(request: FastifyRequest): SupportedLocale {
  return pickLocale(
    (request.query as Record<string, unknown> | undefined)?.lang,
    request.headers['accept-language'],
    'zh-CN',
    (request.cookies as Record<string, string | undefined> | undefined)?.[LOCALE_COOKIE],
  );
}

/** What a thrown HttpException carried: our own `{ code, message, problems?, words? }` or Nest's. */
interface HttpExceptionBody {
  code?: unknown;
  message?: string | string[];
  /** Failed class-validator checks (validation.ts), shown in the reader's words. */
  problems?: Problem[];
  /** The message as Words (a locale key and values). */
  words?: Words;
}

/**
 * The answer for any error, in the reader's language: a domain error's words, validation problems
 * as locale texts (English API clients keep the DTOs' messages), and Nest's own exceptions ("Cannot
 * GET /x") as the status's plain words (`errors.http.<status>`).
 */
export function toErrorBody(
  exception: unknown,
  requestId?: string,
  locale: SupportedLocale = 'en',
  audience: 'api' | 'page' = 'api',
): ErrorBody {
  if (exception instanceof DomainError) {
    const statusCode = ERROR_HTTP_STATUS[exception.code];
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      code: exception.code,
      message: errorText(exception, locale),
      ...(exception.details ? { details: exception.details } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const raw = exception.getResponse();
    const response: HttpExceptionBody = typeof raw === 'object' && raw !== null ? raw : {};
    const ours = response.code !== undefined;
    const code = ours ? String(response.code) : (HTTP_CODES[statusCode] ?? 'HTTP_ERROR');
    let message: string | string[] = response.message ?? exception.message;
    if (response.problems) {
      message = response.problems.map((p) => problemText(p, locale, audience));
    } else if (response.words && !(audience === 'api' && locale === 'en' && response.message)) {
      // English API clients keep the message written for them (field names as the API spells them).
      message = say(locale, response.words);
    } else if (!ours && (audience === 'page' || locale !== 'en')) {
      message = translate(locale, httpStatusWords(statusCode).key);
    }
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message };
  }
  const database = databaseErrorBody(exception, locale);
  if (database) return database;
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
  if (
    typeof fastifyError?.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    // Fastify's own client errors (malformed JSON, body too large, wrong content type).
    const statusCode = fastifyError.statusCode;
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      code: HTTP_CODES[statusCode] ?? 'HTTP_ERROR',
      message:
        audience === 'api' && locale === 'en'
          ? (fastifyError.message ?? 'Bad request')
          : translate(locale, httpStatusWords(statusCode).key),
    };
  }
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: 'Internal Server Error',
    code: 'INTERNAL_ERROR',
    message: translate(locale, 'errors.internal', { requestId: requestId ?? 'unknown' }),
    requestId,
  };
}

/** The plain words for an HTTP status (`errors.http.404`), or the generic 4xx words. */
function httpStatusWords(statusCode: number): Words {
  const key = `errors.http.${statusCode}`;
  return { key: translate('en', key) === key ? 'errors.http.other' : key };
}

/**
 * The last line against a 500 for bad input: PostgreSQL's data exceptions (class 22: malformed or
 * out-of-range values) and integrity violations the services did not foresee become 4xx.
 */
function databaseErrorBody(exception: unknown, locale: SupportedLocale): ErrorBody | null {
  const e = exception as { code?: unknown; name?: string; driverError?: { code?: unknown } };
  const code =
    typeof e?.code === 'string'
      ? e.code
      : typeof e?.driverError?.code === 'string'
        ? e.driverError.code
        : '';
  if (!/^(22|23)[0-9A-Z]{3}$/.test(code)) return null;
  if (code === '23505' || code === '23503') {
    return {
      statusCode: 409,
      error: 'Conflict',
      code: 'CONFLICT',
      message: translate(locale, 'errors.databaseConflict'),
    };
  }
  return {
    statusCode: 400,
    error: 'Bad Request',
    code: 'VALIDATION_FAILED',
    message: translate(locale, 'errors.databaseValue'),
  };
}

function statusTitle(locale: SupportedLocale, statusCode: number, fallback: string): string {
  const key = `error.status.${statusCode}`;
  const text = translate(locale, key);
  return text === key ? fallback : text;
}
