import { Controller, Get, Param, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../common/auth/policy.decorator';
import { uuidPipe } from '../../common/http/validation';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { contentDisposition } from '../grants/attachments/attachment-rules';
import { GrantAttachmentsService } from '../grants/attachments/attachments.service';

/**
 * Downloads of grant attachments from back-office pages (the signed-in session), with the same
 * permission by owner as the API's: every grant page links its files here (`pageUrl`).
 */
@ApiExcludeController()
@Controller('admin/grants/attachments')
export class AdminGrantsAttachmentsController {
  constructor(private readonly attachments: GrantAttachmentsService) {}

  @Get(':id')
  @Authenticated()
  async download(
    @Req() req: AuthenticatedRequest,
    @Param('id', uuidPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const { attachment, stream, size } = await this.attachments.open(id, req.actor);
    void reply
      .header('Content-Disposition', contentDisposition(attachment.fileName))
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cache-Control', 'private, no-store');
    return new StreamableFile(stream, { type: attachment.contentType, length: size });
  }
}
