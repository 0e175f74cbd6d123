import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { uuidPipe } from '../../common/http/validation';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { confirmStep } from '../../common/views/confirm-step';
import { submitButton } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { erasedDonorName } from '../privacy/erased-names';
import { daysLeft, isOpen, isOverdue } from '../privacy/erasure/erasure-status';
import type { ErasureRequest } from '../privacy/erasure/erasure.repository';
import { ErasureService } from '../privacy/erasure/erasure.service';
import { adminContext, currentUser } from './admin-page';

/**
 * Erasure requests for FINANCE and ADMIN: the queue (open ones first, by due date, overdue
 * marked, days left; a completed one shows only its pseudonym and date, never the address), one
 * request with what completing it will touch, and the confirmed "complete" button.
 */
@ApiExcludeController()
@Controller('admin/privacy/requests')
export class AdminPrivacyRequestsController {
  constructor(private readonly erasure: ErasureService) {}

  @Get()
  @Allow('FINANCE', 'ADMIN')
  async list(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    const now = new Date();
    const requests = (await this.erasure.list()).map((r) => requestRow(r, ctx.locale, now));
    return renderPage(reply, ctx, 'pages/admin/privacy-requests', {
      title: translate(ctx.locale, 'privacy.erasure.admin.title'),
      requests,
    });
  }

  @Get(':id')
  @Allow('FINANCE', 'ADMIN')
  async show(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const detail = await this.erasure.detail(id);
    const row = requestRow(detail.request, ctx.locale, new Date());
    return renderPage(reply, ctx, 'pages/admin/privacy-request', {
      title: translate(ctx.locale, 'privacy.erasure.admin.detailTitle'),
      request: row,
      confirmedAt: detail.request.confirmedAt
        ? beijingDateTime(detail.request.confirmedAt, ctx.locale)
        : null,
      completedAt: detail.request.completedAt
        ? beijingDateTime(detail.request.completedAt, ctx.locale)
        : null,
      counts: detail.removed === null ? detail : null,
      removed: detail.removed
        ? Object.entries(detail.removed).map(([kind, count]) => ({ kind, count }))
        : null,
      canComplete: detail.request.status === 'CONFIRMED',
    });
  }

  @Post(':id/complete')
  @Allow('FINANCE', 'ADMIN')
  async complete(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const user = currentUser(req);
    const back = `/admin/privacy/requests/${id}`;
    return submitButton({
      reply,
      locale: ctx.locale,
      confirm: {
        step: confirmStep(reply, ctx, body, req.url),
        page: async () => {
          const detail = await this.erasure.detail(id);
          const t = (key: string, vars: Record<string, unknown> = {}) =>
            translate(ctx.locale, `privacy.erasure.admin.${key}`, vars);
          return {
            title: t('completeTitle'),
            lead: t('completeLead', { email: detail.request.email ?? '' }),
            facts: [
              { label: t('gifts'), value: String(detail.gifts) },
              { label: t('receipts'), value: String(detail.receipts) },
              { label: t('monthlyRunning'), value: String(detail.monthlyRunning) },
            ],
            effects: [
              t('completeEffectName'),
              t('completeEffectGifts', { count: detail.gifts, receipts: detail.receipts }),
              ...(detail.monthlyRunning > 0
                ? [t('completeEffectMonthly', { count: detail.monthlyRunning })]
                : []),
              t('kept'),
            ],
            warning: t('completeWarning'),
            button: t('complete'),
            back,
            danger: true,
          };
        },
      },
      run: () => this.erasure.complete(id, user.userId),
      done: (outcome) => ({
        kind: 'success',
        text: translate(ctx.locale, 'privacy.erasure.admin.completed', {
          name: erasedDonorName(outcome.no, ctx.locale),
        }),
      }),
      to: back,
    });
  }
}

/** A request as the queue shows it: never the address of a completed one. */
function requestRow(r: ErasureRequest, locale: SupportedLocale, now: Date) {
  const left = daysLeft(r, now);
  const overdue = isOverdue(r, now);
  const t = (key: string, vars: Record<string, unknown> = {}) =>
    translate(locale, `privacy.erasure.admin.${key}`, vars);
  return {
    id: r.id,
    open: isOpen(r.status),
    status: translate(locale, `privacy.erasure.status.${r.status}`),
    requestedAt: beijingDateTime(r.requestedAt, locale),
    dueAt: r.dueAt && r.status === 'CONFIRMED' ? beijingDateTime(r.dueAt, locale) : null,
    left:
      left === null
        ? null
        : left < 0
          ? t('overdue', { count: -left })
          : left === 0
            ? t('dueToday')
            : t('daysLeft', { count: left }),
    overdue,
    person:
      r.status === 'COMPLETED' && r.erasedNo !== null
        ? `${erasedDonorName(r.erasedNo, locale)} · ${t('completedOn', {
            date: r.completedAt ? beijingDateTime(r.completedAt, locale) : '',
          })}`
        : (r.email ?? ''),
  };
}
