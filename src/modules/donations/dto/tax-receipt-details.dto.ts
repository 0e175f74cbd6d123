import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NoMarkup, TrimOrAbsent } from '../../../common/http/validation';

/** What a donor may give for a tax receipt, on any gift (online or offline): both optional. */
export class TaxReceiptDetailsDto {
  @ApiPropertyOptional({
    maxLength: 300,
    description:
      'For a tax receipt only: the donor’s address, printed on the receipt, never shown publicly',
  })
  @IsOptional()
  @TrimOrAbsent()
  @IsString({ message: 'receiptAddress must be text' })
  @MaxLength(300, { message: 'receiptAddress must be at most 300 characters; shorten the address' })
  @NoMarkup()
  receiptAddress?: string;

  @ApiPropertyOptional({
    maxLength: 40,
    example: '11010119900307001X',
    description:
      'For a tax receipt only: ID card number or unified social credit code (letters and digits), printed on the receipt',
  })
  @IsOptional()
  @TrimOrAbsent()
  @Matches(/^[A-Za-z0-9]{1,40}$/, {
    message:
      'receiptTaxId must be an ID card number or unified social credit code: 1–40 letters and digits, no spaces',
  })
  receiptTaxId?: string;
}
