import { BadRequestException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  inputProblemMessage,
  inputProblemWords,
  inspectInput,
  malformedEncoding,
} from './input-shape';

/**
 * preValidation hook: refuses, before any conversion, validation or guard, a request whose body,
 * query string or route parameters are nested too deep, too large, or hold malformed Unicode or
 * percent-encoding (see input-shape.ts; the raw query string and the raw form body, which
 * `rawBody: true` keeps, are read for the last). One place for every route, JSON and pages alike: the error filter answers
 * 400 VALIDATION_FAILED in the JSON shape, or an error page carrying the message.
 */
export function refuseMalformedInput(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: (error?: Error) => void,
): void {
  const query = request.url.indexOf('?');
  const problem =
    (query < 0 ? null : malformedEncoding(request.url.slice(query + 1))) ??
    formEncoding(request) ??
    inspectInput(request.params) ??
    inspectInput(request.query) ??
    inspectInput(request.body);
  if (!problem) return done();
  done(
    new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: [inputProblemMessage(problem)],
      words: inputProblemWords(problem),
    }),
  );
}

function formEncoding(request: FastifyRequest & { rawBody?: Buffer }) {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') || !request.rawBody) return null;
  return malformedEncoding(request.rawBody.toString('latin1'));
}
