import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { RequestContext } from '../../common/context/request-context';
import type { FieldErrors } from '../../common/http/forms';
import { multipartFields } from '../../common/http/multipart';
import { isUpload, registerUploadRoutes, uploadedFile } from '../../common/http/upload-parser';
import { uuidPipe } from '../../common/http/validation';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { parseAmountField } from '../../common/money';
import { type Checked, submitForm } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import { TransactionService } from '../../database/transaction.service';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { ATTACHMENT_MAX_BYTES } from '../grants/attachments/attachment-rules';
import {
  type AttachmentFile,
  GrantAttachmentsService,
} from '../grants/attachments/attachments.service';
import { REPORT_KINDS, type ReportKind } from '../grants/awards/award-rules';
import { ReportsService } from '../grants/awards/reports.service';
import { ApplicationsService } from '../grants/rounds/applications.service';
import { type AdminContext, adminContext, currentUser } from './admin-page';
import { AdminGrantsAwardsViews } from './admin-grants-awards.views';
import { AdminGrantsRoundsViews } from './admin-grants-rounds.views';
import { fieldText } from './admin-view-helpers';

export const APPLICATION_EDIT_ROUTE = '/admin/grants/my-applications/:id/edit';
export const REPORT_FORM_ROUTE = '/admin/grants/awards/:id/reports';
/** Photos one report form takes (fields photo1…photo3); more can follow through the API. */
export const REPORT_PHOTOS = 3;

// Both forms post multipart/form-data: their fields and the files.
registerUploadRoutes(
  {
    url: APPLICATION_EDIT_ROUTE,
    rawTypes: [],
    maxBytes: REPORT_PHOTOS * ATTACHMENT_MAX_BYTES,
    pageForm: true,
  },
  {
    url: REPORT_FORM_ROUTE,
    rawTypes: [],
    maxBytes: REPORT_PHOTOS * ATTACHMENT_MAX_BYTES,
    pageForm: true,
  },
);

/** Where a file's domain error is shown. */
const FILE_ERROR_FIELD: Partial<Record<string, string>> = {
  INVALID_ATTACHMENT: 'file',
  ATTACHMENT_TOO_LARGE: 'file',
  TOO_MANY_ATTACHMENTS: 'file',
  VALIDATION_FAILED: 'file',
};

interface DraftForm {
  title: string;
  summary: string;
  budgetLines: { item: string; amountMinor: number }[];
  file: AttachmentFile | null;
}

interface ReportForm {
  kind: ReportKind;
  body: string;
  publicSummary: string;
  photos: AttachmentFile[];
}

/**
 * The grantee's side of a grant in the back office: a DRAFT application's edit form with its
 * files (one more with each save), and report submission with photos from the project page
 * (`/admin/grants/awards/:id`). The text and its files are written in one transaction: a refused
 * file leaves nothing behind. The services decide who may do what.
 */
@ApiExcludeController()
@Controller('admin/grants')
export class AdminGrantsGranteeController {
  constructor(
    private readonly tx: TransactionService,
    private readonly applications: ApplicationsService,
    private readonly reports: ReportsService,
    private readonly attachments: GrantAttachmentsService,
    private readonly roundsViews: AdminGrantsRoundsViews,
    private readonly awardsViews: AdminGrantsAwardsViews,
  ) {}

  @Get('my-applications/:id/edit')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  async editForm(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    return this.renderDraft(reply, ctx, id, 200);
  }

