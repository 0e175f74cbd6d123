import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsAmountMinor, Trim } from '../../../../common/http/validation';
import {
  APPLICATION_STATUSES,
  MAX_BUDGET_LINES,
  type ApplicationStatus,
} from '../application-rules';

export class BudgetLineDto {
  @ApiProperty({ example: '座椅与遮阳棚', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString({ message: 'budget line item must be text' })
  @Length(1, 200, { message: 'budget line item must be 1 to 200 characters' })
  item!: string;

  @IsAmountMinor()
  amountMinor!: number;
}

export class ApplicationFieldsDto {
  @ApiProperty({ example: '老旧小区口袋公园改造', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString({ message: 'title must be text' })
  @Length(1, 200, { message: 'title must be 1 to 200 characters' })
  title!: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @Trim()
  @IsString({ message: 'summary must be text' })
  @MaxLength(10000, { message: 'summary must be at most 10000 characters' })
  summary?: string;

  @ApiPropertyOptional({
    type: [BudgetLineDto],
    description: `At most ${MAX_BUDGET_LINES} lines; the total is computed`,
  })
  @IsOptional()
  @IsArray({ message: 'budgetLines must be a list' })
  @ArrayMaxSize(MAX_BUDGET_LINES, {
    message: `budgetLines may have at most ${MAX_BUDGET_LINES} lines`,
  })
  @ValidateNested({ each: true })
  @Type(() => BudgetLineDto)
  budgetLines?: BudgetLineDto[];
}

export class CreateApplicationDto extends ApplicationFieldsDto {
  @ApiProperty({ format: 'uuid', description: 'The community applied for (one in your scope)' })
  @IsUUID('all', { message: 'communityId must be a community id (UUID)' })
  communityId!: string;
}

export class ApplicationListQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'roundId must be a round id (UUID)' })
  roundId?: string;

  @ApiPropertyOptional({ enum: APPLICATION_STATUSES })
  @IsOptional()
  @IsIn(APPLICATION_STATUSES, {
    message: `status must be one of ${APPLICATION_STATUSES.join(', ')}`,
  })
  status?: ApplicationStatus;
}

export class DecideApplicationDto {
  @ApiPropertyOptional({ maxLength: 1000, description: 'A note for the applicant (in the email)' })
  @IsOptional()
  @Trim()
  @IsString({ message: 'note must be text' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  note?: string;
}
