import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { redirectWith } from '../../common/views/form-submit';
import { pageContext, pageLocale } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import { DonationsService } from '../donations/donations.service';

/**
 * The page behind the "stop this monthly gift" link in every email about a monthly gift: it shows
 * the gift and a button (a mail scanner opening the link stops nothing); no sign-in needed.
 */
@ApiExcludeController()
@Controller('monthly/stop')
export class MonthlyPagesController {
  constructor(private readonly donations: DonationsService) {}

  @Get(':token')
  @Public()
  async show(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('token') token: string,
  ) {
    const context = pageContext(req, reply);
    // Secrets in the address stay out of other sites' logs.
    void reply.header('referrer-policy', 'no-referrer');
    const { donation, campaign } = await this.donations.monthlyByLink(token);
    return renderPage(reply, context, 'pages/donor/stop-monthly', {
      campaignTitle: context.locale === 'en' ? campaign.titleEn : campaign.titleZh,
      amountMinor: donation.amountMinor,
      currency: donation.currency,
      startedAt: donation.succeededAt ?? donation.createdAt,
      stopped: donation.subscriptionCancelledAt !== null,
      token,
    });
  }

  @Post(':token')
  @Public()
  async stop(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('token') token: string,
  ) {
    await this.donations.stopMonthlyByLink(token);
    const lang = pageLocale(req);
    return redirectWith(reply, {
      flash: { kind: 'success', text: 'donor.monthlyStopped' },
      to: `/monthly/stop/${encodeURIComponent(token)}?lang=${lang}`,
    });
  }
}