  @Post('my-applications/:id/edit')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  async saveDraft(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const { values, files } = readForm(body, ['file']);
    const currency = (await this.applications.read(id)).round.currency;
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkDraft(values, files.file ?? null, currency, ctx.locale),
      again: (errors, status, formError) =>
        this.renderDraft(reply, ctx, id, status, { values, errors }, formError),
      run: (form: DraftForm) =>
        this.tx.run(async (m) => {
          const app = await this.applications.update(
            id,
            { title: form.title, summary: form.summary, budgetLines: form.budgetLines },
            { within: m },
          );
          if (form.file) {
            await this.attachments.add(
              m,
              { ownerType: 'APPLICATION', ownerId: id },
              form.file,
              RequestContext.current()?.actor,
            );
          }
          return app;
        }),
      done: (app, form) => ({
        flash: {
          kind: 'success',
          text: translate(
            ctx.locale,
            form.file ? 'grants.forms.draft.savedWithFile' : 'grants.forms.draft.saved',
            { title: app.title },
          ),
        },
        to: `/admin/grants/my-applications/${id}/edit`,
      }),
      fieldByCode: FILE_ERROR_FIELD,
    });
  }

  @Post('awards/:id/reports')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  async submitReport(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const names = Array.from({ length: REPORT_PHOTOS }, (_, i) => `photo${i + 1}`);
    const { values, files } = readForm(body, names);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () =>
        checkReport(
          values,
          names.map((n) => files[n] ?? null),
        ),
      again: async (errors, status, formError) => {
        const view = await this.awardsViews.detail(ctx.locale, currentUser(req), id, undefined, {
          values,
          errors,
        });
        return renderPage(
          reply,
          ctx,
          'pages/admin/grants/awards-detail',
          { ...view, reportError: formError },
          status,
        );
      },
      run: (form: ReportForm) =>
        this.tx.run(async (m) => {
          const report = await this.reports.submit(
            id,
            { kind: form.kind, body: form.body, publicSummary: form.publicSummary },
            { within: m },
          );
          for (const photo of form.photos) {
            await this.attachments.add(
              m,
              { ownerType: 'REPORT', ownerId: report.id },
              photo,
              RequestContext.current()?.actor,
            );
          }
          return report;
        }),
      done: (report, form) => ({
        flash: {
          kind: 'success',
          text: translate(ctx.locale, 'grants.forms.report.submitted', {
            kind: translate(ctx.locale, `grants.awards.reportKind.${report.kind}`),
            photos: form.photos.length,
          }),
        },
        to: `/admin/grants/awards/${id}`,
      }),
      fieldByCode: {
        ...FILE_ERROR_FIELD,
        INVALID_ATTACHMENT: 'photos',
        ATTACHMENT_TOO_LARGE: 'photos',
        VALIDATION_FAILED: 'photos',
        REPORT_NOT_ALLOWED: 'kind',
        REPORT_PENDING: 'kind',
      },
    });
  }

  private async renderDraft(
    reply: FastifyReply,
    ctx: AdminContext,
    id: string,
    status: number,
    form?: { values: Record<string, unknown>; errors: FieldErrors },
    formError?: string,
  ) {
    const view = await this.roundsViews.editApplication(ctx.locale, id, form);
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/forms-application',
      { ...view, formError },
      status,
    );
  }
}

/** The form's text fields and its files, from a multipart body (or a plain form without files). */
function readForm(
  body: unknown,
  fileFields: string[],
): { values: Record<string, unknown>; files: Record<string, AttachmentFile | null> } {
  if (!isUpload(body)) {
    const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    return { values, files: {} };
  }
  const values = multipartFields(body.body, body.contentType);
  const files: Record<string, AttachmentFile | null> = {};
  for (const field of fileFields) {
    try {
      const file = uploadedFile(body, field);
      files[field] = file.data.length > 0 ? { data: file.data, fileName: file.fileName } : null;
    } catch {
      files[field] = null;
    }
  }
  return { values, files };
}

/** Budget lines typed one a line as `item | amount in yuan`, or the line that cannot be read. */
export function parseBudgetLines(
  text: string,
  currency: string,
): { lines: { item: string; amountMinor: number }[]; bad: string | null } {
  const lines: { item: string; amountMinor: number }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.lastIndexOf('|');
    const item = line.slice(0, Math.max(at, 0)).trim();
    const amount = parseAmountField(line.slice(at + 1), currency);
    if (at < 1 || !item || item.length > 200 || amount.error !== null) return { lines, bad: line };
    lines.push({ item, amountMinor: amount.amountMinor });
  }
  return { lines, bad: null };
}

function checkDraft(
  values: Record<string, unknown>,
  file: AttachmentFile | null,
  currency: string,
  locale: SupportedLocale,
): Checked<DraftForm> {
  const errors: FieldErrors = {};
  const title = fieldText(values.title).trim();
  const summary = fieldText(values.summary).trim();
  if (title.length < 1 || title.length > 200) errors.title = 'grants.forms.draft.titleNeeded';
  if (summary.length > 10_000) errors.summary = 'grants.forms.draft.summaryTooLong';
  const budget = parseBudgetLines(fieldText(values.budgetLines), currency);
  if (budget.bad !== null)
    errors.budgetLines = translate(locale, 'grants.rounds.badBudgetLine', {
      line: budget.bad.slice(0, 100),
    });
  else if (budget.lines.length > 50) errors.budgetLines = 'grants.rounds.tooManyLines';
  if (Object.keys(errors).length) return { value: null, errors };
  return { value: { title, summary, budgetLines: budget.lines, file }, errors: null };
}

function checkReport(
  values: Record<string, unknown>,
  photos: (AttachmentFile | null)[],
): Checked<ReportForm> {
  const errors: FieldErrors = {};
  const kind = fieldText(values.kind);
  const body = fieldText(values.body).trim();
  const publicSummary = fieldText(values.publicSummary).trim();
  if (!(REPORT_KINDS as readonly string[]).includes(kind))
    errors.kind = 'grants.forms.report.kindNeeded';
  if (body.length < 1 || body.length > 20_000) errors.body = 'grants.forms.report.bodyNeeded';
  if (publicSummary.length > 2000) errors.publicSummary = 'grants.forms.report.summaryTooLong';
  if (Object.keys(errors).length) return { value: null, errors };
  return {
    value: {
      kind: kind as ReportKind,
      body,
      publicSummary,
      photos: photos.filter((p): p is AttachmentFile => p !== null),
    },
    errors: null,
  };
}
