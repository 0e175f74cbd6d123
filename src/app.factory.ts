import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import { RequestContext } from './common/context/request-context';
import { logLevelsFrom } from './common/logging/logger';
import { createNestLogger } from './common/logging/nest-logger';
import { logRequest, onAnsweredRequest } from './common/logging/request-log';
import { HttpErrorFilter } from './common/errors/http-error.filter';
import { issueCsrfCookie, readCsrfToken } from './common/http/csrf';
import { compressAnswer } from './common/page-cache/compression';
import { InFlightRequests } from './common/shutdown/in-flight-requests';
import { installPageCache } from './common/page-cache/page-cache.hooks';
import { PageCache } from './common/page-cache/page-cache.module';
import { FRAMEABLE_ROUTE, withFrameAncestors } from './common/http/frame-policy';
import { ProxyHint } from './common/http/proxy-hint';
import { refuseMalformedInput } from './common/http/input-guard';
import { AppConfig } from './config/app-config';
import { Metrics } from './modules/metrics/metrics.service';
import { buildValidationPipe } from './common/http/validation';
import { rememberLanguage } from './common/http/language-cookie';
import { templatesDir } from './common/paths';
import { answerClientError } from './common/http/client-errors';
import { PLAIN_MAX_AGE, serveFingerprintedAssets } from './common/views/assets';
import { createHandlebars, listTemplates } from './common/views/handlebars';
import { encodeLocation } from './common/views/page-context';

/**
 * Pages load scripts, styles and images from this origin only: no inline code, so injected markup
 * cannot run. Swagger UI (/api/docs) needs inline styles and is the one exception.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
};

/** How many first requests must all come from private or loopback addresses before the warning. */
export const PROXY_HINT_SAMPLE = 20;

/** X-Forwarded-For is believed only from the proxies TRUST_PROXY names (none by default). */
export function trustProxySetting(
  value: string | undefined,
): boolean | string | ((address: string, hop: number) => boolean) {
  if (!value) return false;
  if (/^\d+$/.test(value)) {
    // A hop count: trust that many proxies nearest to us.
    const hops = Number(value);
    return hops === 0 ? false : (_address: string, hop: number) => hop < hops;
  }
  return value;
}

/** Builds the HTTP application the same way for `main.ts` and the e2e tests. */
export async function createApp(
  opts: { logger?: LogLevel[] | false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    trustProxy: trustProxySetting(process.env.TRUST_PROXY),
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    rawBody: true,
    // JSON lines through pino (src/common/logging); `false` silences Nest entirely.
    logger:
      opts.logger === false
        ? false
        : createNestLogger({
            process: 'web',
            levels: opts.logger ?? logLevelsFrom(process.env.LOG_LEVEL),
          }),
    abortOnError: false,
  });
  await configureApp(app);
  return app;
}

