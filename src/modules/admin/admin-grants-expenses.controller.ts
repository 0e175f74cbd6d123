import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, AllowForFund } from '../../common/auth/policy.decorator';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { multipartFields } from '../../common/http/multipart';
import {
  isUpload,
  registerUploadRoutes,
  type Upload,
  uploadedFile,
} from '../../common/http/upload-parser';
import { uuidPipe } from '../../common/http/validation';
import { type SupportedLocale, translate } from '../../common/i18n/i18n';
import { parseAmountField } from '../../common/money';
import { formatMoney } from '../../common/money';
import { type Checked, submitForm } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { ATTACHMENT_MAX_BYTES } from '../grants/attachments/attachment-rules';
import type { AttachmentFile } from '../grants/attachments/attachments.service';
import { EXPENSE_STATUSES, type ExpenseStatus } from '../grants/expenses/expense-rules';
import { ExpensesService } from '../grants/expenses/expenses.service';
import { type AdminContext, adminContext, currentUser } from './admin-page';
import { AdminGrantsExpensesViews, type ExpenseNotice } from './admin-grants-expenses.views';
import { fieldText } from './admin-view-helpers';
import { ExpenseRequestForm } from './dto/grants-expense-forms.dto';

export const EXPENSE_FORM_ROUTE = '/admin/funds/:id/expenses';

// The request form posts multipart/form-data: its fields and the invoice in field "invoice".
registerUploadRoutes({
  url: EXPENSE_FORM_ROUTE,
  rawTypes: [],
  maxBytes: ATTACHMENT_MAX_BYTES,
  pageForm: true,
});

/** Where a request's domain error is shown: beside its field, or above the form. */
const REQUEST_ERROR_FIELD: Partial<Record<string, string>> = {
  INSUFFICIENT_FUND_BALANCE: 'amount',
  INVALID_ATTACHMENT: 'invoice',
  ATTACHMENT_TOO_LARGE: 'invoice',
  VALIDATION_FAILED: 'invoice',
};

const STAFF = ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'] as const;

/**
 * Fund expenses in the back office: FINANCE's queue (requested ones by due date, pay and reject
 * each confirmed), one expense with its invoice, and the request form from a fund (its leaders
 * and staff) with the invoice upload. The service decides who may act; the pages hide the rest.
 */
@ApiExcludeController()
@Controller('admin')
export class AdminGrantsExpensesController {
  constructor(
    private readonly views: AdminGrantsExpensesViews,
    private readonly expenses: ExpensesService,
  ) {}

  @Get('expenses')
  @Allow(...STAFF)
  async list(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query() query: unknown,
  ) {
    const ctx = adminContext(req, reply);
    return this.renderList(reply, ctx, req, 200, filterOf(query));
  }

  @Get('expenses/:id')
  @Allow(...STAFF)
  async detail(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    return this.renderDetail(reply, ctx, req, id, 200);
  }

  @Post('expenses/:id/pay')
  @Allow('FINANCE')
  pay(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    return this.decide(req, reply, id, body, 'pay');
  }

  @Post('expenses/:id/reject')
  @Allow('FINANCE', 'ADMIN')
  reject(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    return this.decide(req, reply, id, body, 'reject');
  }

  @Post('expenses/:id/withdraw')
  @Allow(...STAFF)
  withdraw(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    return this.decide(req, reply, id, body, 'withdraw');
  }

  @Get('funds/:id/expenses/new')
  @AllowForFund('id', 'ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  async newForm(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) fundId: string,
  ) {
    const ctx = adminContext(req, reply);
    return this.renderForm(reply, ctx, fundId, 200);
  }

