import type { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * One answered HTTP request, as the request log line and the HTTP metrics see it. The route is the
 * pattern (`/campaigns/:slug`), never the URL: a URL's path and query can carry tokens and names.
 */
export interface AnsweredRequest {
  method: string;
  /** The matched route's pattern; null when no route matched (a 404 for an unknown path). */
  route: string | null;
  status: number;
  durationMs: number;
  requestId: string;
}

/** Routes that probes and scrapers call every few seconds: their lines are debug, not info. */
export const PROBE_ROUTES: ReadonlySet<string> = new Set([
  '/metrics',
  '/health',
  '/health/live',
  '/health/ready',
]);

export function answeredRequest(request: FastifyRequest, reply: FastifyReply): AnsweredRequest {
  return {
    method: request.method,
    route: request.routeOptions.url ?? null,
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    requestId: request.id,
  };
}

/** Calls `listener` once per answered request, after the answer is written. */
export function onAnsweredRequest(
  fastify: FastifyInstance,
  listener: (answered: AnsweredRequest) => void,
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    listener(answeredRequest(request, reply));
    done();
  });
}

/** The request line: `{"msg":"request","method":"GET","route":"/funds/:id","status":200,…}`. */
export function logRequest(logger: Logger, answered: AnsweredRequest): void {
  const line = { msg: 'request', ...answered };
  if (answered.route !== null && PROBE_ROUTES.has(answered.route)) logger.debug(line);
  else logger.log(line);
}
