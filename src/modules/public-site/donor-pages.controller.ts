import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DonorOnly } from '../../common/auth/policy.decorator';
import { checkForm } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { redirectWith, submitButton } from '../../common/views/form-submit';
import { pageContext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { DonationsService } from '../donations/donations.service';
import { ReceiptPreferenceForm } from '../receipts/dto/receipt-requests.dto';
import { ReceiptDeliveryService } from '../receipts/receipt-delivery.service';
import type { Receipt, ReceiptPreference } from '../receipts/receipts.types';
import { statusText } from '../../common/i18n/status-words';

const MODES: readonly ReceiptPreference[] = ['EACH_GIFT', 'ANNUAL_ONLY'];

/**
 * The donor portal, once signed in by magic link (the sign-in pages are the accounts module's):
 * the donor's gifts, the button that stops a monthly gift, their receipts (view, PDF, a copy by
 * email) and how receipts reach them (each gift, or only the annual statement).
 */
@ApiExcludeController()
@Controller('donor')
export class DonorPagesController {
  constructor(
    private readonly donations: DonationsService,
    private readonly receipts: ReceiptDeliveryService,
  ) {}

  @Get()
  @DonorOnly()
  async home(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = pageContext(req, reply);
    const email = donorEmail(req);
    const donations = (await this.donations.historyForDonor(email)).map((d) => ({
      date: d.succeededAt ?? d.createdAt,
      campaign: ctx.locale === 'en' ? d.campaign.titleEn : d.campaign.titleZh,
      amountMinor: d.amountMinor,
      currency: d.currency,
      status: d.status,
      monthly: d.monthly,
      id: d.id,
      // The first gift of a monthly subscription still running carries the "stop" button.
      stoppable: d.offersStop,
      stopped: d.monthly && !!d.subscriptionCancelledAt,
    }));
    const receipts = (await this.receipts.listForDonor(email)).map((r) =>
      receiptRow(r, ctx.locale),
    );
    const mode = await this.receipts.preference(email);
    return renderPage(reply, ctx, 'pages/donor/home', {
      donations,
      receipts,
      preference: {
        current: translate(ctx.locale, `receipts.portal.${mode}`),
        options: MODES.map((m) => ({
          value: m,
          label: `receipts.portal.${m}`,
          checked: m === mode,
        })),
      },
    });
  }

  @Post('gifts/:id/stop-monthly')
  @DonorOnly()
  async stopMonthly(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    await this.donations.stopMonthly(donorEmail(req), id);
    return redirectWith(reply, {
      flash: { kind: 'success', text: 'donor.monthlyStopped' },
      to: '/donor',
    });
  }

  /** The donor's choice: a receipt emailed for each gift, or only the annual statement. */
  @Post('receipts/preference')
  @DonorOnly()
  async setPreference(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = pageContext(req, reply);
    const form = checkForm(ReceiptPreferenceForm, body, ctx.locale);
    if (!form.value) {
      return redirectWith(reply, {
        flash: { kind: 'error', text: 'receipts.portal.chooseMode' },
        to: `/donor?lang=${ctx.locale}#receipts`,
      });
    }
    await this.receipts.setPreference(donorEmail(req), form.value.mode);
    return redirectWith(reply, {
      flash: {
        kind: 'success',
        text: translate(ctx.locale, 'receipts.portal.saved', {
          mode: translate(ctx.locale, `receipts.portal.${form.value.mode}`),
        }),
      },
      to: `/donor?lang=${ctx.locale}#receipts`,
    });
  }

  /** A copy of one of the donor's receipts, to their own address (once per ten minutes). */
  @Post('receipts/:id/resend')
  @DonorOnly()
  async resend(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = pageContext(req, reply);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => this.receipts.resendForDonor(donorEmail(req), id),
      done: (receipt) => ({
        kind: 'success',
        text: translate(ctx.locale, 'receipts.portal.resent', { number: receipt.number }),
      }),
      to: `/donor?lang=${ctx.locale}#receipts`,
    });
  }
}

function donorEmail(req: AuthenticatedRequest): string {
  return req.actor?.kind === 'donor' ? req.actor.email : '';
}

function receiptRow(r: Receipt, locale: SupportedLocale) {
  return {
    id: r.id,
    number: r.number,
    kind: statusText(locale, 'receipt', r.kind),
    amountMinor: r.amountMinor,
    currency: r.currency,
    issuedAt: r.issuedAt,
    live: r.voidedAt === null,
    voided:
      r.voidedAt === null
        ? null
        : translate(locale, 'receipts.portal.void', {
            reason: translate(locale, `receipts.voidReason.${r.voidReason ?? 'STAFF'}`),
          }),
    viewUrl: `/donor/receipts/${r.id}`,
    pdfUrl: `/donor/receipts/${r.id}/pdf`,
  };
}
