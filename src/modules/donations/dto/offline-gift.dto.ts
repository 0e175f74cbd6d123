import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsAmountMinor, IsStrictDate, NoMarkup, Trim } from '../../../common/http/validation';
import { TaxReceiptDetailsDto } from './tax-receipt-details.dto';

export class OfflineGiftDto extends TaxReceiptDetailsDto {
  @ApiProperty({ example: 'elder-meals-2026' })
  @Trim()
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, {
    message: 'campaignSlug must be a campaign slug such as elder-meals-2026',
  })
  campaignSlug!: string;

  @IsAmountMinor()
  amountMinor!: number;

  @ApiProperty({ example: '张伟' })
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'donorName must be 1–100 characters' })
  @NoMarkup('donorName')
  donorName!: string;

  @ApiProperty({ example: 'zhang.wei@example.org' })
  @Trim()
  @IsEmail({}, { message: 'donorEmail must be an email address (the receipt goes there)' })
  @MaxLength(254)
  donorEmail!: string;

  @ApiProperty({ enum: ['BANK', 'CASH'] })
  @IsIn(['BANK', 'CASH'], { message: 'method must be BANK or CASH' })
  method!: 'BANK' | 'CASH';

  @ApiProperty({
    description: 'Bank reference or receipt-book number: a gift is recorded once per reference',
  })
  @Trim()
  @Matches(/^[\w:./-]{1,80}$/, { message: 'reference must be 1–80 letters, digits or : . / _ -' })
  reference!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsStrictDate()
  receivedAt?: Date;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500)
  @NoMarkup('message')
  message?: string;
}

export class OfflineImportDto {
  @ApiProperty({
    description:
      'CSV text with a header row: campaign_slug,amount,donor_name,donor_email,method,reference[,received_at,message,receipt_address,receipt_tax_id] (amount in yuan, e.g. 500.00)',
  })
  @IsString({ message: 'csv must be the CSV file as text' })
  @MaxLength(900_000, { message: 'csv must be under 900 kB; split larger files' })
  csv!: string;
}

export class RefundRequestDto {
  @ApiPropertyOptional({
    description: 'Minor units to refund; the whole remaining gift when left out',
  })
  @IsOptional()
  @IsAmountMinor({ optional: true })
  amountMinor?: number;

  @ApiPropertyOptional({
    example: '捐赠人重复支付',
    description: 'Why the gift is refunded; kept with the refund and shown on the gift',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 500, { message: 'reason must be 1–500 characters' })
  reason?: string;
}
