import { Controller, Get, Headers, Param, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { DevOutboxService } from './dev-outbox.service';

/**
 * Development only: the emails the file transport wrote (no SMTP_URL, NODE_ENV not production),
 * and only to a browser on the same machine, since these emails hold sign-in and password-reset
 * links. Every route answers 404 otherwise.
 */
@ApiExcludeController()
@Controller('dev/outbox')
export class DevOutboxController {
  constructor(private readonly outbox: DevOutboxService) {}

  @Get()
  @Public()
  @Render('pages/dev/outbox')
  list(
    @Req() request: FastifyRequest,
    @Query('lang') lang: unknown,
    @Headers('accept-language') acceptLanguage?: string,
  ) {
    return this.outbox.list(peer(request), lang, acceptLanguage);
  }

  @Get(':id')
  @Public()
  @Render('pages/dev/outbox-message')
  message(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Query('lang') lang: unknown,
    @Headers('accept-language') acceptLanguage?: string,
  ) {
    return this.outbox.message(peer(request), id, lang, acceptLanguage);
  }

  /** The HTML part as sent. Sandboxed: it runs nothing, and its own inline styles may apply. */
  @Get(':id/html')
  @Public()
  async html(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const html = await this.outbox.html(peer(request), id);
    void reply
      .header('content-security-policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'")
      .type('text/html; charset=utf-8');
    return html;
  }

  @Get(':id/raw')
  @Public()
  async raw(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const raw = await this.outbox.raw(peer(request), id);
    void reply.type('text/plain; charset=utf-8');
    return raw;
  }
}

/** The TCP peer, not `request.ip`: with trustProxy, X-Forwarded-For could claim to be local. */
function peer(request: FastifyRequest): string | undefined {
  return request.raw.socket.remoteAddress;
}
