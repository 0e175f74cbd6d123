import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DonorOnly } from '../../common/auth/policy.decorator';
import { uuidPipe } from '../../common/http/validation';
import { redirectWith } from '../../common/views/form-submit';
import { pageContext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { DonationsService } from '../donations/donations.service';

/**
 * The donor portal, once signed in by magic link (the sign-in pages are the accounts module's):
 * the donor's gifts, and the button that stops a monthly gift.
 */
@ApiExcludeController()
@Controller('donor')
export class DonorPagesController {
  constructor(private readonly donations: DonationsService) {}

  @Get()
  @DonorOnly()
  async home(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = pageContext(req, reply);
    const donations = (await this.donations.historyForDonor(donorEmail(req))).map((d) => ({
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
    return renderPage(reply, ctx, 'pages/donor/home', { donations });
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
}

function donorEmail(req: AuthenticatedRequest): string {
  return req.actor?.kind === 'donor' ? req.actor.email : '';
}
