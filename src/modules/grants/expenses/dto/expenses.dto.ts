import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { IsAmountMinor, Trim } from '../../../../common/http/validation';
import { EXPENSE_STATUSES, type ExpenseStatus } from '../expense-rules';

export class RequestExpenseDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 200,
    example: '社区长者食堂',
    description: 'Who is paid',
  })
  @Trim()
  @IsString({ message: 'payee must be text' })
  @Length(1, 200, { message: 'payee must be 1 to 200 characters' })
  payee!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    example: '重阳节长者活动日用品采购',
    description: 'What the money is for: shown on the fund statement',
  })
  @Trim()
  @IsString({ message: 'purpose must be text' })
  @Length(1, 1000, { message: 'purpose must be 1 to 1000 characters' })
  purpose!: string;

  @IsAmountMinor()
  amountMinor!: number;

  @ApiPropertyOptional({ description: 'Makes retries safe: the same key records one request' })
  @IsOptional()
  @Trim()
  @Matches(/^[\w:.-]{1,120}$/, {
    message: 'idempotencyKey must be 1–120 letters, digits, or : . _ -',
  })
  idempotencyKey?: string;
}

export class DecideExpenseDto {
  @ApiPropertyOptional({ maxLength: 1000, description: 'Why it was rejected (or a payment note)' })
  @IsOptional()
  @Trim()
  @IsString({ message: 'note must be text' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  note?: string;
}

export class ExpenseListQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'fundId must be a fund id (UUID)' })
  fundId?: string;

  @ApiPropertyOptional({ enum: EXPENSE_STATUSES })
  @IsOptional()
  @IsIn(EXPENSE_STATUSES, { message: `status must be one of ${EXPENSE_STATUSES.join(', ')}` })
  status?: ExpenseStatus;
}
