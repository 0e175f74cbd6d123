import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../common/auth/policy.decorator';
import { DomainError } from '../../../common/errors';
import { toErrorBody } from '../../../common/errors/http-error.filter';
import { pageContext } from '../../../common/views/page-context';
import { renderPage } from '../../../common/views/render-page';
import { SandboxCheckoutService } from './sandbox-checkout.service';

/**
 * The sandbox's stand-in for Stripe's hosted checkout page. Public, like Stripe's: whoever holds
 * the session link (the donor who was sent there) may pay or decline; both forms carry the CSRF
 * token like every other form.
 */
@ApiExcludeController()
@Controller('sandbox/checkout')
export class SandboxCheckoutController {
  constructor(private readonly checkout: SandboxCheckoutService) {}

  @Get(':sessionId')
  @Public()
  async page(
    @Param('sessionId') sessionId: string,
    @Query('lang') lang: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const view = await this.checkout.page(sessionId, lang);
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    return renderPage(reply, pageContext(request, reply), 'pages/sandbox/checkout', view);
  }

  @Post(':sessionId/pay')
  @Public()
  async pay(@Param('sessionId') sessionId: string, @Res() reply: FastifyReply) {
    return reply.redirect(await this.checkout.pay(sessionId), 303);
  }

  @Post(':sessionId/decline')
  @Public()
  async decline(@Param('sessionId') sessionId: string, @Res() reply: FastifyReply) {
    return reply.redirect(await this.checkout.decline(sessionId), 303);
  }
}

/**
 * `simulate-renewal` asks the running server to bill a month: the server owns the database
 * (embedded PGlite must not be opened by a second process) and receives the renewal's webhook.
 * Loopback only, sandbox only; the CLI sends the double-submit CSRF token like a form would.
 */
@ApiExcludeController()
@Controller('sandbox/subscriptions')
export class SandboxRenewalsController {
  constructor(private readonly checkout: SandboxCheckoutService) {}

  @Post(':subscriptionId/renewal')
  @Public()
  async renew(
    @Param('subscriptionId') subscriptionId: string,
    @Query('fail') fail: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    try {
      const result = await this.checkout.renew(
        request.raw.socket.remoteAddress,
        subscriptionId,
        fail === 'true',
      );
      return reply.send(result);
    } catch (error) {
      // JSON for the CLI (paths outside /api answer errors as pages otherwise).
      if (!(error instanceof DomainError)) throw error;
      const body = toErrorBody(error, request.id);
      return reply.status(body.statusCode).send(body);
    }
  }
}
