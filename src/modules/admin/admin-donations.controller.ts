import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { OFFLINE_GIFT_ROLES } from '../../common/auth/roles';
import { DomainError } from '../../common/errors';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { translate } from '../../common/i18n/i18n';
import { formatMoney, parseAmountField } from '../../common/money';
import { setFlash } from '../../common/views/page-context';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { DonationsService } from '../donations/donations.service';
import { MatchReleaseService } from '../donations/match-release.service';
import { OfflineGiftDto } from '../donations/dto/offline-gift.dto';
import { OfflineGiftsService } from '../donations/offline-gifts.service';
import { AdminDonationsViews } from './admin-donations.views';
import {
  type AdminContext,
  adminContext,
  domainErrorStatus,
  domainErrorText,
  localizeErrors,
  renderAdmin,
  typedValues,
  showDomainError,
} from './admin-page';
import { DonationListForm, RefundForm, ReleaseMatchForm } from './dto/admin-forms.dto';

/** Where an offline gift's domain error is shown: beside its field, or above the form. */
const OFFLINE_ERROR_FIELD: Partial<Record<string, string>> = {
  CAMPAIGN_NOT_FOUND: 'campaignSlug',
  IDEMPOTENCY_KEY_REUSED: 'reference',
};
/** The DTO's field names → the form's, where they differ (amounts are typed as yuan). */
const OFFLINE_FIELD: Record<string, string> = { amountMinor: 'amount' };

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
  ) {}

  @Get()
  @Allow('ADMIN', 'FINANCE')
  async list(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ) {
    const ctx = adminContext(req, reply);
    const form = checkForm(DonationListForm, query);
    const errors = form.errors ? localizeErrors(form.errors, ctx.locale) : {};
    const page = await this.views.list(ctx.locale, form.value ?? {}, typedValues(query), errors);
    return renderAdmin(reply, ctx, 'pages/admin/donations', page, form.errors ? 400 : 200);
  }

  @Get('export.csv')
  @Allow('ADMIN', 'FINANCE')
  async exportCsv(@Res() reply: FastifyReply, @Query() query: Record<string, unknown>) {
    const form = checkForm(DonationListForm, query);
    if (!form.value) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'campaign must be an address name, status one of the gift statuses, email an address.',
      );
    }
    const lines = await this.views.csv(form.value);
    const filename = `gifts-${new Date().toISOString().slice(0, 10)}.csv`;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(lines));
  }

  @Get('offline')
  @Allow(...OFFLINE_GIFT_ROLES)
  async offlinePage(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderAdmin(
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
    const again = (errors: FieldErrors, status: number, formError?: string) =>
      this.offlineAgain(reply, ctx, { values, errors }, status, formError);
    const currency = await this.views.currency();
    const amount = parseAmountField(text(values.amount), currency);
    // The API's rules (names, email, reference…), each message beside its field.
    const { amount: _typed, ...rest } = values;
    const dto = checkForm(OfflineGiftDto, {
      ...rest,
      amountMinor: amount.amountMinor ?? 1,
    });
    const errors: FieldErrors = {};
    if (amount.error !== null) errors.amount = translate(ctx.locale, amount.error);
    for (const [field, message] of Object.entries(dto.errors ?? {}))
      errors[OFFLINE_FIELD[field] ?? field] ??= message;
    if (!dto.value || Object.keys(errors).length > 0) return again(errors, 400);
    try {
      const { donation, replayed } = await this.offline.record(dto.value);
      setFlash(reply, {
        kind: replayed ? 'info' : 'success',
        text: translate(
          ctx.locale,
          replayed ? 'admin.donations.offlineReplayed' : 'admin.donations.offlineRecorded',
          {
            amount: formatMoney(donation.amountMinor, donation.currency, ctx.locale),
            reference: dto.value.reference,
          },
        ),
      });
      return reply.redirect(`/admin/donations/${donation.id}`, 303);
    } catch (error) {
      return showDomainError(error, ctx.locale, OFFLINE_ERROR_FIELD, again);
    }
  }

  @Post('offline/import')
  @Allow(...OFFLINE_GIFT_ROLES)
  async importOffline(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const csv = text(typedValues(body).csv);
    if (!csv.trim()) {
      return this.offlineAgain(
        reply,
        ctx,
        { csvError: translate(ctx.locale, 'admin.donations.csvEmpty') },
        400,
      );
    }
    try {
      const report = await this.offline.importCsv(csv);
      return renderAdmin(reply, ctx, 'pages/admin/offline-gifts', {
        ...(await this.views.offline(ctx.locale)),
        report,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return this.offlineAgain(
        reply,
        ctx,
        { csv, csvError: domainErrorText(error, ctx.locale) },
        domainErrorStatus(error),
      );
    }
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
    return renderAdmin(reply, ctx, 'pages/admin/donation', {
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
    const again = async (errors: FieldErrors, status: number, formError?: string) =>
      renderAdmin(
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
      );
    const form = checkForm(ReleaseMatchForm, body);
    if (!form.value) return again(localizeErrors(form.errors, ctx.locale), 400);
    try {
      const gift = await this.matchRelease.release(id);
      setFlash(reply, {
        kind: 'success',
        text: translate(ctx.locale, 'admin.donations.giftMatch.releaseDone', {
          amount: formatMoney(gift.matchedMinor, gift.currency, ctx.locale),
        }),
      });
      return reply.redirect(`/admin/donations/${id}`, 303);
    } catch (error) {
      return showDomainError(error, ctx.locale, {}, again);
    }
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
    const again = async (errors: FieldErrors, status: number, formError?: string) =>
      renderAdmin(
        reply,
        ctx,
        'pages/admin/donation',
        {
          ...(await this.views.detail(ctx.locale, id, { values, errors })),
          canRefund: true,
          formError,
        },
        status,
      );
    const form = checkForm(RefundForm, body);
    if (!form.value) return again(localizeErrors(form.errors, ctx.locale), 400);
    const donation = await this.donations.get(id);
    let amountMinor: number | undefined;
    if (form.value.amount) {
      const amount = parseAmountField(form.value.amount, donation.currency);
      if (amount.error !== null) return again({ amount: translate(ctx.locale, amount.error) }, 400);
      amountMinor = amount.amountMinor;
    }
    try {
      const result = await this.donations.requestRefund(id, amountMinor, form.value.refundedBefore);
      setFlash(reply, {
        kind: 'success',
        text: translate(
          ctx.locale,
          result.booked ? 'admin.donations.refundBooked' : 'admin.donations.refundRequested',
          { amount: formatMoney(result.amountMinor, donation.currency, ctx.locale) },
        ),
      });
      return reply.redirect(`/admin/donations/${id}`, 303);
    } catch (error) {
      return showDomainError(error, ctx.locale, {}, again);
    }
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
    return renderAdmin(
      reply,
      ctx,
      'pages/admin/offline-gifts',
      { ...(await this.views.offline(ctx.locale, state)), formError },
      status,
    );
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
