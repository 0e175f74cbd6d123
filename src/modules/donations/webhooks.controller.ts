import { Controller, HttpCode, Logger, Post, type RawBodyRequest, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { DomainError, ERROR_HTTP_STATUS, errorText } from '../../common/errors';
import type { PaymentRail } from '../payments/payment-events';
import type { NotificationHeaders } from '../payments/payment-provider';
import { PaymentRails } from '../payments/payment-rails';
import { NotificationNotAcceptedError, WebhookSignatureError } from '../payments/payments.errors';
import { InvalidWebhookSignatureError } from './donations.errors';
import { PaymentInboxService, type Receipt } from './payment-inbox.service';

/**
 * The rails' notification endpoints. Each verifies on the raw body with its adapter (nothing is
 * stored when that fails), hands the notification to the inbox, and answers in the rail's own
 * format only once it is durable: Stripe (and the sandbox) `{ received: true }`; WeChat Pay 204,
 * or 4xx `{"code":"FAIL","message":…}`; Alipay the plain text `success`, or 4xx `fail`. A
 * notification that names no gift of ours, or another amount or currency, is kept for FINANCE but
 * answered as a failure: never "processed".
 */
@ApiExcludeController()
@Controller('webhooks')
export class WebhooksController {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly rails: PaymentRails,
    private readonly inbox: PaymentInboxService,
  ) {}

  @Post('stripe')
  @Public()
  @HttpCode(200)
  async stripe(@Req() req: RawBodyRequest<FastifyRequest>) {
    try {
      const receipt = await this.receive('STRIPE', req);
      return { received: true, duplicate: receipt.duplicate };
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        throw new InvalidWebhookSignatureError(error.message);
      }
      throw error;
    }
  }

  @Post('wechatpay')
  @Public()
  async wechatPay(@Req() req: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply) {
    try {
      await this.receive('WECHAT_PAY', req);
      await reply.status(204).send();
    } catch (error) {
      const status = refusalStatus(error);
      await reply
        .status(status)
        .type('application/json')
        .send({ code: 'FAIL', message: errorText(error as DomainError, 'zh-CN') });
    }
  }

  @Post('alipay')
  @Public()
  async alipay(@Req() req: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply) {
    try {
      await this.receive('ALIPAY', req);
      await reply.status(200).type('text/plain; charset=utf-8').send('success');
    } catch (error) {
      await reply.status(refusalStatus(error)).type('text/plain; charset=utf-8').send('fail');
    }
  }

  /** Verify, store and process; throws a DomainError for every answer but "done". */
  private async receive(rail: PaymentRail, req: RawBodyRequest<FastifyRequest>): Promise<Receipt> {
    const adapter = this.rails.forRail(rail);
    let notification;
    try {
      notification = adapter.verifyNotification(req.rawBody ?? Buffer.alloc(0), headersOf(req));
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        this.logger.warn(`${adapter.name} notification refused: ${error.message}`);
      }
      throw error;
    }
    const receipt = await this.inbox.receive(adapter.name, notification);
    if (receipt.refused)
      throw new NotificationNotAcceptedError(receipt.refused, notification.eventId);
    return receipt;
  }
}

/** Lower-case header names, single values (a repeated header: its first value). */
function headersOf(req: FastifyRequest): NotificationHeaders {
  const headers: NotificationHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  }
  return headers;
}

/**
 * The status a rail's failure answer carries: a domain error's own (4xx for bad input); anything
 * else (the inbox could not store it) rethrown, so the error filter answers 500 and logs it once.
 */
function refusalStatus(error: unknown): number {
  if (error instanceof DomainError) {
    return ERROR_HTTP_STATUS[error.code] ?? 400;
  }
  throw error;
}
