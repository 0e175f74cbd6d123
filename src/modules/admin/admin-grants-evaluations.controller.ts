import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import type { FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { Allow } from '../../common/auth/policy.decorator';
import { parseStrictDate } from '../../common/dates/strict-date';
import { ValidationFailedError } from '../../common/errors';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { type SupportedLocale, translate, words } from '../../common/i18n/i18n';
import {
  type Checked,
  localizeErrors,
  submitForm,
  typedValues,
} from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { displayCode, MAX_CODES } from '../grants/evaluations/evaluation-rules';
import { EvaluationsService, type OpeningForm } from '../grants/evaluations/evaluations.service';
import { type AdminContext, adminContext } from './admin-page';
import {
  AdminGrantsEvaluationsViews,
  type EvaluationNotice,
} from './admin-grants-evaluations.views';
import { CancelEvaluationForm, OpenEvaluationForm } from './dto/admin-grants-evaluations-forms.dto';
import { statusText } from '../../common/i18n/status-words';

const LIST = '/admin/grants/evaluations';

/** Where an opening refusal is shown: beside its field, or above the form. */
const OPEN_ERROR_FIELD: Partial<Record<string, string>> = {
  VALIDATION_FAILED: 'residentCodes',
};

interface OpenValue {
  awardId: string;
  residentCodes: number;
  stakeholderCodes: number;
  closesAt: Date;
}

/**
 * Resident evaluations in the back office (ADMIN, GRANTS_OFFICER): the list (open ones first,
 * with their tally and an overdue flag), the projects ready for one, the "open an evaluation"
 * form that leads to the printable codes sheet, and close / cancel buttons, each confirmed.
 */
@ApiExcludeController()
@Controller('admin/grants/evaluations')
export class AdminGrantsEvaluationsController {
  constructor(
    private readonly evaluations: EvaluationsService,
    private readonly views: AdminGrantsEvaluationsViews,
  ) {}

  @Get()
  @Allow('ADMIN', 'GRANTS_OFFICER')
  async page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return this.renderList(reply, ctx, 200);
  }

  @Get('new')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  async newForm(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('awardId', uuidPipe) awardId: string,
  ) {
    const ctx = adminContext(req, reply);
    const project = await this.evaluations.openingForm(awardId);
    return this.renderForm(reply, ctx, project, 200);
  }

  @Post('new')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  async open(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const awardId = typeof values.awardId === 'string' ? values.awardId : '';
    // A missing or unknown award is the error page's (400, 404), not a field message.
    if (!isUUID(awardId)) throw new ValidationFailedError(words('errors.admin.awardId'));
    const project = await this.evaluations.openingForm(awardId);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkOpenForm(body, project, ctx.locale),
      again: (errors, status, formError) =>
        this.renderForm(reply, ctx, project, status, values, errors, formError),
      run: (form) =>
        this.evaluations.open(form.awardId, {
          residentCodes: form.residentCodes,
          stakeholderCodes: form.stakeholderCodes,
          closesAt: form.closesAt,
        }),
      done: (opened) => ({
        flash: {
          kind: 'success',
          text: translate(ctx.locale, 'grants.evaluations.admin.opened', {
            count: opened.codes.length,
          }),
        },
        to: opened.codesUrl,
      }),
      fieldByCode: OPEN_ERROR_FIELD,
    });
  }

  @Post(':id/close')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  close(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: (): Checked<true> =>
        values.confirm === 'yes'
          ? { value: true, errors: null }
          : { value: null, errors: { confirm: 'grants.evaluations.admin.errors.confirm' } },
      // The message goes on the evaluation's card.
      again: (errors, status, formError) =>
        this.renderList(reply, ctx, status, { id, text: formError ?? errors.confirm ?? '' }),
      run: () => this.evaluations.close(id),
      done: ({ evaluation }) => ({
        flash: {
          kind: evaluation.status === 'PASSED' ? 'success' : 'info',
          text: translate(ctx.locale, `grants.evaluations.admin.closed.${evaluation.status}`, {
            responses: evaluation.resultResponses ?? 0,
          }),
        },
        to: LIST,
      }),
    });
  }

  @Post(':id/cancel')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  cancel(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const reason = typeof values.reason === 'string' ? values.reason : '';
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => {
        const checked = checkForm(CancelEvaluationForm, body, ctx.locale);
        return checked.errors
          ? { value: null, errors: checked.errors }
          : { value: checked.value.reason, errors: null };
      },
      again: (errors, status, formError) =>
        this.renderList(reply, ctx, status, {
          id,
          text: formError ?? '',
          errors,
          reason,
        }),
      run: (why) => this.evaluations.cancel(id, why),
      done: () => ({
        flash: {
          kind: 'success',
          text: translate(ctx.locale, 'grants.evaluations.admin.cancelled'),
        },
        to: LIST,
      }),
    });
  }

  @Get(':id/codes')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  async codes(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const { evaluation, codes } = await this.evaluations.codes(id);
    // Codes come in panel order, numbered 1… within each panel (as their stored labels are).
    const seen: Partial<Record<string, number>> = {};
    const numbers = codes.map((c) => (seen[c.panel] = (seen[c.panel] ?? 0) + 1));
    const cards = await Promise.all(
      codes.map(async (c, i) => ({
        label: translate(ctx.locale, `grants.evaluations.codes.label.${c.panel}`, {
          n: numbers[i],
        }),
        code: displayCode(c.code),
        used: c.used,
        url: c.url,
        qr: await QRCode.toDataURL(c.url, { errorCorrectionLevel: 'M', margin: 1, width: 240 }),
      })),
    );
    return renderPage(reply, ctx, 'pages/admin/grants/evaluations-codes', {
      title: translate(ctx.locale, 'grants.evaluations.codes.title', {
        project: evaluation.project.title,
        seq: evaluation.seq,
      }),
      evaluation: {
        status: statusText(ctx.locale, 'evaluation', evaluation.status),
        closesAt: evaluation.closesAt,
        responses: evaluation.tally.responses,
        minResponses: evaluation.minResponses,
        thresholdPct: evaluation.thresholdPct,
        overdue: evaluation.overdue,
      },
      cards,
      used: codes.filter((c) => c.used).length,
      total: codes.length,
    });
  }

  private async renderList(
    reply: FastifyReply,
    ctx: AdminContext,
    status: number,
    notice?: EvaluationNotice,
  ) {
    if (notice?.errors) notice.errors = localizeErrors(notice.errors, ctx.locale);
    const view = await this.views.list(ctx.locale, notice);
    return renderPage(reply, ctx, 'pages/admin/grants/evaluations', view, status);
  }

  private renderForm(
    reply: FastifyReply,
    ctx: AdminContext,
    project: OpeningForm,
    status: number,
    values: Record<string, unknown> = {},
    errors: FieldErrors = {},
    formError?: string,
  ) {
    const view = this.views.form(ctx.locale, project, values, errors);
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/evaluations-new',
      { ...view, formError },
      status,
    );
  }
}

