import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { IsAmountMinor, NoMarkup, Trim } from '../../../common/http/validation';
import { PAYMENT_METHODS, type PaymentMethod } from '../../payments/rail-choice';
import { TaxReceiptDetailsDto } from './tax-receipt-details.dto';

export class CreateDonationDto extends TaxReceiptDetailsDto {
  @IsAmountMinor({ description: 'The gift in minor units (fen): 5000 = ¥50.00' })
  amountMinor!: number;

  @ApiPropertyOptional({ example: 'CNY', description: "Must be the campaign's currency if given" })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as CNY' })
  currency?: string;

  @ApiProperty({ example: '李明' })
  @Trim()
  @IsString({ message: 'donorName must be text' })
  @Length(1, 100, { message: 'donorName must be 1–100 characters' })
  @NoMarkup()
  donorName!: string;

  @ApiProperty({ example: 'li.ming@example.org' })
  @Trim()
  @IsEmail({}, { message: 'donorEmail must be an email address' })
  @MaxLength(254)
  donorEmail!: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Required (true) when receiptAddress or receiptTaxId is given: the donor agrees their address and ID number are used for their receipt. Without it such a gift is refused with 400 TAX_CONSENT_REQUIRED',
  })
  @IsOptional()
  @IsBoolean({ message: 'receiptTaxConsent must be true or false' })
  receiptTaxConsent?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean({ message: 'anonymous must be true or false' })
  anonymous?: boolean;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500, { message: 'message must be at most 500 characters' })
  @NoMarkup()
  message?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'In honour of…' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200, { message: 'dedication must be at most 200 characters' })
  @NoMarkup()
  dedication?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Add the processing fee so the fund gets the whole gift',
  })
  @IsOptional()
  @IsBoolean({ message: 'coverFee must be true or false' })
  coverFee?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean({ message: 'monthly must be true or false' })
  monthly?: boolean;

  @ApiPropertyOptional({
    enum: PAYMENT_METHODS,
    description:
      'How the donor pays: wechat_pay, alipay or stripe (cards). Default: stripe when enabled, else the first enabled rail. Monthly gifts: stripe only.',
  })
  @IsOptional()
  @IsIn(PAYMENT_METHODS, { message: 'method must be wechat_pay, alipay or stripe' })
  method?: PaymentMethod;

  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] })
  @IsOptional()
  @IsIn(['zh-CN', 'en'], { message: 'locale must be zh-CN or en' })
  locale?: 'zh-CN' | 'en';

  @ApiPropertyOptional({ description: 'CAPTCHA response, when a CAPTCHA check is configured' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  captchaToken?: string;
}
