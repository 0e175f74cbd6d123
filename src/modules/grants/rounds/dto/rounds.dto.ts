import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsStrictDate, QueryInt, Trim } from '../../../../common/http/validation';
import {
  ROUND_STATUSES,
  TRANCHE_UNLOCKS,
  type RoundStatus,
  type TrancheUnlock,
} from '../round-rules';

const int = (field: string) => IsInt({ message: `${field} must be a whole number` });

export class TierDto {
  @ApiProperty({ example: 'first', description: 'Unique within the round: a-z, 0-9, _ or -' })
  @IsString({ message: 'tier key must be text' })
  key!: string;

  @ApiProperty({ example: '一等奖' })
  @Trim()
  @IsString({ message: 'tier nameZh must be text' })
  nameZh!: string;

  @ApiProperty({ example: 'First prize' })
  @Trim()
  @IsString({ message: 'tier nameEn must be text' })
  nameEn!: string;

  @ApiProperty({ example: 30_000_000, description: 'Design award per winner, in fen' })
  @int('tier amountMinor')
  amountMinor!: number;

  @ApiProperty({ example: 3, minimum: 1, maximum: 100, description: 'Winners in this tier' })
  @int('tier count')
  count!: number;
}

export class RubricCriterionDto {
  @ApiProperty({ example: 'need' })
  @IsString({ message: 'criterion key must be text' })
  key!: string;

  @ApiProperty({ example: '社区需求' })
  @Trim()
  @IsString({ message: 'criterion nameZh must be text' })
  nameZh!: string;

  @ApiProperty({ example: 'Community need' })
  @Trim()
  @IsString({ message: 'criterion nameEn must be text' })
  nameEn!: string;

  @ApiProperty({ example: 3, minimum: 1, description: 'Integer weight' })
  @int('criterion weight')
  weight!: number;

  @ApiProperty({ example: 0, minimum: 0, maximum: 99 })
  @int('criterion min')
  min!: number;

  @ApiProperty({ example: 10, minimum: 1, maximum: 100 })
  @int('criterion max')
  max!: number;
}

export class TrancheStepDto {
  @ApiProperty({ example: 'start' })
  @IsString({ message: 'tranche key must be text' })
  key!: string;

  @ApiProperty({ example: 40, minimum: 1, maximum: 100 })
  @int('tranche percent')
  percent!: number;

  @ApiProperty({
    enum: TRANCHE_UNLOCKS,
    description: 'What must happen before it can be requested',
  })
  @IsIn(TRANCHE_UNLOCKS, { message: `tranche unlock must be one of ${TRANCHE_UNLOCKS.join(', ')}` })
  unlock!: TrancheUnlock;
}

export class TargetDaysDto {
  @ApiProperty({ example: 5, minimum: 1, maximum: 60, description: 'Days a reviewer has' })
  @int('targetDays.review')
  review!: number;

  @ApiProperty({ example: 5, description: 'Days from submission (or proposal) to decision' })
  @int('targetDays.decision')
  decision!: number;

  @ApiProperty({ example: 5, description: 'Days from a tranche request to payment' })
  @int('targetDays.payment')
  payment!: number;

  @ApiProperty({ example: 5, description: 'Days to accept or return a report' })
  @int('targetDays.report')
  report!: number;
}

/** A round's definition (create and edit take the whole definition). */
export class RoundDefinitionDto {
  @ApiProperty({ example: '2026年度社区规划项目评审' })
  @Trim()
  @IsString({ message: 'nameZh must be text' })
  @Length(1, 200, { message: 'nameZh must be 1 to 200 characters' })
  nameZh!: string;

  @ApiProperty({ example: '2026 community project review' })
  @Trim()
  @IsString({ message: 'nameEn must be text' })
  @Length(1, 200, { message: 'nameEn must be 1 to 200 characters' })
  nameEn!: string;

  @ApiProperty({ example: 2026, minimum: 2000, maximum: 2100 })
  @IsInt({ message: 'year must be a whole number' })
  @Min(2000, { message: 'year must be 2000 to 2100' })
  @Max(2100, { message: 'year must be 2000 to 2100' })
  year!: number;

  @ApiProperty({
    format: 'date-time',
    description: 'Applications open (a bare date is 00:00 Beijing time)',
  })
  @IsStrictDate()
  applicationsOpenAt!: Date;

  @ApiProperty({ format: 'date-time', description: 'The application deadline (Beijing time)' })
  @IsStrictDate()
  applicationsCloseAt!: Date;

  @ApiProperty({ format: 'date-time', description: 'Reviews are due by then' })
  @IsStrictDate()
  reviewCloseAt!: Date;

  @ApiProperty({ type: [TierDto], description: '1–10 tiers, highest first' })
  @IsArray({ message: 'tiers must be a list' })
  @ValidateNested({ each: true })
  @Type(() => TierDto)
  tiers!: TierDto[];

  @ApiPropertyOptional({
    example: 0,
    description: 'Construction funding beside the design awards (fen)',
  })
  @IsOptional()
  @int('constructionBudgetMinor')
  constructionBudgetMinor?: number;

  @ApiProperty({ type: [RubricCriterionDto], description: '1–20 weighted criteria' })
  @IsArray({ message: 'rubric must be a list' })
  @ValidateNested({ each: true })
  @Type(() => RubricCriterionDto)
  rubric!: RubricCriterionDto[];

  @ApiPropertyOptional({ example: 80, default: 80 })
  @IsOptional()
  @int('satisfactionThresholdPct')
  satisfactionThresholdPct?: number;

  @ApiPropertyOptional({ example: 10, default: 10 })
  @IsOptional()
  @int('minEvaluators')
  minEvaluators?: number;

  @ApiProperty({
    example: 50_000_000,
    description: 'Awards above this (design + construction) need a second approver',
  })
  @int('secondApprovalAboveMinor')
  secondApprovalAboveMinor!: number;

  @ApiProperty({
    type: [TrancheStepDto],
    description: 'Construction tranches: percents sum to 100',
  })
  @IsArray({ message: 'trancheSchedule must be a list' })
  @ValidateNested({ each: true })
  @Type(() => TrancheStepDto)
  trancheSchedule!: TrancheStepDto[];

  @ApiProperty({ type: TargetDaysDto })
  @ValidateNested()
  @Type(() => TargetDaysDto)
  targetDays!: TargetDaysDto;
}

export class CreateRoundDto extends RoundDefinitionDto {
  @ApiProperty({ format: 'uuid', description: 'The fund the budget is reserved in and paid from' })
  @IsUUID('all', { message: 'sourceFundId must be a fund id (UUID)' })
  sourceFundId!: string;
}

export class StartReviewDto {
  @ApiPropertyOptional({
    description:
      'Start before the application deadline: closes applications now (otherwise refused with APPLICATIONS_STILL_OPEN)',
  })
  @IsOptional()
  @IsBoolean({ message: 'early must be true or false' })
  early?: boolean;
}

export class RoundListQuery {
  @ApiPropertyOptional({ enum: ROUND_STATUSES })
  @IsOptional()
  @IsIn(ROUND_STATUSES, { message: `status must be one of ${ROUND_STATUSES.join(', ')}` })
  status?: RoundStatus;

  @ApiPropertyOptional({ example: 2026 })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'year must be a whole number' })
  @Min(2000, { message: 'year must be 2000 to 2100' })
  @Max(2100, { message: 'year must be 2000 to 2100' })
  year?: number;
}
