import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ATTACHMENT_OWNER_TYPES, type AttachmentOwnerType } from '../attachment-rules';

export class AttachmentOwnerQuery {
  @ApiProperty({ enum: ATTACHMENT_OWNER_TYPES })
  @IsIn(ATTACHMENT_OWNER_TYPES, {
    message: `ownerType must be one of ${ATTACHMENT_OWNER_TYPES.join(', ')}`,
  })
  ownerType!: AttachmentOwnerType;

  @ApiProperty({ format: 'uuid', description: 'The application, report or expense' })
  @IsUUID('all', { message: 'ownerId must be an id (UUID)' })
  ownerId!: string;
}

export class AttachmentUploadQuery extends AttachmentOwnerQuery {
  @ApiPropertyOptional({
    maxLength: 1000,
    description: 'The file name for a raw body (or send the X-File-Name header)',
  })
  @IsOptional()
  @IsString({ message: 'name must be text' })
  @MaxLength(1000, { message: 'name must be at most 1000 characters' })
  name?: string;
}
