import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow, DonorOnly, Public } from '../../common/auth/policy.decorator';
import { uuidPipe } from '../../common/http/validation';
import { translate } from '../../common/i18n/i18n';
import { pageContext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { ReceiptPagesService } from './receipt-pages.service';
import type { Receipt } from './receipts.types';

/**
 * A receipt as a web page and as a PDF download, for its donor (signed in to the portal) and for
 * staff (ADMIN, FINANCE); and the public verification page, where anyone holding a receipt can
 * check it with its number and code.
 */
@ApiExcludeController()
@Controller()
export class ReceiptPagesController {
  constructor(private readonly pages: ReceiptPagesService) {}

  @Get('donor/receipts/:id')
  @DonorOnly()
  async donorView(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const receipt = await this.pages.forDonor(id, donorEmail(req));
    return this.view(req, reply, receipt, { back: '/donor', pdf: `/donor/receipts/${id}/pdf` });
  }

  @Get('donor/receipts/:id/pdf')
  @DonorOnly()
  async donorPdf(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    return this.download(reply, await this.pages.forDonor(id, donorEmail(req)));
  }

  @Get('admin/receipts/:id')
  @Allow('ADMIN', 'FINANCE')
  async staffView(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const receipt = await this.pages.forStaff(id);
    const back = receipt.donationId ? `/admin/donations/${receipt.donationId}` : '/admin/donations';
    return this.view(req, reply, receipt, { back, pdf: `/admin/receipts/${id}/pdf`, staff: true });
  }

  @Get('admin/receipts/:id/pdf')
  @Allow('ADMIN', 'FINANCE')
  async staffPdf(@Res() reply: FastifyReply, @Param('id', uuidPipe) id: string) {
    return this.download(reply, await this.pages.forStaff(id));
  }

  @Get('receipts/verify')
  @Public()
  async verify(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() query: unknown) {
    const ctx = pageContext(req, reply);
    const outcome = await this.pages.verify(query, req.ip, ctx.locale);
    if (outcome.kind !== 'form') void reply.header('cache-control', 'no-store');
    const status = outcome.kind === 'too many' ? 429 : 200;
    return renderPage(
      reply,
      ctx,
      'pages/receipts/verify',
      {
        title: translate(ctx.locale, 'receipts.verify.title'),
        typed: this.pages.typed(query),
        notFound: outcome.kind === 'not found',
        tooMany: outcome.kind === 'too many',
        genuine: outcome.kind === 'genuine' ? outcome.receipt : null,
      },
      status,
    );
  }

  private async view(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    receipt: Receipt,
    links: { back: string; pdf: string; staff?: boolean },
  ) {
    const ctx = pageContext(req, reply);
    const page = await this.pages.page(receipt, ctx.locale);
    return renderPage(reply, ctx, 'pages/receipts/receipt', {
      title: translate(ctx.locale, 'receipts.doc.pageTitle', { number: receipt.number }),
      ...page,
      backUrl: `${links.back}?lang=${ctx.locale}`,
      backText: translate(
        ctx.locale,
        links.staff ? 'receipts.doc.backAdmin' : 'receipts.doc.backDonor',
      ),
      pdfUrl: links.pdf,
    });
  }

  private async download(reply: FastifyReply, receipt: Receipt) {
    const { fileName, content } = await this.pages.pdf(receipt);
    const ascii = fileName.replace(/[^\w.-]/g, '_');
    return reply
      .header('content-type', 'application/pdf')
      .header(
        'content-disposition',
        `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      )
      .send(content);
  }
}

function donorEmail(req: AuthenticatedRequest): string {
  return req.actor?.kind === 'donor' ? req.actor.email : '';
}
