import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { type Checked, submitForm, typedValues } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { eventIdPipe } from '../donations/payment-events.controller';
import { type DeadLetter, PaymentInboxService } from '../donations/payment-inbox.service';
import { FoundationService } from '../foundation/foundation.service';
import { type AdminContext, adminContext } from './admin-page';

/** Event types the page names in words; any other is shown as the provider spells it. */
const KNOWN_TYPES = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'payment_intent.payment_failed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.deleted',
]);

/** A dead letter as the page shows it: words for codes, Beijing time for instants. */
function deadLetterView(row: DeadLetter, locale: SupportedLocale) {
  const typeKey = `admin.deadLetters.types.${row.type}`;
  return {
    id: row.id,
    eventId: row.eventId,
    provider: translate(locale, `admin.deadLetters.providers.${row.provider}`),
    type: KNOWN_TYPES.has(row.type) ? translate(locale, typeKey) : row.type,
    rawType: row.type,
    donationId: row.donationId,
    paymentId: row.paymentId,
    subscriptionId: row.subscriptionId,
    amountMinor: row.amountMinor,
    attempts: row.attempts,
    firstAt: beijingDateTime(new Date(row.receivedAt), locale),
    lastAt: beijingDateTime(new Date(row.lastAttemptAt ?? row.deadAt), locale),
    reason: translate(locale, `admin.deadLetters.reasons.${row.reason ?? 'ERROR'}`),
    detail: row.lastError,
  };
}

/**
 * Payment events that stopped being retried (dead letters), for FINANCE: why each failed, and a
 * confirmed button that puts one back in the queue.
 */
@ApiExcludeController()
@Controller('admin/payment-events')
export class AdminPaymentEventsController {
  constructor(
    private readonly inbox: PaymentInboxService,
    private readonly foundation: FoundationService,
  ) {}

  @Get()
  @Allow('FINANCE')
  async list(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return this.render(reply, ctx, 200);
  }

  @Post(':id/retry')
  @Allow('FINANCE')
  async retry(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', eventIdPipe) id: number,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: (): Checked<number> =>
        typedValues(body).confirm === 'yes'
          ? { value: id, errors: null }
          : { value: null, errors: { confirm: 'admin.deadLetters.confirmNeeded' } },
      // The message goes beside the letter's button.
      again: (errors, status, formError) =>
        this.render(reply, ctx, status, { id, text: formError ?? errors.confirm ?? '' }),
      run: (eventId) => this.inbox.retryDeadLetter(eventId),
      done: (state) => {
        const done = state.processedAt !== null;
        return {
          flash: {
            kind: done ? 'success' : 'info',
            text: translate(
              ctx.locale,
              done ? 'admin.deadLetters.retried' : 'admin.deadLetters.stillFailing',
              {
                id,
                reason: translate(
                  ctx.locale,
                  `admin.deadLetters.reasons.${state.reason ?? 'ERROR'}`,
                ),
              },
            ),
          },
          to: '/admin/payment-events',
        };
      },
    });
  }

  private async render(
    reply: FastifyReply,
    ctx: AdminContext,
    status: number,
    formError?: { id: number; text: string },
  ) {
    const [rows, counts, currency] = await Promise.all([
      this.inbox.deadLetters(),
      this.inbox.counts(),
      this.foundation.currency(),
    ]);
    // The message goes beside the letter's button, or above the list when it is no longer there.
    const beside = rows.some((r) => r.id === formError?.id);
    return renderPage(
      reply,
      ctx,
      'pages/admin/dead-letters',
      {
        title: translate(ctx.locale, 'admin.deadLetters.title'),
        counts,
        currency,
        formError: beside ? undefined : formError?.text,
        letters: rows.map((r) => ({
          ...deadLetterView(r, ctx.locale),
          error: formError?.id === r.id ? formError.text : undefined,
        })),
      },
      status,
    );
  }
}
