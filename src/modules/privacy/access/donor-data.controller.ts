import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DonorOnly } from '../../../common/auth/policy.decorator';
import { pageContext } from '../../../common/views/page-context';
import { renderPage } from '../../../common/views/render-page';
import type { AuthenticatedRequest } from '../../accounts/auth.guard';
import { EXPORT_SECTIONS } from './donor-export';
import { DonorAccessService, type AccessFormat } from './donor-access.service';

const CONTENT_TYPES: Record<AccessFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/**
 * The donor portal's "download my data": a page saying what the download holds, and the
 * download itself as JSON or CSV (attachments, never cached). Only the signed-in address.
 */
@ApiExcludeController()
@Controller('donor/data')
export class DonorDataController {
  constructor(private readonly access: DonorAccessService) {}

  @Get()
  @DonorOnly()
  page(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('email') asked: unknown,
  ) {
    const ctx = pageContext(req, reply);
    const email = donorEmail(req);
    this.access.assertOwnAddress(email, asked);
    void reply.header('cache-control', 'no-store');
    return renderPage(reply, ctx, 'pages/donor/data', {
      email,
      sections: EXPORT_SECTIONS.map((s) => ({
        name: `privacy.access.section.${s}`,
        about: `privacy.access.about.${s}`,
      })),
    });
  }

  @Get('export.json')
  @DonorOnly()
  json(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('email') asked: unknown,
  ) {
    return this.send(req, reply, asked, 'json');
  }

  @Get('export.csv')
  @DonorOnly()
  csv(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query('email') asked: unknown,
  ) {
    return this.send(req, reply, asked, 'csv');
  }

  private async send(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    asked: unknown,
    format: AccessFormat,
  ) {
    const ctx = pageContext(req, reply);
    const file = await this.access.download(donorEmail(req), asked, format, ctx.locale);
    return reply
      .header('content-type', CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('cache-control', 'no-store')
      .send(file.body);
  }
}

function donorEmail(req: AuthenticatedRequest): string {
  return req.actor?.kind === 'donor' ? req.actor.email : '';
}
