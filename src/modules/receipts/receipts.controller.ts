import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../common/auth/policy.decorator';
import { UnauthenticatedError } from '../../common/errors/common.errors';
import { isUpload, registerUploadRoutes, uploadedFile } from '../../common/http/upload-parser';
import { uuidPipe } from '../../common/http/validation';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { receiptResponse } from './dto/receipt.response';
import { ReceiptSettingsDto, VoidReceiptDto } from './dto/receipt-requests.dto';
import { ReceiptDeliveryService } from './receipt-delivery.service';
import { ReceiptSettingsService, SEAL_MAX_BYTES } from './receipt-settings.service';
import { ReceiptSealInvalidError } from './receipts.errors';
import { ReceiptsService } from './receipts.service';
import { words } from '../../common/i18n/i18n';

const SEAL_TYPES = ['image/png', 'image/jpeg'];
// The seal takes a raw PNG or JPEG body, or a multipart form with the file in field "seal".
registerUploadRoutes({
  url: '/api/v1/receipts/settings/seal',
  rawTypes: SEAL_TYPES,
  maxBytes: SEAL_MAX_BYTES,
});

@ApiTags('receipts')
@Controller('api/v1')
export class ReceiptsController {
  constructor(
    private readonly receipts: ReceiptsService,
    private readonly delivery: ReceiptDeliveryService,
    private readonly settings: ReceiptSettingsService,
  ) {}

  @Get('donations/:id/receipts')
  @Allow('ADMIN', 'FINANCE')
  @ApiOperation({ summary: "A gift's receipts (voids and corrections too), each with its emails" })
  async forDonation(@Param('id', uuidPipe) id: string) {
    return { items: (await this.delivery.forDonation(id)).map(receiptResponse) };
  }

  @Post('donations/:id/receipt')
  @Allow('ADMIN', 'FINANCE')
  @ApiOperation({
    summary:
      'Issue the receipt of a received gift now, or return its live one (422 RECEIPT_GIFT_NOT_RECEIVED for a gift not received)',
  })
  async issueNow(@Param('id', uuidPipe) id: string) {
    const receipt = await this.delivery.issueByStaff(id);
    return receiptResponse(await this.delivery.one(receipt.id));
  }

  @Get('receipts/settings')
  @Allow('ADMIN')
  @ApiOperation({ summary: "The foundation's receipt wording (and whether a seal is set)" })
  getSettings() {
    return this.settings.get();
  }

  @Put('receipts/settings')
  @Allow('ADMIN')
  @ApiOperation({
    summary: 'Replace the receipt wording (new receipts use it; issued ones keep theirs)',
  })
  saveSettings(@Body() dto: ReceiptSettingsDto, @Req() req: AuthenticatedRequest) {
    return this.settings.save(dto, actorId(req));
  }

  @Put('receipts/settings/seal')
  @Allow('ADMIN')
  @ApiOperation({
    summary: 'Replace the seal or signature image (PNG or JPEG, at most 1 MB; stored again as PNG)',
  })
  @ApiConsumes('multipart/form-data', ...SEAL_TYPES)
  @ApiBody({
    schema: {
      type: 'object',
      properties: { seal: { type: 'string', format: 'binary' } },
      required: ['seal'],
    },
  })
  saveSeal(@Req() req: AuthenticatedRequest) {
    const body = req.body;
    if (!isUpload(body)) {
      throw new ReceiptSealInvalidError(words('errors.receipts.sealSend'));
    }
    return this.settings.saveSeal(uploadedFile(body, 'seal').data, actorId(req));
  }

  @Post('receipts/:id/resend')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(202)
  @ApiOperation({ summary: "Email the receipt's PDF to the donor again (a RESENT delivery)" })
  async resend(@Param('id', uuidPipe) id: string, @Req() req: AuthenticatedRequest) {
    return receiptResponse(await this.delivery.resendByStaff(id, actorId(req)));
  }

  @Post('receipts/:id/void')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Void a receipt issued in error, with the reason (409 RECEIPT_ALREADY_VOID the second time)',
  })
  async void(
    @Param('id', uuidPipe) id: string,
    @Body() dto: VoidReceiptDto,
    @Req() req: AuthenticatedRequest,
  ) {
    await this.receipts.voidByStaff(id, dto.note, actorId(req));
    return receiptResponse(await this.delivery.one(id));
  }
}

/** The signed-in staff member (the role policy has let only users through). */
function actorId(req: AuthenticatedRequest): string {
  if (req.actor?.kind !== 'user') throw new UnauthenticatedError();
  return req.actor.userId;
}
