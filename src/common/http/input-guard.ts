import { BadRequestException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { inputProblemMessage, inspectInput } from './input-shape';

/**
 * preValidation hook: refuses, before any conversion, validation or guard, a request whose body,
 * query string or route parameters are nested too deep, too large, or hold malformed Unicode
 * (see input-shape.ts). One place for every route, JSON and pages alike: the error filter answers
 * 400 VALIDATION_FAILED in the JSON shape, or an error page carrying the message.
 */
export function refuseMalformedInput(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: (error?: Error) => void,
): void {
  const problem =
    inspectInput(request.params) ?? inspectInput(request.query) ?? inspectInput(request.body);
  if (!problem) return done();
  done(
    new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: [inputProblemMessage(problem)],
    }),
  );
}
