import { words } from '../../common/i18n/i18n';
import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  Param,
  type PipeTransform,
  Post,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../common/auth/policy.decorator';
import { PaymentInboxService } from './payment-inbox.service';

/** A payment event's row id: a positive whole number. */
export const eventIdPipe: PipeTransform<string, number> = {
  transform(value: string): number {
    const id = /^\d{1,15}$/.test(value) ? Number(value) : 0;
    if (id < 1) {
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: 'id must be a payment event number such as 42',
        words: words('validation.pageId', { field: 'id' }),
      });
    }
    return id;
  },
};

/** The webhook inbox's dead letters, for FINANCE: list them, put one back in the queue. */
@ApiTags('payment events')
@Controller('api/v1/payment-events')
export class PaymentEventsController {
  constructor(private readonly inbox: PaymentInboxService) {}

  @Get('dead-letters')
  @Allow('FINANCE')
  @ApiOperation({
    summary: 'Payment events no longer retried (the latest 200), with why and what they name',
  })
  async deadLetters() {
    return { items: await this.inbox.deadLetters(), counts: await this.inbox.counts() };
  }

  @Post(':id/retry')
  @Allow('FINANCE')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Put a dead letter back in the queue and try it now (audited); answers its state afterwards',
  })
  retry(@Param('id', eventIdPipe) id: number) {
    return this.inbox.retryDeadLetter(id);
  }
}
