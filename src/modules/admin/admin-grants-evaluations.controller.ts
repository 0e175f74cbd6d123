import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { Allow } from '../../common/auth/policy.decorator';
import { uuidPipe } from '../../common/http/validation';
import { translate } from '../../common/i18n/i18n';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { displayCode } from '../grants/evaluations/evaluation-rules';
import { EvaluationsService } from '../grants/evaluations/evaluations.service';
import { adminContext } from './admin-page';

/**
 * The printable sheet of an evaluation's one-time codes (ADMIN, GRANTS_OFFICER): one card per
 * code with its label, the code in groups of five and a QR that opens the public page with the
 * code filled in. Used codes are greyed; print CSS drops the back office's chrome.
 */
@ApiExcludeController()
@Controller('admin/grants/evaluations')
export class AdminGrantsEvaluationsController {
  constructor(private readonly evaluations: EvaluationsService) {}

  @Get(':id/codes')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  async codes(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const { evaluation, codes } = await this.evaluations.codes(id);
    const cards = await Promise.all(
      codes.map(async (c) => ({
        label: c.label,
        code: displayCode(c.code),
        used: c.used,
        url: c.url,
        qr: await QRCode.toDataURL(c.url, { errorCorrectionLevel: 'M', margin: 1, width: 240 }),
      })),
    );
    return renderPage(reply, ctx, 'pages/admin/grants/evaluations-codes', {
      title: translate(ctx.locale, 'grants.evaluations.codes.title', {
        project: evaluation.project.title,
        seq: evaluation.seq,
      }),
      evaluation: {
        status: translate(ctx.locale, `grants.evaluations.status.${evaluation.status}`),
        closesAt: evaluation.closesAt,
        responses: evaluation.tally.responses,
        minResponses: evaluation.minResponses,
        thresholdPct: evaluation.thresholdPct,
        overdue: evaluation.overdue,
      },
      cards,
      used: codes.filter((c) => c.used).length,
      total: codes.length,
    });
  }
}