  @Post('funds/:id/expenses')
  @AllowForFund('id', 'ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  async request(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) fundId: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const { values, invoice } = readForm(body);
    const currency = (await this.views.form(ctx.locale, fundId)).fund.currency;
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkRequestForm(values, invoice, currency, ctx.locale),
      again: (errors, status, formError) =>
        this.renderForm(reply, ctx, fundId, status, { values, errors }, formError),
      run: (form) =>
        this.expenses.request(
          fundId,
          {
            payee: form.payee,
            purpose: form.purpose,
            amountMinor: form.amountMinor,
            idempotencyKey: `form-${form.requestKey}`,
          },
          { invoice: form.invoice },
        ),
      done: ({ expense, replayed }) => ({
        flash: {
          kind: replayed ? 'info' : 'success',
          text: translate(ctx.locale, 'grants.expenses.requested', {
            amount: formatMoney(expense.amountMinor, expense.currency, ctx.locale),
          }),
        },
        to: `/admin/expenses/${expense.id}`,
      }),
      fieldByCode: REQUEST_ERROR_FIELD,
    });
  }

  private async decide(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    id: string,
    body: unknown,
    action: 'pay' | 'reject' | 'withdraw',
  ) {
    const ctx = adminContext(req, reply);
    const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const note = fieldText(values.note).trim().slice(0, 1000);
    const back = fieldText(values.back) === 'detail' ? `/admin/expenses/${id}` : '/admin/expenses';
    return submitForm({
      reply,
      locale: ctx.locale,
      check: (): Checked<string> =>
        values.confirm === 'yes'
          ? { value: note, errors: null }
          : { value: null, errors: { confirm: 'grants.expenses.confirmNeeded' } },
      again: (errors, status, formError) => {
        const notice = { id, text: formError ?? errors.confirm ?? '' };
        return back === '/admin/expenses'
          ? this.renderList(reply, ctx, req, status, {}, notice)
          : this.renderDetail(reply, ctx, req, id, status, notice);
      },
      run: async (text) =>
        action === 'pay'
          ? (await this.expenses.pay(id, text)).expense
          : action === 'reject'
            ? this.expenses.reject(id, text)
            : this.expenses.withdraw(id, text),
      done: (expense) => ({
        flash: {
          kind: 'success',
          text: translate(ctx.locale, `grants.expenses.done.${action}`, {
            amount: formatMoney(expense.amountMinor, expense.currency, ctx.locale),
            payee: expense.payee,
          }),
        },
        to: back,
      }),
    });
  }

  private async renderList(
    reply: FastifyReply,
    ctx: AdminContext,
    req: AuthenticatedRequest,
    status: number,
    filter: { status?: ExpenseStatus; fundId?: string },
    notice?: ExpenseNotice,
  ) {
    const view = await this.views.list(ctx.locale, currentUser(req), filter, notice);
    return renderPage(reply, ctx, 'pages/admin/grants/expenses', view, status);
  }

  private async renderDetail(
    reply: FastifyReply,
    ctx: AdminContext,
    req: AuthenticatedRequest,
    id: string,
    status: number,
    notice?: ExpenseNotice,
  ) {
    const view = await this.views.detail(ctx.locale, currentUser(req), id, notice);
    return renderPage(reply, ctx, 'pages/admin/grants/expenses-detail', view, status);
  }

  private async renderForm(
    reply: FastifyReply,
    ctx: AdminContext,
    fundId: string,
    status: number,
    form?: { values: Record<string, unknown>; errors: FieldErrors },
    formError?: string,
  ) {
    const view = await this.views.form(ctx.locale, fundId, form);
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/expenses-new',
      { ...view, formError },
      status,
    );
  }
}

function filterOf(query: unknown): { status?: ExpenseStatus; fundId?: string } {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const status = fieldText(q.status);
  const fundId = fieldText(q.fundId);
  return {
    status: (EXPENSE_STATUSES as readonly string[]).includes(status)
      ? (status as ExpenseStatus)
      : undefined,
    fundId: /^[0-9a-f-]{36}$/i.test(fundId) ? fundId : undefined,
  };
}

/** The form's text fields and its invoice, from a multipart body (or a plain form without file). */
function readForm(body: unknown): {
  values: Record<string, unknown>;
  invoice: AttachmentFile | null;
} {
  if (isUpload(body)) {
    const values = multipartFields(body.body, body.contentType);
    return { values, invoice: invoiceOf(body) };
  }
  const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return { values, invoice: null };
}

/** The form's invoice file, or null when none was chosen or the form is malformed. */
function invoiceOf(upload: Upload): AttachmentFile | null {
  try {
    const file = uploadedFile(upload, 'invoice');
    return file.data.length > 0 ? { data: file.data, fileName: file.fileName } : null;
  } catch {
    return null;
  }
}

function checkRequestForm(
  values: Record<string, unknown>,
  invoice: AttachmentFile | null,
  currency: string,
  locale: SupportedLocale,
): Checked<ExpenseRequestForm & { amountMinor: number; invoice: AttachmentFile }> {
  const form = checkForm(ExpenseRequestForm, values, locale);
  const amount = parseAmountField(fieldText(values.amount), currency);
  const errors: FieldErrors = { ...form.errors };
  if (amount.error !== null) errors.amount ??= amount.error;
  if (!invoice) errors.invoice = 'grants.expenses.invoiceNeeded';
  if (!form.value || amount.error !== null || !invoice || Object.keys(errors).length > 0) {
    return { value: null, errors };
  }
  return { value: { ...form.value, amountMinor: amount.amountMinor, invoice }, errors: null };
}
