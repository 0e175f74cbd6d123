import { Controller, Get, Param, Post, type RawBodyRequest, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../../common/auth/policy.decorator';
import { pageContext } from '../../../../common/views/page-context';
import { renderPage } from '../../../../common/views/render-page';
import { SandboxAlipayService } from './sandbox-alipay.service';

/**
 * The sandbox's Alipay: the fake OpenAPI gateway (our adapter's server-to-server calls and the
 * donor's page-pay redirect, both RSA2-signed; no cookies, so no CSRF token) and the donor's
 * cashier page (its form carries the CSRF token like every other). 404 outside the sandbox.
 */
@ApiExcludeController()
@Controller('sandbox/alipay')
export class SandboxAlipayController {
  constructor(private readonly sandbox: SandboxAlipayService) {}

  /** The donor's page-pay redirect (wap.pay, page.pay). */
  @Get('gateway.do')
  @Public()
  pagePay(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply) {
    return this.gateway(request, reply);
  }

  /** The adapter's API calls (query, close, refund, refund query). */
  @Post('gateway.do')
  @Public()
  api(@Req() request: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply) {
    return this.gateway(request, reply);
  }

  private gateway(request: RawBodyRequest<FastifyRequest>, reply: FastifyReply) {
    const body =
      request.rawBody ??
      Buffer.from(new URLSearchParams((request.body ?? {}) as Record<string, string>).toString());
    const answer = this.sandbox.gateway(request.method, request.url, request.headers, body);
    return reply.status(answer.status).headers(answer.headers).send(answer.body);
  }

  @Get('cashier/:outTradeNo')
  @Public()
  async cashier(
    @Param('outTradeNo') outTradeNo: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = pageContext(request, reply);
    const cashier = await this.sandbox.cashier(outTradeNo, ctx.locale);
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
    return renderPage(reply, ctx, 'pages/sandbox/alipay-cashier', { cashier });
  }

  @Post('cashier/:outTradeNo/pay')
  @Public()
  async pay(@Param('outTradeNo') outTradeNo: string, @Res() reply: FastifyReply) {
    return reply.redirect(await this.sandbox.pay(outTradeNo), 303);
  }
}
