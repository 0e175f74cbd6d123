import { Controller, Get, Param, Post, Query, type RawBodyRequest, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../../common/auth/policy.decorator';
import { pageContext } from '../../../../common/views/page-context';
import { renderPage } from '../../../../common/views/render-page';
import { SandboxWechatPayService } from './sandbox-wechatpay.service';

/**
 * The sandbox's WeChat Pay: the fake platform's API, which the real adapter calls signed like the
 * real one (so no CSRF token: the signature is the check, as on webhooks), and the donor's cashier
 * page that code_url and h5_url open. Public, like WeChat's: whoever holds the order's link may
 * pay it; the page's forms carry the CSRF token like every other form. 404 outside sandbox mode.
 */
@ApiExcludeController()
@Controller('sandbox/wechatpay')
export class SandboxWechatPayController {
  constructor(private readonly sandbox: SandboxWechatPayService) {}

  @Get('v3/*')
  @Public()
  apiGet(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply) {
    return this.api(request, reply);
  }

  @Post('v3/*')
  @Public()
  apiPost(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply) {
    return this.api(request, reply);
  }

  private api(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply) {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value[0] : value;
    }
    const answer = this.sandbox.api(
      request.method,
      request.url,
      headers,
      request.rawBody?.toString('utf8') ?? '',
    );
    return reply.status(answer.status).headers(answer.headers).send(answer.body);
  }

  @Get('pay/:token')
  @Public()
  async page(
    @Param('token') token: string,
    @Query('redirect_url') redirectUrl: unknown,
    @Query('cancelled') cancelled: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request, reply);
    const page = await this.sandbox.page(token, ctx.locale, {
      redirectUrl,
      cancelled: cancelled === '1',
    });
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    return renderPage(reply, ctx, 'pages/sandbox/wechatpay-pay', { page });
  }

  @Post('pay/:token/confirm')
  @Public()
  async confirm(
    @Param('token') token: string,
    @Query('redirect_url') redirectUrl: unknown,
    @Res() reply: FastifyReply,
  ) {
    return reply.redirect(await this.sandbox.confirm(token, redirectUrl), 303);
  }

  @Post('pay/:token/cancel')
  @Public()
  cancel(
    @Param('token') token: string,
    @Query('redirect_url') redirectUrl: unknown,
    @Res() reply: FastifyReply,
  ) {
    return reply.redirect(this.sandbox.cancel(token, redirectUrl), 303);
  }
}
