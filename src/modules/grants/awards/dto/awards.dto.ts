import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { parseCalendarDate, dateProblemKey } from '../../../../common/dates/strict-date';
import { Trim } from '../../../../common/http/validation';
import {
  AWARD_STATUSES,
  type AwardStatus,
  INSPECTION_RESULTS,
  type InspectionResult,
  REPORT_KINDS,
  type ReportKind,
} from '../award-rules';

export class ProposeAwardDto {
  @ApiProperty({ format: 'uuid', description: 'A SHORTLISTED application of this round' })
  @IsUUID('all', { message: 'applicationId must be an application id (UUID)' })
  applicationId!: string;

  @ApiProperty({ example: 'first', description: "One of the round's tier keys" })
  @Trim()
  @IsString({ message: 'tierKey must be text' })
  @Length(1, 50, { message: 'tierKey must be 1 to 50 characters' })
  tierKey!: string;

  @ApiProperty({
    minimum: 0,
    example: 50000000,
    description:
      'Construction funding in minor units (fen), 0 or at least 100; at most the application budget',
  })
  @IsInt({ message: 'constructionMinor must be a whole number of fen' })
  @Min(0, { message: 'constructionMinor must be 0 or more' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'constructionMinor is too large' })
  constructionMinor!: number;
}

export class AwardDecisionNoteDto {
  @ApiPropertyOptional({ maxLength: 1000, description: 'Why (kept with the decision)' })
  @IsOptional()
  @Trim()
  @IsString({ message: 'note must be text' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  note?: string;
}

export class AwardListQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'roundId must be a round id (UUID)' })
  roundId?: string;

  @ApiPropertyOptional({ enum: AWARD_STATUSES })
  @IsOptional()
  @IsIn(AWARD_STATUSES, { message: `status must be one of ${AWARD_STATUSES.join(', ')}` })
  status?: AwardStatus;
}

export class SubmitGrantReportDto {
  @ApiProperty({ enum: REPORT_KINDS })
  @IsIn(REPORT_KINDS, { message: `kind must be one of ${REPORT_KINDS.join(', ')}` })
  kind!: ReportKind;

  @ApiProperty({ minLength: 1, maxLength: 20000, description: 'The report for the officers' })
  @Trim()
  @IsString({ message: 'body must be text' })
  @Length(1, 20000, { message: 'body must be 1 to 20000 characters' })
  body!: string;

  @ApiPropertyOptional({ maxLength: 2000, description: 'What the public project page shows' })
  @IsOptional()
  @Trim()
  @IsString({ message: 'publicSummary must be text' })
  @MaxLength(2000, { message: 'publicSummary must be at most 2000 characters' })
  publicSummary?: string;
}

/** A calendar date `YYYY-MM-DD` read by the strict parser; kept as that text. */
const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseCalendarDate(value).ok,
      defaultMessage: (args) => {
        const value: unknown = args?.value;
        const parsed = typeof value === 'string' ? parseCalendarDate(value) : null;
        return dateProblemKey(parsed && !parsed.ok ? parsed.problem : 'format');
      },
    },
  });

export class RecordGrantInspectionDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: '区住房和建设局' })
  @Trim()
  @IsString({ message: 'inspectingBody must be text' })
  @Length(1, 200, { message: 'inspectingBody must be 1 to 200 characters' })
  inspectingBody!: string;

  @ApiProperty({ enum: INSPECTION_RESULTS })
  @IsIn(INSPECTION_RESULTS, { message: `result must be one of ${INSPECTION_RESULTS.join(', ')}` })
  result!: InspectionResult;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @Trim()
  @IsString({ message: 'notes must be text' })
  @MaxLength(5000, { message: 'notes must be at most 5000 characters' })
  notes?: string;

  @ApiProperty({ example: '2026-09-07', description: 'The day of the inspection (YYYY-MM-DD)' })
  @Trim()
  @IsCalendarDate()
  inspectedOn!: string;
}
