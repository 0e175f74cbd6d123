import { Controller, Get, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../../common/auth/policy.decorator';
import { CurrentActor } from '../../../common/auth/current-actor.decorator';
import type { Actor } from '../../../common/context/request-context';
import {
  registerUploadRoutes,
  type Upload,
  UploadBody,
  uploadedFile,
} from '../../../common/http/upload-parser';
import { uuidPipe } from '../../../common/http/validation';
import { InvalidAttachmentError } from '../grants.errors';
import { ATTACHMENT_MAX_BYTES, contentDisposition } from './attachment-rules';
import { GrantAttachmentsService } from './attachments.service';
import { AttachmentOwnerQuery, AttachmentUploadQuery } from './dto/attachments.dto';
import { words } from '../../../common/i18n/i18n';

export const ATTACHMENT_ROUTE = '/api/v1/grants/attachments';
export const ATTACHMENT_RAW_TYPES = ['application/pdf', 'image/*'];

registerUploadRoutes({
  url: ATTACHMENT_ROUTE,
  rawTypes: ATTACHMENT_RAW_TYPES,
  maxBytes: ATTACHMENT_MAX_BYTES,
});

@ApiTags('grants')
@Controller('api/v1/grants/attachments')
export class GrantAttachmentsController {
  constructor(private readonly attachments: GrantAttachmentsService) {}

  @Post()
  @Authenticated()
  @ApiOperation({
    summary:
      'Attach a PDF or image (≤ 10 MB, ≤ 20 per owner) to an application (its applicant, while DRAFT), a report (its submitter, while SUBMITTED) or an expense (its requester, while REQUESTED): a raw body with the file name in X-File-Name or ?name=, or multipart with one file',
  })
  @ApiConsumes('application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' } },
      required: ['file'],
    },
  })
  async add(
    @CurrentActor() actor: Actor | undefined,
    @Query() query: AttachmentUploadQuery,
    @UploadBody() upload: Upload | null,
  ) {
    if (!upload) {
      throw new InvalidAttachmentError(words('errors.grants.attachmentNotAFile'));
    }
    const file = uploadedFile(upload, 'file');
    return this.attachments.add(
      undefined,
      { ownerType: query.ownerType, ownerId: query.ownerId },
      file,
      actor,
    );
  }

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: "An application's, report's or expense's files, for those who may see them",
  })
  async list(@CurrentActor() actor: Actor | undefined, @Query() query: AttachmentOwnerQuery) {
    return {
      items: await this.attachments.listFor(
        { ownerType: query.ownerType, ownerId: query.ownerId },
        actor,
      ),
    };
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'Download one attachment (as a file, never shown inline)' })
  async download(
    @CurrentActor() actor: Actor | undefined,
    @Param('id', uuidPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const { attachment, stream, size } = await this.attachments.open(id, actor);
    void reply
      .header('Content-Disposition', contentDisposition(attachment.fileName))
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cache-Control', 'private, no-store');
    return new StreamableFile(stream, { type: attachment.contentType, length: size });
  }
}
