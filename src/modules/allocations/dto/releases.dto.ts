import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { IsAmountMinor, Trim } from '../../../common/http/validation';
import { RELEASE_STATUSES, type ReleaseStatus } from '../release-rules';

export class RequestReleaseDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The restricted fund (COMMUNITY or PROGRAM) released from',
  })
  @IsUUID('all', { message: 'fromFundId must be a fund id (UUID)' })
  fromFundId!: string;

  @ApiProperty({ format: 'uuid', description: 'The fund the money goes to' })
  @IsUUID('all', { message: 'toFundId must be a fund id (UUID)' })
  toFundId!: string;

  @IsAmountMinor()
  amountMinor!: number;

  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    example: '项目结余，经理事会决议转入非限定性基金',
    description: 'Why the restriction is lifted: kept with the release and in the audit log',
  })
  @Trim()
  @IsString({ message: 'reason must be text' })
  @Length(1, 1000, { message: 'reason must be 1 to 1000 characters' })
  reason!: string;

  @ApiPropertyOptional({ description: 'Makes retries safe: the same key records one request' })
  @IsOptional()
  @Trim()
  @Matches(/^[\w:.-]{1,120}$/, {
    message: 'idempotencyKey must be 1–120 letters, digits, or : . _ -',
  })
  idempotencyKey?: string;
}

export class RejectReleaseDto {
  @ApiPropertyOptional({ maxLength: 1000, description: 'Why it was rejected' })
  @IsOptional()
  @Trim()
  @IsString({ message: 'note must be text' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  note?: string;
}

export class ReleaseListQuery {
  @ApiPropertyOptional({ enum: RELEASE_STATUSES })
  @IsOptional()
  @IsIn(RELEASE_STATUSES, { message: `status must be one of ${RELEASE_STATUSES.join(', ')}` })
  status?: ReleaseStatus;
}
