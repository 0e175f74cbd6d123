import { type INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { JsonExceptionFilter } from './common/errors/json-exception.filter';
import { buildValidationPipe } from './common/http/validation';
import { templatesDir } from './common/paths';
import { createHandlebars, listTemplates } from './common/views/handlebars';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function logLevelsFrom(level: string | undefined): LogLevel[] {
  const index = LOG_LEVELS.indexOf((level ?? 'warn') as LogLevel);
  return LOG_LEVELS.slice(0, index < 0 ? 3 : index + 1);
}

/** Builds the HTTP application the same way for `main.ts` and the e2e tests. */
export async function createApp(
  opts: { logger?: LogLevel[] | false } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    trustProxy: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    rawBody: true,
    logger: opts.logger ?? logLevelsFrom(process.env.LOG_LEVEL),
    abortOnError: false,
  });
  await configureApp(app);
  return app;
}

export async function configureApp(app: NestFastifyApplication): Promise<void> {
  app.useGlobalPipes(buildValidationPipe());
  app.useGlobalFilters(new JsonExceptionFilter());
  app.enableShutdownHooks();

  const root = templatesDir();
  // Layouts are partial blocks ({{#> layouts/public}}…{{/layouts/public}}), one per audience.
  const partials = Object.fromEntries([
    ...listTemplates(`${root}/layouts`).map((name) => [`layouts/${name}`, `layouts/${name}.hbs`]),
    ...listTemplates(`${root}/partials`).map((name) => [name, `partials/${name}.hbs`]),
  ]);
  app.useStaticAssets({ root: `${root}/static`, prefix: '/static/', maxAge: '1h' });
  app.setViewEngine({
    engine: { handlebars: createHandlebars() },
    templates: root,
    // Compile each template once and keep it; never per request.
    production: true,
    options: { partials },
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Lianxin API')
      .setDescription(
        'Funds, ledger and allocations of a community development foundation. Amounts are integers in minor units (fen).',
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  await app.init();
  await warmTemplates(app, root);
}

/** Renders every page once at start so the compiled templates are cached before the first request. */
async function warmTemplates(app: INestApplication, root: string): Promise<void> {
  const instance = (app as NestFastifyApplication).getHttpAdapter().getInstance();
  await instance.ready();
  const fastify = instance as unknown as { view: (page: string, data: object) => Promise<string> };
  for (const page of listTemplates(`${root}/pages`)) {
    await fastify.view(`pages/${page}`, { locale: 'zh-CN' }).catch((error: unknown) => {
      new Logger('Views').debug(`warm-up of ${page}: ${(error as Error).message}`);
    });
  }
}
