import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.dto';
import { Trim } from '../../../common/http/validation';
import { SUPPORTED_CURRENCIES } from '../../../common/money';
import { LOCALES, type Locale } from '../foundation.entity';

export class FoundationProfileDto {
  @ApiProperty({ example: '某区社区发展基金会' })
  @Trim()
  @IsString()
  @Length(1, 200, { message: 'legalNameZh must be 1–200 characters' })
  legalNameZh!: string;

  @ApiProperty({ example: 'District Community Development Foundation' })
  @Trim()
  @IsString()
  @Length(1, 200, { message: 'legalNameEn must be 1–200 characters' })
  legalNameEn!: string;

  @ApiProperty({
    description: 'Unified social credit code (统一社会信用代码)',
    example: '53440300MJL123456X',
  })
  @Trim()
  @IsString()
  @Length(1, 40, { message: 'registrationNumber must be 1–40 characters' })
  registrationNumber!: string;

  @ApiProperty({ enum: SUPPORTED_CURRENCIES, example: 'CNY' })
  @IsIn(SUPPORTED_CURRENCIES, {
    message: `currency must be one of ${SUPPORTED_CURRENCIES.join(', ')}`,
  })
  currency!: string;

  @ApiProperty({ enum: LOCALES, example: 'zh-CN' })
  @IsIn(LOCALES, { message: `defaultLocale must be one of ${LOCALES.join(', ')}` })
  defaultLocale!: Locale;

  @ApiProperty({ example: 'LX', description: 'Prefix of receipt numbers: capitals, digits and -' })
  @Trim()
  @Matches(/^[A-Z0-9-]{1,16}$/, { message: 'receiptPrefix must be 1–16 capitals, digits or -' })
  receiptPrefix!: string;

  @ApiPropertyOptional({
    description:
      'Public fundraising qualification (慈善组织公开募捐资格) as shown on campaign pages, e.g. the certificate issuer and number; empty when the foundation holds none',
    example: '成都市民政局 公开募捐资格证书 2019 第 17 号',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(0, 200, { message: 'fundraisingQualification must be at most 200 characters' })
  fundraisingQualification?: string;
}

const CODE = /^[A-Za-z0-9_-]{1,40}$/;
const CODE_MESSAGE = 'code must be 1–40 letters, digits, _ or -';

export class CreateSubdistrictDto {
  @ApiProperty({ example: 'SD01' })
  @Trim()
  @Matches(CODE, { message: CODE_MESSAGE })
  code!: string;

  @ApiProperty({ example: '南山街道' })
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'nameZh must be 1–100 characters' })
  nameZh!: string;

  @ApiProperty({ example: 'Nanshan Subdistrict' })
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'nameEn must be 1–100 characters' })
  nameEn!: string;
}

export class UpdateSubdistrictDto extends PartialType(CreateSubdistrictDto) {}

const HOUSEHOLDS_MESSAGE = 'households must be a whole number from 0 to 10000000';

export class CreateCommunityDto extends CreateSubdistrictDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'subdistrictId must be a subdistrict id (UUID)' })
  subdistrictId!: string;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt({ message: HOUSEHOLDS_MESSAGE })
  @Min(0, { message: HOUSEHOLDS_MESSAGE })
  @Max(10_000_000, { message: HOUSEHOLDS_MESSAGE })
  households?: number;
}

export class UpdateCommunityDto extends PartialType(CreateCommunityDto) {}

export class CommunityListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'subdistrictId must be a subdistrict id (UUID)' })
  subdistrictId?: string;
}
