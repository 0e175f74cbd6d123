import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { parseCalendarDate } from '../../common/dates/strict-date';
import { ValidationFailedError } from '../../common/errors';
import type { FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import {
  type Checked,
  submitButton,
  submitForm,
  typedValues,
} from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import type { InspectionResult } from '../grants/awards/award-rules';
import { AwardsService } from '../grants/awards/awards.service';
import { ReportsService } from '../grants/awards/reports.service';
import { TranchesService } from '../grants/awards/tranches.service';
import { AdminGrantsAwardsViews } from './admin-grants-awards.views';
import { adminContext, currentUser } from './admin-page';
import { words } from '../../common/i18n/i18n';

const note = (body: unknown): string => {
  const v = typedValues(body).note;
  return typeof v === 'string' ? v.trim().slice(0, 1000) : '';
};

/** Buttons that move money or decide need their box ticked. */
function confirmed(body: unknown): void {
  if (typedValues(body).confirm !== 'yes')
    throw new ValidationFailedError(words('errors.admin.confirmBox'));
}

/**
 * Awards and tranches in the back office: proposals awaiting approval (approve / reject,
 * confirmed), one project (tranches with request / pay / reject, reports with accept / return, the
 * inspection form) and FINANCE's payment queue. The services decide; the pages hide what would be
 * refused and flash what was.
 */
@ApiExcludeController()
@Controller('admin/grants')
export class AdminGrantsAwardsController {
  constructor(
    private readonly views: AdminGrantsAwardsViews,
    private readonly awards: AwardsService,
    private readonly tranches: TranchesService,
    private readonly reports: ReportsService,
  ) {}

  @Get('awards')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  async list(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    const view = await this.views.list(ctx.locale, currentUser(req));
    return renderPage(reply, ctx, 'pages/admin/grants/awards', view);
  }

  @Get('awards/:id')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'PLANNER', 'COMMUNITY_LEADER')
  async detail(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const view = await this.views.detail(ctx.locale, currentUser(req), id);
    return renderPage(reply, ctx, 'pages/admin/grants/awards-detail', view);
  }

  @Get('tranches')
  @Allow('ADMIN', 'FINANCE')
  async queue(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    const view = await this.views.queue(ctx.locale, currentUser(req));
    return renderPage(reply, ctx, 'pages/admin/grants/awards-tranches', view);
  }

  @Post('awards/:id/approve')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  approve(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: async () => {
        confirmed(body);
        return this.awards.approve(id);
      },
      done: 'grants.awards.flash.approved',
      to: '/admin/grants/awards',
    });
  }

  @Post('awards/:id/reject')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  reject(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: async () => {
        confirmed(body);
        return this.awards.reject(id, note(body));
      },
      done: 'grants.awards.flash.rejected',
      to: '/admin/grants/awards',
    });
  }

  @Post('tranches/:id/:action')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'PLANNER', 'COMMUNITY_LEADER')
  async tranche(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Param('action') action: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const back = typedValues(body).back === 'queue' ? '/admin/grants/tranches' : null;
    const awardId = (await this.tranches.awardIdOf(id)) ?? '';
    return submitButton({
      reply,
      locale: ctx.locale,
      run: async () => {
        if (action === 'request') return this.tranches.request(id);
        confirmed(body);
        if (action === 'pay') return this.tranches.pay(id);
        if (action === 'reject') return this.tranches.reject(id, note(body));
        throw new ValidationFailedError(words('errors.admin.unknownAction', { action }));
      },
      done:
        action === 'pay'
          ? 'grants.awards.flash.paid'
          : action === 'reject'
            ? 'grants.awards.flash.rejected'
            : 'grants.awards.flash.requested',
      to: back ?? `/admin/grants/awards/${awardId}`,
    });
  }

  @Post('reports/:id/:action')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  async report(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Param('action') action: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const awardId = typedValues(body).awardId;
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => {
        if (action === 'accept') return this.reports.accept(id, note(body));
        if (action === 'return') return this.reports.return(id, note(body));
        throw new ValidationFailedError(words('errors.admin.unknownAction', { action }));
      },
      done: action === 'accept' ? 'grants.awards.flash.accepted' : 'grants.awards.flash.returned',
      to:
        typeof awardId === 'string' && /^[0-9a-f-]{36}$/i.test(awardId)
          ? `/admin/grants/awards/${awardId}`
          : '/admin/grants/awards',
    });
  }

  @Post('awards/:id/inspections')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  inspect(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const text = (k: string) => (typeof values[k] === 'string' ? values[k].trim() : '');
    return submitForm({
      reply,
      locale: ctx.locale,
      check: (): Checked<{
        inspectingBody: string;
        result: InspectionResult;
        notes: string;
        inspectedOn: string;
      }> => {
        const errors: FieldErrors = {};
        const inspectingBody = text('inspectingBody');
        const result = text('result');
        const inspectedOn = text('inspectedOn');
        if (inspectingBody.length < 1 || inspectingBody.length > 200)
          errors.inspectingBody = 'inspectingBody must be 1 to 200 characters';
        if (result !== 'PASSED' && result !== 'FAILED') errors.result = 'Choose a result';
        if (!parseCalendarDate(inspectedOn).ok)
          errors.inspectedOn = 'inspectedOn must be a real date such as 2026-09-07';
        if (Object.keys(errors).length > 0) return { value: null, errors };
        return {
          value: {
            inspectingBody,
            result: result as InspectionResult,
            notes: text('notes').slice(0, 5000),
            inspectedOn,
          },
          errors: null,
        };
      },
      again: async (errors, status, formError) => {
        const view = await this.views.detail(ctx.locale, currentUser(req), id, {
          values,
          errors,
        });
        return renderPage(
          reply,
          ctx,
          'pages/admin/grants/awards-detail',
          { ...view, inspectionError: formError },
          status,
        );
      },
      run: (form) => this.reports.recordInspection(id, form),
      done: () => ({
        flash: { kind: 'success', text: 'grants.awards.flash.inspected' },
        to: `/admin/grants/awards/${id}`,
      }),
    });
  }
}
