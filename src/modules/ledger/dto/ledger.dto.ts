import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.dto';
import { IsAmountMinor, IsStrictDate, Trim } from '../../../common/http/validation';
import { ACCOUNT_TYPES, type AccountType } from '../ledger.types';

export const MANUAL_ENTRY_KINDS = [
  'ADJUSTMENT',
  'OPENING_BALANCE',
  'OFFLINE_CONTRIBUTION',
  'EXPENSE',
] as const;
export type ManualEntryKind = (typeof MANUAL_ENTRY_KINDS)[number];

export class PostingDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'accountId must be a ledger account id (UUID)' })
  accountId!: string;

  @IsAmountMinor({
    signed: true,
    description: 'Positive: money arrives in the account; negative: it leaves',
  })
  amountMinor!: number;
}

export class CreateEntryDto {
  @ApiProperty({
    description: 'Unique per movement of money; reposting the same key is a no-op',
    example: 'adj-2026-0001',
  })
  @Trim()
  @IsString()
  @Matches(/^[\w:.-]{1,120}$/, {
    message: 'idempotencyKey must be 1–120 letters, digits, or : . _ -',
  })
  idempotencyKey!: string;

  @ApiProperty({ enum: MANUAL_ENTRY_KINDS })
  @IsIn(MANUAL_ENTRY_KINDS, { message: `kind must be one of ${MANUAL_ENTRY_KINDS.join(', ')}` })
  kind!: ManualEntryKind;

  @ApiProperty({ maxLength: 500 })
  @Trim()
  @IsString()
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description!: string;

  @ApiProperty({ type: [PostingDto], minItems: 2 })
  @IsArray({ message: 'postings must be a list of {accountId, amountMinor}' })
  @ArrayMinSize(2, { message: 'postings must have at least two entries that sum to zero' })
  @ArrayMaxSize(200, { message: 'postings may have at most 200 entries' })
  @ValidateNested({ each: true })
  @Type(() => PostingDto)
  postings!: PostingDto[];
}

export const OPENABLE_ACCOUNT_TYPES = ['EXTERNAL', 'CLEARING', 'EXPENSE', 'PAYABLE'] as const;

/** Accounts for outside parties (bank, sponsors, expenses); fund accounts come with their funds. */
export class CreateAccountDto {
  @ApiProperty({
    example: 'external:bank-icbc',
    description: 'lower-case prefix, a colon, then letters, digits, : _ -',
  })
  @Trim()
  @Matches(/^[a-z]+:[A-Za-z0-9:_-]{1,100}$/, {
    message:
      'code must look like external:bank-icbc (lower-case prefix, colon, letters, digits, : _ -)',
  })
  code!: string;

  @ApiProperty({ example: '工商银行基本户 / ICBC operating account' })
  @Trim()
  @IsString()
  @Length(1, 200, { message: 'name must be 1–200 characters' })
  name!: string;

  @ApiProperty({ enum: OPENABLE_ACCOUNT_TYPES })
  @IsIn(OPENABLE_ACCOUNT_TYPES, {
    message: `type must be one of ${OPENABLE_ACCOUNT_TYPES.join(', ')}`,
  })
  type!: (typeof OPENABLE_ACCOUNT_TYPES)[number];

  @ApiProperty({ example: 'CNY' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as CNY' })
  currency!: string;
}

export class ReverseEntryDto {
  @ApiPropertyOptional({ maxLength: 500, description: 'Why the entry is reversed' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500, { message: 'reason must be at most 500 characters' })
  reason?: string;
}

export class AccountListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ACCOUNT_TYPES })
  @IsOptional()
  @IsIn(ACCOUNT_TYPES, { message: `type must be one of ${ACCOUNT_TYPES.join(', ')}` })
  type?: AccountType;
}

export class StatementQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Postings at or after this time' })
  @IsOptional()
  @IsStrictDate()
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Postings before this time' })
  @IsOptional()
  @IsStrictDate()
  to?: Date;
}
