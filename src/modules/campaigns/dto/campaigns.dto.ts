import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  isUUID,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { MAX_AMOUNT_MINOR } from '../../../common/money';
import { PageQueryDto } from '../../../common/http/pagination.dto';
import { IsAmountMinor, IsStrictDate, Trim } from '../../../common/http/validation';
import { CAMPAIGN_STATUSES, type CampaignStatus } from '../campaign-status';

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** A locale key: validation-text.ts shows it in the reader's language. */
const SLUG_MESSAGE = 'validation.slug';
const STORY_MAX = 20_000;
export const MAX_PRESET_AMOUNTS = 8;
export const FILING_NUMBER_MAX = 100;
/** No control, format or unassigned characters (line breaks, zero-width and bidi marks…). */
const PRINTABLE = /^[^\p{C}]*$/u;
const FILING_NUMBER_MESSAGE = `filingNumber must be at most ${FILING_NUMBER_MAX} printable characters, e.g. 53510100MJ0000000X-2026-001`;

/** Slugs share the URL position with ids (/campaigns/{slug or id}), so a slug may not look like one. */
const NotUuid = () =>
  ValidateBy({
    name: 'notUuid',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !isUUID(value),
      defaultMessage: () =>
        'slug must not look like a UUID; use words, e.g. spring-wheelchairs-2026',
    },
  });

const Lower = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  );

export class CreateCampaignDto {
  @ApiProperty({ format: 'uuid', description: 'The fund the campaign raises money for' })
  @IsUUID('all', { message: 'fundId must be a fund id (UUID)' })
  fundId!: string;

  @ApiPropertyOptional({
    example: 'spring-wheelchairs-2026',
    description:
      'The public address /campaigns/{slug}; lower-cased; fixed once the campaign is live. Left out: made from the Chinese title in pinyin (chun-ji-lun-yi-mu-juan), with -2, -3… when taken',
  })
  @IsOptional()
  @Lower()
  @IsString({ message: SLUG_MESSAGE })
  @Length(3, 80, { message: SLUG_MESSAGE })
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  @NotUuid()
  slug?: string;

  @ApiProperty({ example: '春季轮椅募捐' })
  @Trim()
  @IsString()
  @Length(1, 120, { message: 'titleZh must be 1–120 characters' })
  titleZh!: string;

  @ApiPropertyOptional({
    example: 'Wheelchairs for spring',
    description: 'Optional: pages in English show the Chinese title until one is written',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 120, { message: 'titleEn must be 1–120 characters' })
  titleEn?: string;

  @ApiPropertyOptional({ description: 'Markdown (a safe subset, see docs/campaigns.md)' })
  @IsOptional()
  @IsString()
  @MaxLength(STORY_MAX, { message: `storyZh must be at most ${STORY_MAX} characters` })
  storyZh?: string;

  @ApiPropertyOptional({ description: 'Markdown (a safe subset, see docs/campaigns.md)' })
  @IsOptional()
  @IsString()
  @MaxLength(STORY_MAX, { message: `storyEn must be at most ${STORY_MAX} characters` })
  storyEn?: string;

  @IsOptional()
  @IsAmountMinor({ description: 'Goal in minor units; leave out for no goal', optional: true })
  goalMinor?: number;

  @IsOptional()
  @IsAmountMinor({
    description: 'Smallest gift in minor units (default 100 = ¥1)',
    optional: true,
  })
  minAmountMinor?: number;

  @ApiPropertyOptional({
    type: [Number],
    maxItems: MAX_PRESET_AMOUNTS,
    example: [5000, 10000, 50000],
    description: 'Amounts offered as buttons, in minor units, each at least minAmountMinor',
  })
  // class-validator runs these bottom-up and reports the first failure: shape first, then items.
  @IsOptional()
  @ArrayUnique({ message: 'presetAmountsMinor must not repeat an amount' })
  @Max(MAX_AMOUNT_MINOR, {
    each: true,
    message: `each of presetAmountsMinor must be at most ${MAX_AMOUNT_MINOR}`,
  })
  @Min(1, { each: true, message: 'each of presetAmountsMinor must be greater than zero' })
  @IsInt({
    each: true,
    message: 'each of presetAmountsMinor must be a whole number of minor units, e.g. 5000',
  })
  @ArrayMaxSize(MAX_PRESET_AMOUNTS, {
    message: `presetAmountsMinor may hold at most ${MAX_PRESET_AMOUNTS} amounts`,
  })
  @IsArray({ message: 'presetAmountsMinor must be a list of amounts in minor units' })
  presetAmountsMinor?: number[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Gifts are taken from this moment' })
  @IsOptional()
  @IsStrictDate()
  startsAt?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Gifts are taken until this moment' })
  @IsOptional()
  @IsStrictDate()
  endsAt?: Date;

  @ApiPropertyOptional({
    maxLength: FILING_NUMBER_MAX,
    example: '53510100MJ0000000X-2026-001',
    description:
      'Filing number of the fundraising plan (募捐方案备案编号), shown on the page; empty until filed',
  })
  @IsOptional()
  @Trim()
  @IsString({ message: FILING_NUMBER_MESSAGE })
  @MaxLength(FILING_NUMBER_MAX, { message: FILING_NUMBER_MESSAGE })
  @Matches(PRINTABLE, { message: FILING_NUMBER_MESSAGE })
  filingNumber?: string;
}

/** Any field but the fund; leaving a field out keeps it. */
export class UpdateCampaignDto extends PartialType(
  OmitType(CreateCampaignDto, ['fundId'] as const),
) {}

export class CampaignListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'fundId must be a fund id (UUID)' })
  fundId?: string;

  @ApiPropertyOptional({
    enum: CAMPAIGN_STATUSES,
    description: 'LIVE and ENDED by default; DRAFT for staff and the fund’s community leaders',
  })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES, { message: `status must be one of ${CAMPAIGN_STATUSES.join(', ')}` })
  status?: CampaignStatus;
}

export class CreateCampaignUpdateDto {
  @ApiProperty({ example: '第一批轮椅已送达' })
  @Trim()
  @IsString()
  @Length(1, 120, { message: 'titleZh must be 1–120 characters' })
  titleZh!: string;

  @ApiPropertyOptional({
    example: 'The first wheelchairs have arrived',
    description: 'Optional: pages in English show the Chinese title until one is written',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 120, { message: 'titleEn must be 1–120 characters' })
  titleEn?: string;

  @ApiPropertyOptional({ description: 'Markdown' })
  @IsOptional()
  @IsString()
  @MaxLength(STORY_MAX, { message: `bodyZh must be at most ${STORY_MAX} characters` })
  bodyZh?: string;

  @ApiPropertyOptional({ description: 'Markdown' })
  @IsOptional()
  @IsString()
  @MaxLength(STORY_MAX, { message: `bodyEn must be at most ${STORY_MAX} characters` })
  bodyEn?: string;
}

/**
 * The fields an edit may empty, and what empty is for each: no English title (the Chinese one is
 * shown), no goal, no start or end, no story.
 * A form sends an emptied input as "not given", so it names these explicitly (`clear`), and the
 * service writes the empty value: no caller writes null into a validated DTO.
 */
export const CLEARED_CAMPAIGN_VALUES = {
  titleEn: '',
  goalMinor: null,
  startsAt: null,
  endsAt: null,
  storyZh: '',
  storyEn: '',
  filingNumber: '',
} as const satisfies Partial<Record<keyof UpdateCampaignDto, null | ''>>;

export type ClearableCampaignField = keyof typeof CLEARED_CAMPAIGN_VALUES;
