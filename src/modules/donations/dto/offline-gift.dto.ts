import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import {
  IsAmountMinor,
  IsStrictDate,
  NoMarkup,
  Trim,
  TrimOrAbsent,
} from '../../../common/http/validation';
import { DONOR_KINDS, type DonorKind } from '../donations.types';
import { TaxReceiptDetailsDto } from './tax-receipt-details.dto';

/**
 * An offline gift (bank transfer, cash) as FINANCE records it: for a campaign (`campaignSlug`) or
 * straight into a fund (`fundCode`), exactly one of the two. Every optional field left empty is
 * absent: a cash gift may have no donor name and no email.
 */
export class OfflineGiftDto extends TaxReceiptDetailsDto {
  @ApiPropertyOptional({
    example: 'elder-meals-2026',
    description: 'The campaign the gift is for; give this or fundCode, not both',
  })
  @TrimOrAbsent()
  @IsOptional()
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, {
    message: 'campaignSlug must be a campaign slug such as elder-meals-2026',
  })
  campaignSlug?: string;

  @ApiPropertyOptional({
    example: 'CH-XJC',
    description:
      'The fund the gift goes straight into, with no campaign; give this or campaignSlug',
  })
  @TrimOrAbsent()
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, {
    message: 'fundCode must be a fund code: 1–40 letters, digits, _ or -',
  })
  fundCode?: string;

  @IsAmountMinor()
  amountMinor!: number;

  @ApiPropertyOptional({
    enum: DONOR_KINDS,
    default: 'PERSON',
    description: 'ORGANISATION: the name is a company or group, shown as given (never masked)',
  })
  @TrimOrAbsent()
  @IsOptional()
  @IsIn(DONOR_KINDS, { message: 'donorKind must be PERSON or ORGANISATION' })
  donorKind?: DonorKind;

  @ApiPropertyOptional({ example: '张伟', description: 'Left out when the donor gave no name' })
  @TrimOrAbsent()
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'donorName must be 1–100 characters' })
  @NoMarkup()
  donorName?: string;

  @ApiPropertyOptional({
    example: 'zhang.wei@example.org',
    description: 'Where the receipt is emailed; without it no email is sent',
  })
  @TrimOrAbsent()
  @IsOptional()
  @IsEmail({}, { message: 'donorEmail must be an email address (the receipt goes there)' })
  @MaxLength(254)
  donorEmail?: string;

  @ApiProperty({ enum: ['BANK', 'CASH'] })
  @IsIn(['BANK', 'CASH'], { message: 'method must be BANK or CASH' })
  method!: 'BANK' | 'CASH';

  @ApiProperty({
    description: 'Bank reference or receipt-book number: a gift is recorded once per reference',
  })
  @Trim()
  @Matches(/^[\w:./-]{1,80}$/, { message: 'validation.reference' })
  reference!: string;

  @ApiPropertyOptional({
    format: 'date',
    example: '2026-11-20',
    description:
      'The day the money was received (a Beijing calendar date; a date-time is taken as given): the gift’s date on receipts and statements. Not in the future, not before the fund existed; today when left out.',
  })
  @IsOptional()
  @IsStrictDate()
  receivedAt?: Date;

  @ApiPropertyOptional({ maxLength: 500 })
  @TrimOrAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @NoMarkup()
  message?: string;
}

export class OfflineImportDto {
  @ApiProperty({
    description:
      'CSV text with a header row: campaign_slug or fund_code (one per row),amount,donor_name,donor_email,method,reference[,received_at,message,receipt_address,receipt_tax_id,donor_kind] (amount in yuan, e.g. 500.00; donor_name and donor_email may be empty)',
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
