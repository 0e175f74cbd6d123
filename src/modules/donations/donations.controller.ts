import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow, Public } from '../../common/auth/policy.decorator';
import { OFFLINE_GIFT_ROLES } from '../../common/auth/roles';
import { uuidPipe } from '../../common/http/validation';
import { DonationsService } from './donations.service';
import { SponsorReportService } from '../matching/sponsor-report.service';
import { MatchReleaseService } from './match-release.service';
import { CreateDonationDto } from './dto/create-donation.dto';
import { OfflineGiftDto, OfflineImportDto, RefundRequestDto } from './dto/offline-gift.dto';
import { OfflineGiftsService } from './offline-gifts.service';

@ApiTags('donations')
@Controller('api/v1')
export class DonationsController {
  constructor(
    private readonly donations: DonationsService,
    private readonly offlineGifts: OfflineGiftsService,
    private readonly matchRelease: MatchReleaseService,
    private readonly sponsorReports: SponsorReportService,
  ) {}

  @Post('campaigns/:slug/donations')
  @Public()
  @ApiOperation({ summary: 'Start a gift: a PENDING donation and the checkout URL to pay it' })
  start(@Param('slug') slug: string, @Body() dto: CreateDonationDto, @Req() req: FastifyRequest) {
    return this.donations.start(slug, dto, {
      ip: req.ip,
      acceptLanguage: req.headers['accept-language'],
      userAgent: req.headers['user-agent'],
    });
  }

  @Post('donations/:id/checkout')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Ask again for the checkout of a gift the provider was too busy to open (503 PROVIDER_BUSY)',
  })
  async resumeCheckout(@Param('id', uuidPipe) id: string, @Req() req: FastifyRequest) {
    const { checkoutUrl, donation } = await this.donations.resumeCheckout(id, {
      userAgent: req.headers['user-agent'],
    });
    return { id: donation.id, status: donation.status, checkoutUrl };
  }

  @Get('donations/:id/status')
  @Public()
  @ApiOperation({ summary: 'Status of a gift (no personal data), for the thank-you page' })
  status(@Param('id', uuidPipe) id: string) {
    return this.donations.publicStatus(id);
  }

  @Post('donations/offline')
  @Allow(...OFFLINE_GIFT_ROLES)
  @ApiOperation({ summary: 'Record a bank transfer or cash gift (once per reference)' })
  async offline(@Body() dto: OfflineGiftDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.offlineGifts.record(dto);
    void reply.status(result.replayed ? 200 : 201);
    return result;
  }

  @Post('donations/offline/import')
  @Allow(...OFFLINE_GIFT_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Import offline gifts from CSV; a report row by row' })
  async importOffline(@Body() dto: OfflineImportDto) {
    const report = await this.offlineGifts.importCsv(dto.csv);
    // Rows say why in `message`; their words are for pages.
    return { ...report, rows: report.rows.map(({ words: _words, ...row }) => row) };
  }

  @Post('donations/:id/refunds')
  @Allow('FINANCE')
  @HttpCode(202)
  @ApiOperation({ summary: 'Refund a gift in full or in part (the provider confirms by webhook)' })
  refund(@Param('id', uuidPipe) id: string, @Body() dto: RefundRequestDto) {
    return this.donations.requestRefund(id, dto.amountMinor, undefined, dto.reason);
  }

  @Post('donations/:id/match-release')
  @Allow('FINANCE')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Release a match the bot check withheld: posted now if the rule and pool allow it (409 if not withheld or released already, 422 if the rule or pool no longer allow it)',
  })
  releaseMatch(@Param('id', uuidPipe) id: string) {
    return this.matchRelease.release(id);
  }

  @Get('matching/pools/:fundId/report')
  @Allow('FINANCE', 'ADMIN')
  @ApiOperation({ summary: 'What a matching pool matched, per campaign and fund' })
  sponsorReport(@Param('fundId', uuidPipe) fundId: string) {
    return this.sponsorReports.report(fundId);
  }

  @Get('donations/:id')
  @Allow('FINANCE', 'ADMIN')
  @ApiOperation({ summary: 'A donation with the donor’s details (FINANCE and ADMIN only)' })
  get(@Param('id', uuidPipe) id: string) {
    return this.donations.get(id);
  }
}
