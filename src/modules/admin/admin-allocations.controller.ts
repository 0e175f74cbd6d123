import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { translate } from '../../common/i18n/i18n';
import { formatMoney } from '../../common/money';
import { confirmStep } from '../../common/views/confirm-step';
import { submitForm, typedValues } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { AllocationsService } from '../allocations/allocations.service';
import { FundsService } from '../funds/funds.service';
import { AdminConfirmationsViews } from './admin-confirmations.views';
import { AdminFundsViews } from './admin-funds.views';
import { fieldText, type FormState, localName } from './admin-view-helpers';
import { checkMovementForm } from './movement-form';
import { type AdminContext, adminContext } from './admin-page';
import { parseAmountField } from '../../common/money';
import { TransferForm, YearlyAllocationForm } from './dto/admin-forms.dto';

/** Where an allocation's domain error is shown: beside its field, or above the forms. */
const TRANSFER_ERROR_FIELD: Partial<Record<string, string>> = {
  SAME_FUND: 'toFundId',
  INSUFFICIENT_FUND_BALANCE: 'amount',
  FUND_NOT_FOUND: 'fromFundId',
  RELEASE_REQUIRED: 'fromFundId',
  MOVEMENT_NOT_ALLOWED: 'toFundId',
};
const YEARLY_ERROR_FIELD: Partial<Record<string, string>> = {
  INSUFFICIENT_FUND_BALANCE: 'amount',
  IDEMPOTENCY_KEY_REUSED: 'amount',
  FUND_NOT_FOUND: 'sourceFundId',
  RELEASE_REQUIRED: 'sourceFundId',
};

/** Allocations (拨付) by form: one transfer between funds, or the yearly allocation. */
@ApiExcludeController()
@Controller('admin/allocations')
export class AdminAllocationsController {
  constructor(
    private readonly views: AdminFundsViews,
    private readonly allocations: AllocationsService,
    private readonly funds: FundsService,
    private readonly confirmations: AdminConfirmationsViews,
  ) {}

  @Get()
  @Allow('ADMIN', 'FINANCE')
  async page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderPage(
      reply,
      ctx,
      'pages/admin/allocations',
      await this.views.allocationsPage(ctx.locale),
    );
  }

  @Post()
  @Allow('ADMIN', 'FINANCE')
  async transfer(
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
      check: () => checkMovementForm(TransferForm, body, currency, ctx.locale),
      confirm: {
        step: confirmStep(reply, ctx, body, req.url),
        page: (form) => this.confirmations.transfer(ctx.locale, form),
      },
      again: (errors, status, formError) =>
        this.again(reply, ctx, { transfer: { values, errors } }, status, formError),
      run: (form) =>
        this.allocations.transfer({
          fromFundId: form.fromFundId,
          toFundId: form.toFundId,
          amountMinor: form.amountMinor,
          description: form.description,
          // The key came with the form: submitting it twice moves the money once.
          idempotencyKey: `form-${form.requestKey}`,
        }),
      done: async ({ replayed }, form) => {
        const [from, to] = [
          await this.funds.get(form.fromFundId),
          await this.funds.get(form.toFundId),
        ];
        return {
          flash: {
            kind: replayed ? 'info' : 'success',
            text: translate(
              ctx.locale,
              replayed ? 'admin.allocations.transferReplayed' : 'admin.allocations.transferDone',
              {
                amount: formatMoney(form.amountMinor, currency, ctx.locale),
                from: localName(ctx.locale, from.nameZh, from.nameEn),
                to: localName(ctx.locale, to.nameZh, to.nameEn),
              },
            ),
          },
          to: '/admin/allocations',
        };
      },
      fieldByCode: TRANSFER_ERROR_FIELD,
    });
  }

  @Post('yearly')
  @Allow('ADMIN', 'FINANCE')
  async yearly(
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
      check: () => {
        const form = checkForm(YearlyAllocationForm, body, ctx.locale);
        const amount = parseAmountField(fieldText(values.amount), currency);
        const errors: FieldErrors = { ...form.errors };
        if (amount.error !== null) errors.amount ??= amount.error;
        if (!form.value || amount.error !== null) return { value: null, errors };
        return { value: { ...form.value, amountMinor: amount.amountMinor }, errors: null };
      },
      again: (errors, status, formError) =>
        this.again(reply, ctx, { yearly: { values, errors } }, status, formError),
      confirm: {
        step: confirmStep(reply, ctx, body, req.url),
        page: (form) => this.confirmations.yearly(ctx.locale, form),
      },
      run: (form) =>
        this.allocations.yearly({
          year: form.year,
          amountMinor: form.amountMinor,
          sourceFundId: form.sourceFundId,
        }),
      done: (result) => ({
        flash: {
          kind: result.allocated.length > 0 ? 'success' : 'info',
          text: translate(ctx.locale, 'admin.allocations.yearlyDone', {
            year: result.year,
            count: result.allocated.length,
            amount: formatMoney(result.amountMinor, result.currency, ctx.locale),
            moved: formatMoney(result.movedMinor, result.currency, ctx.locale),
            already: result.alreadyAllocated.length,
          }),
        },
        to: '/admin/allocations',
      }),
      fieldByCode: YEARLY_ERROR_FIELD,
    });
  }

  private async again(
    reply: FastifyReply,
    ctx: AdminContext,
    forms: { transfer?: FormState; yearly?: FormState },
    status: number,
    formError?: string,
  ) {
    const view = await this.views.allocationsPage(ctx.locale, forms);
    return renderPage(reply, ctx, 'pages/admin/allocations', { ...view, formError }, status);
  }
}
