import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.dto';
import { Trim } from '../../../common/http/validation';
import { FUND_KINDS, FUND_STATUSES, type FundKind, type FundStatus } from '../fund-status';

export class CreateFundDto {
  @ApiProperty({ enum: FUND_KINDS })
  @IsIn(FUND_KINDS, { message: `kind must be one of ${FUND_KINDS.join(', ')}` })
  kind!: FundKind;

  @ApiPropertyOptional({
    description: 'Defaults to GENERAL, C-<community code>, or one derived from the name',
  })
  @IsOptional()
  @Trim()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'code must be 1–40 letters, digits, _ or -' })
  code?: string;

  @ApiProperty({ example: '桃源社区基金' })
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'nameZh must be 1–100 characters' })
  nameZh!: string;

  @ApiProperty({ example: 'Taoyuan Community Fund' })
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'nameEn must be 1–100 characters' })
  nameEn!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000, { message: 'description must be at most 2000 characters' })
  description?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Required for COMMUNITY funds, forbidden otherwise',
  })
  @ValidateIf((o: CreateFundDto) => o.kind === 'COMMUNITY' || o.communityId !== undefined)
  @IsUUID('all', {
    message: 'communityId must be a community id (UUID); a COMMUNITY fund needs one',
  })
  communityId?: string;
}

export class UpdateFundDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'nameZh must be 1–100 characters' })
  nameZh?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'nameEn must be 1–100 characters' })
  nameEn?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000, { message: 'description must be at most 2000 characters' })
  description?: string;
}

export class FundListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FUND_KINDS })
  @IsOptional()
  @IsIn(FUND_KINDS, { message: `kind must be one of ${FUND_KINDS.join(', ')}` })
  kind?: FundKind;

  @ApiPropertyOptional({ enum: FUND_STATUSES })
  @IsOptional()
  @IsIn(FUND_STATUSES, { message: `status must be one of ${FUND_STATUSES.join(', ')}` })
  status?: FundStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'communityId must be a community id (UUID)' })
  communityId?: string;
}
