import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { OFFLINE_GIFT_ROLES } from '../../common/auth/roles';
import { checkForm, checkQuery, type FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { say, translate } from '../../common/i18n/i18n';
import { formatMoney, parseAmountField } from '../../common/money';
import {
  type Checked,
  localizeErrors,
  submitButton,
  submitForm,
  typedValues,
} from '../../common/views/form-submit';
import { confirmStep } from '../../common/views/confirm-step';
import { renderPage } from '../../common/views/render-page';
import { DonorExportAudit } from '../audit/donor-exports';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { DonationsService } from '../donations/donations.service';
import { MatchReleaseService } from '../donations/match-release.service';
import { OfflineGiftDto } from '../donations/dto/offline-gift.dto';
import { OfflineGiftsService } from '../donations/offline-gifts.service';
import { VoidReceiptForm } from '../receipts/dto/receipt-requests.dto';
import { ReceiptDeliveryService } from '../receipts/receipt-delivery.service';
import { ReceiptNotFoundError } from '../receipts/receipts.errors';
import { ReceiptsService } from '../receipts/receipts.service';
import { AdminDonationsViews } from './admin-donations.views';
import { type AdminContext, adminContext, currentUser } from './admin-page';
import { fieldText } from './admin-view-helpers';
import { DonationListForm, RefundForm, ReleaseMatchForm } from './dto/admin-forms.dto';

/** Where an offline gift's domain error is shown: beside its field, or above the form. */
const OFFLINE_ERROR_FIELD: Partial<Record<string, string>> = {
  CAMPAIGN_NOT_FOUND: 'campaignSlug',
  GIFT_TARGET_INVALID: 'campaignSlug',
  FUND_NOT_FOUND: 'fundCode',
  FUND_NOT_ACTIVE: 'fundCode',
  RECEIVED_DATE_INVALID: 'receivedAt',
  IDEMPOTENCY_KEY_REUSED: 'reference',
};
/** The DTO's field names → the form's, where they differ (amounts are typed as yuan). */
const OFFLINE_FIELD: Record<string, string> = { amountMinor: 'amount' };
/** The tax fields' messages in the reader's language (the DTO's are the API's, in English). */
const OFFLINE_FIELD_MESSAGE: Record<string, string> = {
  receiptAddress: 'campaign.taxAddressInvalid',
  receiptTaxId: 'campaign.taxIdInvalid',
};

/**
 * Gifts in the back office (FINANCE, ADMIN: donor data): the list with filters, one gift with its
 * refund form, and offline gifts (bank transfer, cash) one by one or pasted as CSV.
 */
@ApiExcludeController()
@Controller('admin/donations')
export class AdminDonationsController {
  constructor(
    private readonly views: AdminDonationsViews,
    private readonly donations: DonationsService,
    private readonly offline: OfflineGiftsService,
    private readonly matchRelease: MatchReleaseService,
    private readonly receipts: ReceiptsService,
    private readonly receiptDelivery: ReceiptDeliveryService,
    private readonly exportAudit: DonorExportAudit,
  ) {}

  @Get()
  @Allow('ADMIN', 'FINANCE')
  async list(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ) {
    const ctx = adminContext(req, reply);
    const form = checkForm(DonationListForm, query, ctx.locale);
    const errors = form.errors ? localizeErrors(form.errors, ctx.locale) : {};
    const page = await this.views.list(ctx.locale, form.value ?? {}, typedValues(query), errors);
    return renderPage(reply, ctx, 'pages/admin/donations', page, form.errors ? 400 : 200);
  }

  @Get('export.csv')
  @Allow('ADMIN', 'FINANCE')
  async exportCsv(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ) {
    const form = checkQuery(DonationListForm, query);
    const lines = await this.views.csv(form, adminContext(req, reply).locale);
    const filters = { campaign: form.campaign, status: form.status, email: form.email };
    const filename = `gifts-${new Date().toISOString().slice(0, 10)}.csv`;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(this.exportAudit.track('donations.csv', filters, lines)));
  }

  @Get('offline')
  @Allow(...OFFLINE_GIFT_ROLES)
  async offlinePage(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderPage(
      reply,
      ctx,
      'pages/admin/offline-gifts',
      await this.views.offline(ctx.locale),
    );
  }

  @Post('offline')
  @Allow(...OFFLINE_GIFT_ROLES)
  async recordOffline(
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
        const amount = parseAmountField(fieldText(values.amount), currency);
        // The API's rules (names, email, reference…), each message beside its field.
        const { amount: _typed, ...rest } = values;
        const dto = checkForm(
          OfflineGiftDto,
          { ...rest, amountMinor: amount.amountMinor ?? 1 },
          ctx.locale,
        );
        const errors: FieldErrors = {};
        if (amount.error !== null) errors.amount = amount.error;
        for (const [field, message] of Object.entries(dto.errors ?? {}))
          errors[OFFLINE_FIELD[field] ?? field] ??= OFFLINE_FIELD_MESSAGE[field] ?? message;
        return !dto.value || Object.keys(errors).length > 0
          ? { value: null, errors }
          : { value: dto.value, errors: null };
      },
      again: (errors, status, formError) =>
        this.offlineAgain(reply, ctx, { values, errors }, status, formError),
      run: (dto) => this.offline.record(dto),
      done: ({ donation, replayed }, dto) => ({
        flash: {
          kind: replayed ? 'info' : 'success',
          text: translate(
            ctx.locale,
            replayed ? 'admin.donations.offlineReplayed' : 'admin.donations.offlineRecorded',
            {
              amount: formatMoney(donation.amountMinor, donation.currency, ctx.locale),
              reference: dto.reference,
            },
          ),
        },
        to: `/admin/donations/${donation.id}`,
      }),
      fieldByCode: OFFLINE_ERROR_FIELD,
    });
  }

  @Post('offline/import')
  @Allow(...OFFLINE_GIFT_ROLES)
  async importOffline(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const csv = fieldText(typedValues(body).csv);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: (): Checked<string> =>
        csv.trim()
          ? { value: csv, errors: null }
          : { value: null, errors: { csv: 'admin.donations.csvEmpty' } },
      // A refused import keeps the pasted text; an empty one has none to keep.
      again: (errors, status, formError) =>
        this.offlineAgain(
          reply,
          ctx,
          formError === undefined ? { csvError: errors.csv } : { csv, csvError: formError },
          status,
        ),
      run: (pasted) => this.offline.importCsv(pasted),
      done: (report) => ({
        show: async () =>
          renderPage(reply, ctx, 'pages/admin/offline-gifts', {
            ...(await this.views.offline(ctx.locale)),
            report: {
              ...report,
              rows: report.rows.map(({ words: said, ...row }) => ({
                ...row,
                message: said ? say(ctx.locale, said) : row.message,
              })),
            },
          }),
      }),
    });
  }

  @Get(':id')
  @Allow('ADMIN', 'FINANCE')
  async show(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const finance = ctx.user?.roles.includes('FINANCE') ?? false;
    return renderPage(reply, ctx, 'pages/admin/donation', {
      ...(await this.views.detail(ctx.locale, id)),
      canRefund: finance,
      canRelease: finance,
    });
  }

  /** FINANCE releases a match the bot check withheld, after ticking the confirmation. */
  @Post(':id/release-match')
  @Allow('FINANCE')
  async releaseMatch(
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
      check: () => checkForm(ReleaseMatchForm, body, ctx.locale),
      again: async (errors, status, formError) =>
        renderPage(
          reply,
          ctx,
          'pages/admin/donation',
          {
            ...(await this.views.detail(ctx.locale, id, undefined, { values, errors })),
            canRefund: true,
            canRelease: true,
            formError,
          },
          status,
        ),
      run: () => this.matchRelease.release(id),
      done: (gift) => ({
        flash: {
          kind: 'success',
          text: translate(ctx.locale, 'admin.donations.giftMatch.releaseDone', {
            amount: formatMoney(gift.matchedMinor, gift.currency, ctx.locale),
          }),
        },
        to: `/admin/donations/${id}`,
      }),
    });
  }

  @Post(':id/refund')
  @Allow('FINANCE')
  async refund(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    let currency = '';
    const step = confirmStep(reply, ctx, body, req.url);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: async (): Promise<Checked<RefundRequest>> => {
        const form = checkForm(RefundForm, body, ctx.locale);
        if (!form.value) return form;
        currency = (await this.donations.get(id)).currency;
        if (!form.value.amount) return { value: { ...form.value }, errors: null };
        const amount = parseAmountField(form.value.amount, currency);
        if (amount.error !== null) return { value: null, errors: { amount: amount.error } };
        return { value: { ...form.value, amountMinor: amount.amountMinor }, errors: null };
      },
      again: async (errors, status, formError) =>
        renderPage(
          reply,
          ctx,
          'pages/admin/donation',
          {
            ...(await this.views.detail(ctx.locale, id, { values, errors })),
            canRefund: true,
            formError,
          },
          status,
        ),
      confirm: {
        step,
        page: (form) => this.views.refundConfirmation(ctx.locale, id, form),
      },
      run: (form) =>
        this.donations.requestRefund(id, form.amountMinor, form.refundedBefore, form.reason),
      done: (result) => ({
        flash: {
          kind: 'success',
          text: translate(
            ctx.locale,
            result.booked ? 'admin.donations.refundBooked' : 'admin.donations.refundRequested',
            { amount: formatMoney(result.amountMinor, currency, ctx.locale) },
          ),
        },
        to: `/admin/donations/${id}`,
      }),
    });
  }

  /** Issues the receipt of a received gift that has none yet (the queue has not reached it). */
  @Post(':id/receipt')
  @Allow('ADMIN', 'FINANCE')
  async issueReceipt(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => this.receiptDelivery.issueByStaff(id),
      done: (receipt) => ({
        kind: 'success',
        text: translate(ctx.locale, 'receipts.admin.issueDone', { number: receipt.number }),
      }),
      to: `/admin/donations/${id}`,
    });
  }

  @Post(':id/receipts/:receiptId/resend')
  @Allow('ADMIN', 'FINANCE')
  async resendReceipt(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Param('receiptId', uuidPipe) receiptId: string,
  ) {
    const ctx = adminContext(req, reply);
    const user = currentUser(req);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: async () => {
        await this.receiptOfGift(id, receiptId);
        return this.receiptDelivery.resendByStaff(receiptId, user.userId);
      },
      done: (receipt) => ({
        kind: 'success',
        text: translate(ctx.locale, 'receipts.admin.resent', {
          number: receipt.number,
          email: receipt.donorEmail,
        }),
      }),
      to: `/admin/donations/${id}`,
    });
  }

  /** Voids a receipt issued in error: a reason and a ticked confirmation; the donor is told. */
  @Post(':id/receipts/:receiptId/void')
  @Allow('ADMIN', 'FINANCE')
  async voidReceipt(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Param('receiptId', uuidPipe) receiptId: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const user = currentUser(req);
    const values = typedValues(body);
    const finance = ctx.user?.roles.includes('FINANCE') ?? false;
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkForm(VoidReceiptForm, body, ctx.locale),
      again: async (errors, status, formError) =>
        renderPage(
          reply,
          ctx,
          'pages/admin/donation',
          {
            ...(await this.views.detail(ctx.locale, id, undefined, undefined, {
              receiptId,
              values,
              errors,
            })),
            canRefund: finance,
            canRelease: finance,
            formError,
          },
          status,
        ),
      run: async (form) => {
        await this.receiptOfGift(id, receiptId);
        return this.receipts.voidByStaff(receiptId, form.note, user.userId);
      },
      done: (receipt) => ({
        flash: {
          kind: 'success',
          text: translate(ctx.locale, 'receipts.admin.voidDone', { number: receipt.number }),
        },
        to: `/admin/donations/${id}`,
      }),
    });
  }

  /** A receipt of this gift, or "not found" (a receipt id from another gift's page is refused). */
  private async receiptOfGift(donationId: string, receiptId: string) {
    const receipt = await this.receipts.get(receiptId);
    if (receipt.donationId !== donationId) throw new ReceiptNotFoundError(receiptId);
    return receipt;
  }

  private async offlineAgain(
    reply: FastifyReply,
    ctx: AdminContext,
    state: {
      values?: Record<string, unknown>;
      errors?: FieldErrors;
      csv?: string;
      csvError?: string;
    },
    status: number,
    formError?: string,
  ) {
    return renderPage(
      reply,
      ctx,
      'pages/admin/offline-gifts',
      { ...(await this.views.offline(ctx.locale, state)), formError },
      status,
    );
  }
}

type RefundRequest = RefundForm & { amountMinor?: number };
