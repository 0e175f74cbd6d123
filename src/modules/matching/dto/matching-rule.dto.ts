import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDate, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { IsAmountMinor } from '../../../common/http/validation';
import { MAX_RATIO_BP, MIN_RATIO_BP } from '../matching-rule';

const MODES = ['RATIO', 'RANDOM'] as const;

/** An optional amount in minor units (IsAmountMinor documents it as required on its own). */
const OptionalAmount = (description: string) =>
  applyDecorators(IsOptional(), IsAmountMinor({ description }), ApiPropertyOptional());

/**
 * A campaign's whole matching rule (PUT replaces it): a field left out means "none" (no cap, no
 * window, no minimum). The other mode's fields are ignored. Cross-field rules (pool, window,
 * range, total cap) answer 422 INVALID_MATCHING_RULE with a problem per field.
 */
export class MatchingRuleDto {
  @ApiProperty({ format: 'uuid', description: 'An ACTIVE MATCHING fund with money in it' })
  @IsUUID('all', { message: 'poolFundId must be a matching fund id (UUID)' })
  poolFundId!: string;

  @ApiProperty({
    enum: MODES,
    description: 'RATIO: a fixed ratio (ratioBp); RANDOM: a random amount in a range',
  })
  @IsIn(MODES, { message: 'mode must be RATIO or RANDOM' })
  mode!: (typeof MODES)[number];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: MIN_RATIO_BP,
    maximum: MAX_RATIO_BP,
    example: 10_000,
    description: 'RATIO: basis points of the gift, 10000 = 1:1, 5000 = 1:0.5 (rounded down)',
  })
  @IsOptional()
  @Max(MAX_RATIO_BP, { message: `ratioBp must be at most ${MAX_RATIO_BP} (1:10)` })
  @Min(MIN_RATIO_BP, { message: `ratioBp must be at least ${MIN_RATIO_BP}` })
  @IsInt({ message: 'ratioBp must be a whole number of basis points, e.g. 10000 for 1:1' })
  ratioBp?: number;

  @OptionalAmount('RANDOM: the smallest match, in minor units')
  randomMinMinor?: number;

  @OptionalAmount('RANDOM: the largest match, in minor units (at least the smallest)')
  randomMaxMinor?: number;

  @OptionalAmount('Gifts below this are not matched (minor units; default 1)')
  minGiftMinor?: number;

  @OptionalAmount('At most this much match per gift (minor units)')
  capPerGiftMinor?: number;

  @OptionalAmount('At most this much match per donor per day (Beijing days)')
  capPerDonorDayMinor?: number;

  @OptionalAmount('At most this much match in all (not below what is matched)')
  totalCapMinor?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Matches from this moment (not before the campaign starts)',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'startsAt must be a date-time such as 2026-09-07T00:00:00+08:00' })
  startsAt?: Date;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Matches until this moment (not after the campaign ends)',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'endsAt must be a date-time such as 2026-09-09T23:59:59+08:00' })
  endsAt?: Date;

  @ApiPropertyOptional({
    default: false,
    description: 'Match the fee cover donors add too (by default the sponsor matches the gift)',
  })
  @IsOptional()
  @IsBoolean({ message: 'matchFeeCover must be true or false' })
  matchFeeCover?: boolean;
}

/** The DTO as the service's settings: what is left out is none. */
export function toRuleSettings(dto: MatchingRuleDto) {
  return {
    poolFundId: dto.poolFundId,
    mode: dto.mode,
    ratioBp: dto.ratioBp ?? null,
    randomMinMinor: dto.randomMinMinor ?? null,
    randomMaxMinor: dto.randomMaxMinor ?? null,
    minGiftMinor: dto.minGiftMinor ?? 1,
    capPerGiftMinor: dto.capPerGiftMinor ?? null,
    capPerDonorDayMinor: dto.capPerDonorDayMinor ?? null,
    totalCapMinor: dto.totalCapMinor ?? null,
    startsAt: dto.startsAt ?? null,
    endsAt: dto.endsAt ?? null,
    matchFeeCover: dto.matchFeeCover ?? false,
  };
}
