import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import type { FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { translate } from '../../common/i18n/i18n';
import { formatMoney } from '../../common/money';
import { type Checked, submitForm, typedValues } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { ReleasesService } from '../allocations/releases.service';
import { checkMovementForm } from './movement-form';
import { type AdminContext, adminContext, currentUser } from './admin-page';
import { AdminReleasesViews, type ReleaseNotice } from './admin-releases.views';
import { ReleaseRequestForm } from './dto/release-forms.dto';

/** Where a release request's domain error is shown: beside its field, or above the form. */
const REQUEST_ERROR_FIELD: Partial<Record<string, string>> = {
  SAME_FUND: 'toFundId',
  RELEASE_NOT_NEEDED: 'fromFundId',
  MOVEMENT_NOT_ALLOWED: 'toFundId',
  FUND_NOT_FOUND: 'fromFundId',
  FUND_CLOSED: 'fromFundId',
  INSUFFICIENT_FUND_BALANCE: 'amount',
  CURRENCY_MISMATCH: 'toFundId',
};

/**
 * Releases of restricted money in the back office (ADMIN, FINANCE): the pending ones, a request
 * form (with a reason), and approve / reject buttons, each confirmed. The service decides who may
 * approve (a second person of the other role); the page only hides what would be refused.
 */
@ApiExcludeController()
@Controller('admin/releases')
export class AdminReleasesController {
  constructor(
    private readonly views: AdminReleasesViews,
    private readonly releases: ReleasesService,
  ) {}

  @Get()
  @Allow('ADMIN', 'FINANCE')
  async page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return this.render(reply, ctx, req, 200);
  }

  @Post()
  @Allow('ADMIN', 'FINANCE')
  async request(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const currency = await this.views.currency();
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkMovementForm(ReleaseRequestForm, body, currency, ctx.locale),
      again: (errors, status, formError) =>
        this.render(reply, ctx, req, status, { form: { values, errors }, formError }),
      run: (form) =>
        this.releases.request({
          fromFundId: form.fromFundId,
          toFundId: form.toFundId,
          amountMinor: form.amountMinor,
          reason: form.reason,
          idempotencyKey: `form-${form.requestKey}`,
        }),
      done: ({ release, replayed }) => ({
        flash: {
          kind: replayed ? 'info' : 'success',
          text: translate(
            ctx.locale,
            replayed ? 'admin.releases.requestReplayed' : 'admin.releases.requested',
            { amount: formatMoney(release.amountMinor, release.currency, ctx.locale) },
          ),
        },
        to: '/admin/releases',
      }),
      fieldByCode: REQUEST_ERROR_FIELD,
    });
  }

  @Post(':id/approve')
  @Allow('ADMIN', 'FINANCE')
  approve(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    return this.decide(req, reply, id, body, 'approve');
  }

  @Post(':id/reject')
  @Allow('ADMIN', 'FINANCE')
  reject(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    return this.decide(req, reply, id, body, 'reject');
  }

  private async decide(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    id: string,
    body: unknown,
    action: 'approve' | 'reject',
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const note = typeof values.note === 'string' ? values.note.trim().slice(0, 1000) : '';
    return submitForm({
      reply,
      locale: ctx.locale,
      check: (): Checked<string> =>
        values.confirm === 'yes'
          ? { value: note, errors: null }
          : { value: null, errors: { confirm: 'admin.releases.confirmNeeded' } },
      // The message goes beside the release's buttons.
      again: (errors, status, formError) =>
        this.render(reply, ctx, req, status, {
          notice: { id, text: formError ?? errors.confirm ?? '' },
        }),
      run: async (reason) =>
        action === 'approve'
          ? (await this.releases.approve(id)).release
          : this.releases.reject(id, reason),
      done: (release) => ({
        flash: {
          kind: 'success',
          text: translate(
            ctx.locale,
            action === 'approve' ? 'admin.releases.approved' : 'admin.releases.rejected',
            { amount: formatMoney(release.amountMinor, release.currency, ctx.locale) },
          ),
        },
        to: '/admin/releases',
      }),
    });
  }

  private async render(
    reply: FastifyReply,
    ctx: AdminContext,
    req: AuthenticatedRequest,
    status: number,
    extra: {
      form?: { values: Record<string, unknown>; errors: FieldErrors };
      formError?: string;
      notice?: ReleaseNotice;
    } = {},
  ) {
    const view = await this.views.page(ctx.locale, currentUser(req), extra.form, extra.notice);
    return renderPage(
      reply,
      ctx,
      'pages/admin/releases',
      { ...view, requestError: extra.formError, formError: view.formError },
      status,
    );
  }
}
