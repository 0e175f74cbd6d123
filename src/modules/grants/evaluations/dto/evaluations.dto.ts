import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsStrictDate, Trim } from '../../../../common/http/validation';
import { MAX_CODES } from '../evaluation-rules';

export class OpenEvaluationDto {
  @ApiProperty({
    minimum: 0,
    maximum: MAX_CODES,
    example: 12,
    description: 'Codes for resident representatives (居民代表)',
  })
  @IsInt({ message: 'residentCodes must be a whole number' })
  @Min(0, { message: 'residentCodes must be 0 or more' })
  @Max(MAX_CODES, { message: `residentCodes must be at most ${MAX_CODES}` })
  residentCodes!: number;

  @ApiProperty({
    minimum: 0,
    maximum: MAX_CODES,
    example: 4,
    description: 'Codes for stakeholders (利益相关方)',
  })
  @IsInt({ message: 'stakeholderCodes must be a whole number' })
  @Min(0, { message: 'stakeholderCodes must be 0 or more' })
  @Max(MAX_CODES, { message: `stakeholderCodes must be at most ${MAX_CODES}` })
  stakeholderCodes!: number;

  @ApiPropertyOptional({
    example: '2026-06-15T18:00+08:00',
    description: 'When responses stop (default: 14 days from now); Beijing time without an offset',
  })
  @IsOptional()
  @IsStrictDate()
  closesAt?: Date;
}

export class EvaluationResponseDto {
  @ApiProperty({
    example: 'ABCDE-FGHJK',
    description: 'The one-time evaluator code from the printed card',
  })
  @IsString({ message: 'code must be text' })
  @MaxLength(40, { message: 'code must be at most 40 characters' })
  code!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The evaluation the page was opened for; a code of another evaluation is refused',
  })
  @IsOptional()
  @IsUUID('all', { message: 'evaluationId must be an evaluation id (UUID)' })
  evaluationId?: string;

  @ApiProperty({ description: 'Satisfied with the project (满意) or not' })
  @IsBoolean({ message: 'satisfied must be true or false' })
  satisfied!: boolean;

  @ApiProperty({ minimum: 1, maximum: 5, example: 4 })
  @IsInt({ message: 'score must be a whole number from 1 to 5' })
  @Min(1, { message: 'score must be from 1 to 5' })
  @Max(5, { message: 'score must be from 1 to 5' })
  score!: number;

  @ApiPropertyOptional({ maxLength: 2000, description: 'A comment, published without the code' })
  @IsOptional()
  @Trim()
  @IsString({ message: 'comment must be text' })
  @MaxLength(2000, { message: 'comment must be at most 2000 characters' })
  comment?: string;
}

export class CancelEvaluationDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    example: '测评卡印错，重新发放',
    description: 'Why the evaluation is cancelled: kept in the audit log',
  })
  @Trim()
  @IsString({ message: 'reason must be text' })
  @Length(1, 1000, { message: 'reason must be 1 to 1000 characters' })
  reason!: string;
}
