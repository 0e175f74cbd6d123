import { Body, Controller, Get, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Allow, Public } from '../../common/auth/policy.decorator';
import { uuidPipe } from '../../common/http/validation';
import { DonationsService } from './donations.service';
import { CreateDonationDto } from './dto/create-donation.dto';

@ApiTags('donations')
@Controller('api/v1')
export class DonationsController {
  constructor(private readonly donations: DonationsService) {}

  @Post('campaigns/:slug/donations')
  @Public()
  @ApiOperation({ summary: 'Start a gift: a PENDING donation and the checkout URL to pay it' })
  start(@Param('slug') slug: string, @Body() dto: CreateDonationDto, @Req() req: FastifyRequest) {
    return this.donations.start(slug, dto, { ip: req.ip });
  }

  @Get('donations/:id/status')
  @Public()
  @ApiOperation({ summary: 'Status of a gift (no personal data), for the thank-you page' })
  status(@Param('id', uuidPipe) id: string) {
    return this.donations.publicStatus(id);
  }

  @Get('donations/:id')
  @Allow('FINANCE', 'ADMIN')
  @ApiOperation({ summary: 'A donation with the donor’s details (FINANCE and ADMIN only)' })
  get(@Param('id', uuidPipe) id: string) {
    return this.donations.get(id);
  }
}
