import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.dto';
import { IsStrictDate } from '../../../common/http/validation';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'An action (fund.activated) or an area (fund)' })
  @IsOptional()
  @Matches(/^[a-z_.]{1,60}$/, { message: 'action must look like fund.activated or fund' })
  action?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'actorUserId must be a user id (UUID)' })
  actorUserId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(60)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entityId?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsStrictDate()
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsStrictDate()
  to?: Date;
}