export async function configureApp(app: NestFastifyApplication): Promise<void> {
  app.useGlobalPipes(buildValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());

  const secure = app.get(AppConfig).secureCookies;
  const fastify = app.getHttpAdapter().getInstance();
  // Before anything answers: a stopping process counts what it must finish (main.ts).
  app.get(InFlightRequests).install(fastify);
  // One line per answered request (route pattern, status, duration, request id; never the URL).
  const requestLog = new Logger('Http');
  const metrics = app.get(Metrics);
  onAnsweredRequest(fastify, (answered) => {
    logRequest(requestLog, answered);
    metrics.observeRequest(answered);
  });
  // First of all: a kept public page is answered before cookies, guards or the database.
  const pageStore = app.get(PageCache).store;
  const pageCache = pageStore
    ? installPageCache(fastify, pageStore, (message) => new Logger('PageCache').warn(message))
    : null;
  const widgetFrameAncestors = app.get(AppConfig).widgetFrameAncestors;
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      // Upgrading to https only makes sense where the site is served over https.
      directives: { ...CONTENT_SECURITY_POLICY, upgradeInsecureRequests: secure ? [] : null },
    },
  });
  // Every request runs inside its own context (request id, IP; the auth guard adds the actor).
  fastify.addHook('onRequest', (request, _reply, done) => {
    RequestContext.run({ requestId: request.id, ip: request.ip }, done);
  });
  fastify.addHook('onRequest', readCsrfToken);
  if (!process.env.TRUST_PROXY) {
    // Behind an untrusted proxy every visitor has the proxy's address: say so once, early.
    const hint = new ProxyHint(PROXY_HINT_SAMPLE, (message) =>
      new Logger('TrustProxy').warn(message),
    );
    fastify.addHook('onRequest', (request, _reply, done) => {
      hint.observe(request.ip);
      done();
    });
  }
  // Deep nesting, huge documents and malformed Unicode are refused before anything converts them.
  fastify.addHook('preValidation', refuseMalformedInput);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // A Location header takes ASCII only: a redirect to a path holding other characters would
    // otherwise fail as the answer is written (a 500 after the work was done).
    const location = reply.getHeader('location');
    if (typeof location === 'string') void reply.header('location', encodeLocation(location));
    // The campaign widget is the one page other sites may frame (frame-policy.ts).
    if (request.routeOptions.url === FRAMEABLE_ROUTE) {
      const csp = reply.getHeader('content-security-policy');
      if (typeof csp === 'string') {
        void reply.header('content-security-policy', withFrameAncestors(csp, widgetFrameAncestors));
      }
      reply.removeHeader('x-frame-options');
    }
    // Swagger UI ships two inline <style> blocks; only its pages may use inline styles.
    if (request.url.startsWith('/api/docs')) {
      const csp = reply.getHeader('content-security-policy');
      if (typeof csp === 'string') {
        void reply.header(
          'content-security-policy',
          csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
        );
      }
    }
    done(null, payload);
  });
  // After the cookie plugin's onSend: a page that sets a cookie is seen, and never kept.
  if (pageCache) fastify.addHook('onSend', pageCache.keepPage);
  fastify.addHook('onSend', issueCsrfCookie(secure));
  fastify.addHook('onSend', rememberLanguage(secure));
  fastify.addHook('onSend', compressAnswer);

  const root = templatesDir();
  // Layouts are partial blocks ({{#> layouts/public}}…{{/layouts/public}}), one per audience.
  const partials: Record<string, string> = Object.fromEntries<string>([
    ...listTemplates(`${root}/layouts`).map((name): [string, string] => [
      `layouts/${name}`,
      `layouts/${name}.hbs`,
    ]),
    ...listTemplates(`${root}/partials`).map((name): [string, string] => [
      name,
      `partials/${name}.hbs`,
    ]),
  ]);
  app.useStaticAssets({ root: `${root}/static`, prefix: '/static/', maxAge: PLAIN_MAX_AGE });
  serveFingerprintedAssets(fastify);
  app.setViewEngine({
    engine: { handlebars: createHandlebars() },
    templates: root,
    // Compile each template once and keep it; never per request.
    production: true,
    // A partial called from an indented line must not indent its output: it would add spaces to
    // every line of a <textarea>'s text after the first, and a story would grow at each save.
    options: { partials, compileOptions: { preventIndent: true } },
  });

  // The OpenAPI document is built at its first request, not at start: scanning every controller
  // costs about half a second that most processes (and every test file) never need.
  const openApi = new DocumentBuilder()
    .setTitle('Lianxin API')
    .setDescription(
      'Funds, ledger and allocations of a community development foundation. Amounts are integers in minor units (fen).',
    )
    .setVersion('1')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'api/docs-json',
  });

  await app.init();
  // Fastify seals its routes and hooks: requests injected before listen() (supertest) need it.
  await fastify.ready();
  // Outside tests every page is compiled before the first visitor; each test file compiles only the
  // pages it opens (warming them all costs every file about two seconds).
  if (app.get(AppConfig).nodeEnv !== 'test') await warmTemplates(fastify, root);
}

/** Renders every page once at start so the compiled templates are cached before the first request. */
async function warmTemplates(instance: FastifyInstance, root: string): Promise<void> {
  const fastify = instance as unknown as { view: (page: string, data: object) => Promise<string> };
  for (const page of listTemplates(`${root}/pages`)) {
    await fastify.view(`pages/${page}`, { locale: 'zh-CN' }).catch((error: unknown) => {
      new Logger('Views').debug(`warm-up of ${page}: ${(error as Error).message}`);
    });
  }
}
