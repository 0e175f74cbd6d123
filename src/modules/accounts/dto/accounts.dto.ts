import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
} from 'class-validator';
import { ROLES, type Role } from '../../../common/auth/roles';
import { Trim } from '../../../common/http/validation';
import { LOCALES, type Locale } from '../../foundation/foundation.entity';

export class AccessDto {
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray({ message: 'roles must be a list' })
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` })
  roles!: Role[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Communities a COMMUNITY_LEADER looks after',
  })
  @IsOptional()
  @IsArray({ message: 'communityIds must be a list of community ids' })
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'each communityId must be a community id (UUID)' })
  communityIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Single funds a COMMUNITY_LEADER looks after',
  })
  @IsOptional()
  @IsArray({ message: 'fundIds must be a list of fund ids' })
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'each fundId must be a fund id (UUID)' })
  fundIds?: string[];
}

export class InviteUserDto extends AccessDto {
  @ApiProperty({ example: 'li.na@example.org' })
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;

  @ApiProperty({ example: '李娜' })
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'name must be 1–100 characters' })
  name!: string;

  @ApiPropertyOptional({ enum: LOCALES })
  @IsOptional()
  @IsIn(LOCALES, { message: `locale must be one of ${LOCALES.join(', ')}` })
  locale?: Locale;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 100, { message: 'name must be 1–100 characters' })
  name?: string;

  @ApiPropertyOptional({ enum: LOCALES })
  @IsOptional()
  @IsIn(LOCALES, { message: `locale must be one of ${LOCALES.join(', ')}` })
  locale?: Locale;

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @IsOptional()
  @IsArray({ message: 'roles must be a list' })
  @IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` })
  roles?: Role[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray({ message: 'communityIds must be a list of community ids' })
  @IsUUID('all', { each: true, message: 'each communityId must be a community id (UUID)' })
  communityIds?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray({ message: 'fundIds must be a list of fund ids' })
  @IsUUID('all', { each: true, message: 'each fundId must be a fund id (UUID)' })
  fundIds?: string[];
}
