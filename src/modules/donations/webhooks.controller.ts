import {
  Controller,
  Headers,
  HttpCode,
  Inject,
  Post,
  type RawBodyRequest,
  Req,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { InvalidWebhookSignatureError } from './donations.errors';
import {
  PAYMENT_PROVIDER,
  WebhookSignatureError,
  type PaymentProvider,
} from '../payments/payment-provider';
import { PaymentInboxService } from './payment-inbox.service';

/**
 * Stripe's webhook (the sandbox posts here too): verify the signature on the raw body, store the
 * event, then answer 2xx. A bad signature is a 400 and nothing is stored.
 */
@ApiExcludeController()
@Controller('webhooks')
export class WebhooksController {
  constructor(
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly inbox: PaymentInboxService,
  ) {}

  @Post('stripe')
  @Public()
  @HttpCode(200)
  async stripe(
    @Req() req: RawBodyRequest<FastifyRequest>,
    @Headers('stripe-signature') signature?: string,
  ) {
    let event;
    try {
      event = this.provider.verifyWebhook(req.rawBody ?? Buffer.alloc(0), signature);
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        throw new InvalidWebhookSignatureError(error.message);
      }
      throw error;
    }
    const { duplicate } = await this.inbox.receive(event);
    return { received: true, duplicate };
  }
}
