import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '../context/request-context';

/**
 * Who is calling, as the auth guard found them (undefined on a public route nobody signed in to):
 * passed to services that decide by the actor, rather than read from request-wide context.
 */
export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Actor | undefined =>
    context.switchToHttp().getRequest<{ actor?: Actor }>().actor,
);
