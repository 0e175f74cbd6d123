import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { Trim } from '../../../../common/http/validation';
import { REVIEW_STATUSES, type ReviewStatus } from '../reviews.repository';

export class AssignReviewerDto {
  @ApiProperty({
    format: 'uuid',
    description: 'A user holding REVIEWER, not of the applicant community',
  })
  @IsUUID('all', { message: 'reviewerId must be a user id (UUID)' })
  reviewerId!: string;
}

export class RecuseDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    example: '申报人是我的亲属 / The applicant is my relative',
    description: 'The conflict of interest (a named relation)',
  })
  @Trim()
  @IsString({ message: 'reason must be text' })
  @Length(1, 1000, { message: 'reason must be 1 to 1000 characters' })
  reason!: string;
}

export class ScoreDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { need: 8, design: 7, feasibility: 9 },
    description: "One whole-number score per rubric criterion, within the criterion's [min, max]",
  })
  @IsObject({ message: 'scores must be an object of criterion key → whole number' })
  scores!: Record<string, number>;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @Trim()
  @IsString({ message: 'comment must be text' })
  @MaxLength(5000, { message: 'comment must be at most 5000 characters' })
  comment?: string;
}

export class ReviewListQuery {
  @ApiPropertyOptional({ enum: REVIEW_STATUSES })
  @IsOptional()
  @IsIn(REVIEW_STATUSES, { message: `status must be one of ${REVIEW_STATUSES.join(', ')}` })
  status?: ReviewStatus;
}
