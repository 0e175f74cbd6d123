import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsIn, IsString, Length } from 'class-validator';
import { Trim } from '../../../common/http/validation';
import type { ReceiptWording } from '../receipt-settings.service';

export class VoidReceiptDto {
  @ApiProperty({
    example: '捐赠人姓名写错，已重新开具',
    description: 'Why the receipt is void (kept with it, told to the donor)',
  })
  @Trim()
  @IsString({ message: 'note must be text' })
  @Length(1, 500, { message: 'note must say why the receipt is void, in 1–500 characters' })
  note!: string;
}

export class ReceiptSettingsDto implements ReceiptWording {
  @ApiProperty({ example: '某市某区某街道1号', description: 'Foundation address, Chinese (≤300)' })
  @Trim()
  @IsString({ message: 'addressZh must be text' })
  @Length(0, 300, { message: 'addressZh must be at most 300 characters' })
  addressZh!: string;

  @ApiProperty({ example: '1 Some Street, Some District', description: 'English (≤300)' })
  @Trim()
  @IsString({ message: 'addressEn must be text' })
  @Length(0, 300, { message: 'addressEn must be at most 300 characters' })
  addressEn!: string;

  @ApiProperty({ example: '公益事业捐赠收据' })
  @Trim()
  @IsString({ message: 'titleZh must be text' })
  @Length(1, 60, { message: 'titleZh must be 1–60 characters' })
  titleZh!: string;

  @ApiProperty({ example: 'Donation receipt' })
  @Trim()
  @IsString({ message: 'titleEn must be text' })
  @Length(1, 60, { message: 'titleEn must be 1–60 characters' })
  titleEn!: string;

  @ApiProperty({ description: 'That nothing was given in return, in Chinese (1–1000)' })
  @Trim()
  @IsString({ message: 'statementZh must be text' })
  @Length(1, 1000, { message: 'statementZh must be 1–1000 characters' })
  statementZh!: string;

  @ApiProperty({ description: 'The same in English (1–1000)' })
  @Trim()
  @IsString({ message: 'statementEn must be text' })
  @Length(1, 1000, { message: 'statementEn must be 1–1000 characters' })
  statementEn!: string;

  @ApiProperty({ example: '理事长 王芳', description: 'Who signs (≤100; may be empty)' })
  @Trim()
  @IsString({ message: 'signatory must be text' })
  @Length(0, 100, { message: 'signatory must be at most 100 characters' })
  signatory!: string;
}

export class ReceiptPreferenceForm {
  @IsIn(['EACH_GIFT', 'ANNUAL_ONLY'], { message: 'receipts.portal.chooseMode' })
  mode!: 'EACH_GIFT' | 'ANNUAL_ONLY';
}

/** The back office's void form: a reason and the ticked confirmation (a risky step). */
export class VoidReceiptForm {
  @Trim()
  @IsString({ message: 'receipts.admin.noteRequired' })
  @Length(1, 500, { message: 'receipts.admin.noteRequired' })
  note!: string;

  @Equals('yes', { message: 'receipts.admin.confirmRequired' })
  confirm!: string;
}
