import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { QueryInt } from '../../../../common/http/validation';
import { PROJECT_STATUSES, type ProjectStatus } from '../public-project';

const YEAR_MESSAGE = 'year must be a whole number from 2000 to 2100';
const PAGE_MESSAGE = 'page must be a whole number from 1 to 1000';

export class DashboardQuery {
  @ApiPropertyOptional({
    minimum: 2000,
    maximum: 2100,
    description: 'Calendar year (Beijing time); default: this year',
  })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: YEAR_MESSAGE })
  @Min(2000, { message: YEAR_MESSAGE })
  @Max(2100, { message: YEAR_MESSAGE })
  year?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'One round only (its own year)' })
  @IsOptional()
  @IsUUID('all', { message: 'roundId must be a round id (UUID)' })
  roundId?: string;
}

/** The public project list's filters (query string of /projects). */
export class ProjectListQuery {
  @IsOptional()
  @QueryInt()
  @IsInt({ message: YEAR_MESSAGE })
  @Min(2000, { message: YEAR_MESSAGE })
  @Max(2100, { message: YEAR_MESSAGE })
  year?: number;

  @IsOptional()
  @IsUUID('all', { message: 'subdistrict must be a subdistrict id (UUID)' })
  subdistrict?: string;

  @IsOptional()
  @IsUUID('all', { message: 'community must be a community id (UUID)' })
  community?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'fund must be a fund code such as F-2025' })
  fund?: string;

  @IsOptional()
  @IsIn(PROJECT_STATUSES, { message: `status must be one of ${PROJECT_STATUSES.join(', ')}` })
  status?: ProjectStatus;

  @IsOptional()
  @QueryInt()
  @IsInt({ message: PAGE_MESSAGE })
  @Min(1, { message: PAGE_MESSAGE })
  @Max(1000, { message: PAGE_MESSAGE })
  page?: number;
}