/**
 * Checks the opening form: whole numbers of codes (at most MAX_CODES each, together at least the
 * round's minimum of responses) and a closing date in the future, read as the end of that day in
 * Beijing time. Every problem at once, as locale keys.
 */
function checkOpenForm(
  body: unknown,
  project: OpeningForm,
  locale: SupportedLocale,
): Checked<OpenValue> {
  const checked = checkForm(OpenEvaluationForm, body, locale);
  const errors: FieldErrors = { ...(checked.errors ?? {}) };
  const values = typedValues(body);
  const count = (field: 'residentCodes' | 'stakeholderCodes'): number | null => {
    const text = typeof values[field] === 'string' ? values[field].trim() : '';
    if (!/^\d{1,3}$/.test(text)) {
      errors[field] ??= 'grants.evaluations.admin.errors.count';
      return null;
    }
    const n = Number(text);
    if (n > MAX_CODES) errors[field] = 'grants.evaluations.admin.errors.count';
    return n;
  };
  const residents = count('residentCodes');
  const stakeholders = count('stakeholderCodes');
  if (
    residents !== null &&
    stakeholders !== null &&
    !errors.residentCodes &&
    !errors.stakeholderCodes &&
    residents + stakeholders < project.minResponses
  ) {
    // The minimum is shown beside the fields; the message says what to do.
    errors.residentCodes = 'grants.evaluations.admin.errors.tooFew';
  }
  let closesAt: Date | null = null;
  if (!errors.closesOn && typeof values.closesOn === 'string') {
    const parsed = parseStrictDate(`${values.closesOn}T23:59:59`);
    if (!parsed.ok) errors.closesOn = 'grants.evaluations.admin.errors.closesOn';
    else if (parsed.date.getTime() <= Date.now())
      errors.closesOn = 'grants.evaluations.admin.errors.closesOnPast';
    else closesAt = parsed.date;
  }
  if (Object.keys(errors).length > 0 || !closesAt || residents === null || stakeholders === null)
    return { value: null, errors };
  return {
    value: {
      awardId: project.awardId,
      residentCodes: residents,
      stakeholderCodes: stakeholders,
      closesAt,
    },
    errors: null,
  };
}
