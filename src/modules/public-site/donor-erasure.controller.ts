import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DonorOnly, Public } from '../../common/auth/policy.decorator';
import { DomainError, ERROR_HTTP_STATUS, errorText } from '../../common/errors';
import { translate } from '../../common/i18n/i18n';
import { confirmationOf, confirmStep } from '../../common/views/confirm-step';
import { redirectWith } from '../../common/views/form-submit';
import { type PageContext, pageContext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { ErasureService } from '../privacy/erasure/erasure.service';

/**
 * The donor's erasure request: a page saying in plain words what deletion does and by when, a
 * button confirmed on a second page, and the emailed link's page (a button, never an action on
 * GET: mail scanners open links). Refusals are shown on the page, in the reader's language, with
 * their status (409 twice, 410 expired link, 400 used or unknown link).
 */
@ApiExcludeController()
@Controller('donor/delete')
export class DonorErasureController {
  constructor(private readonly erasure: ErasureService) {}

  @Get()
  @DonorOnly()
  async page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = pageContext(req, reply);
    return this.render(reply, ctx, donorEmail(req));
  }

  @Post()
  @DonorOnly()
  async request(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = pageContext(req, reply);
    const email = donorEmail(req);
    const step = confirmStep(reply, ctx, body, `/donor/delete?lang=${ctx.locale}`);
    if (!step.confirmed) {
      return renderPage(reply, ctx, 'pages/donor/delete-step', {
        title: translate(ctx.locale, 'privacy.erasure.stepTitle'),
        lead: translate(ctx.locale, 'privacy.erasure.stepLead', { email }),
        effects: EFFECTS.map((k) => translate(ctx.locale, `privacy.erasure.effects.${k}`)),
        deadline: await this.deadline(ctx),
        action: `/donor/delete?lang=${ctx.locale}`,
        confirmation: confirmationOf(ctx.csrfToken, ctx.path, body),
      });
    }
    try {
      await this.erasure.request(email, ctx.locale);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return this.render(reply, ctx, email, error);
    }
    return redirectWith(reply, {
      flash: { kind: 'success', text: translate(ctx.locale, 'privacy.erasure.sent', { email }) },
      to: `/donor/delete?lang=${ctx.locale}`,
    });
  }

  /** The emailed link: a page with a button (the POST below does the confirming). */
  @Get('confirm')
  @Public()
  confirmPage(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('token') token?: string,
  ) {
    const ctx = pageContext(req, reply);
    return renderPage(reply, ctx, 'pages/donor/delete-confirm', {
      token: typeof token === 'string' ? token.slice(0, 200) : '',
    });
  }

  @Post('confirm')
  @Public()
  async confirm(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = pageContext(req, reply);
    const token = (body as { token?: unknown } | undefined)?.token;
    try {
      const confirmed = await this.erasure.confirm(typeof token === 'string' ? token : '');
      return renderPage(reply, ctx, 'pages/donor/delete-confirm', {
        done: translate(ctx.locale, 'privacy.erasure.confirm.done', { dueOn: confirmed.dueAt }),
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return renderPage(
        reply,
        ctx,
        'pages/donor/delete-confirm',
        { refused: errorText(error, ctx.locale) },
        ERROR_HTTP_STATUS[error.code],
      );
    }
  }

  private async deadline(ctx: PageContext): Promise<string> {
    const days = await this.erasure.dueDays();
    return translate(ctx.locale, 'privacy.erasure.deadline', { days });
  }

  private async render(reply: FastifyReply, ctx: PageContext, email: string, error?: DomainError) {
    const latest = await this.erasure.latestFor(email);
    const state =
      latest?.status === 'AWAITING_CONFIRMATION'
        ? translate(ctx.locale, 'privacy.erasure.awaiting', {
            requestedOn: latest.requestedAt,
            confirmBy: latest.confirmBy,
          })
        : latest?.status === 'CONFIRMED'
          ? translate(ctx.locale, 'privacy.erasure.confirmedState', { dueOn: latest.dueAt })
          : null;
    return renderPage(
      reply,
      ctx,
      'pages/donor/delete',
      {
        email,
        effects: EFFECTS.map((k) => translate(ctx.locale, `privacy.erasure.effects.${k}`)),
        deadline: await this.deadline(ctx),
        howConfirm: translate(ctx.locale, 'privacy.erasure.howConfirm', { email }),
        state,
        canRequest: state === null,
        refused: error ? errorText(error, ctx.locale) : null,
      },
      error ? ERROR_HTTP_STATUS[error.code] : 200,
    );
  }
}

/** What deletion does, in the order the page says it. */
const EFFECTS = ['name', 'contact', 'messages', 'books', 'receipts', 'monthly', 'portal'] as const;

function donorEmail(req: AuthenticatedRequest): string {
  return req.actor?.kind === 'donor' ? req.actor.email : '';
}
