import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsAmountMinor, Trim } from '../../../common/http/validation';

export class CreateAllocationDto {
  @ApiProperty({ format: 'uuid', description: 'Fund the money leaves' })
  @IsUUID('all', { message: 'fromFundId must be a fund id (UUID)' })
  fromFundId!: string;

  @ApiProperty({ format: 'uuid', description: 'Fund the money arrives in' })
  @IsUUID('all', { message: 'toFundId must be a fund id (UUID)' })
  toFundId!: string;

  @IsAmountMinor()
  amountMinor!: number;

  @ApiPropertyOptional({ maxLength: 500, example: '2026年度社区基金拨付' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional({ description: 'Makes retries safe: the same key moves the money once' })
  @IsOptional()
  @Trim()
  @Matches(/^[\w:.-]{1,120}$/, {
    message: 'idempotencyKey must be 1–120 letters, digits, or : . _ -',
  })
  idempotencyKey?: string;
}

const YEAR_MESSAGE = 'year must be a whole number from 2000 to 2100, such as 2026';

export class YearlyAllocationDto {
  @ApiProperty({ example: 2026 })
  // One message for all three: decorators run bottom-up and only the first failure is reported.
  @IsInt({ message: YEAR_MESSAGE })
  @Min(2000, { message: YEAR_MESSAGE })
  @Max(2100, { message: YEAR_MESSAGE })
  year!: number;

  @IsAmountMinor({
    description:
      'Amount each active community fund receives, in minor units (20000000 = ¥200,000.00)',
  })
  amountMinor!: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Defaults to the GENERAL fund' })
  @IsOptional()
  @IsUUID('all', { message: 'sourceFundId must be a fund id (UUID)' })
  sourceFundId?: string;
}
