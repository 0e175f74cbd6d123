import { IsString, IsUUID, Length, Matches } from 'class-validator';
import { Trim } from '../../../common/http/validation';

/** The back office's "open an evaluation" form; messages are locale keys. */
export class OpenEvaluationForm {
  @IsUUID('all', { message: 'grants.evaluations.admin.errors.award' })
  awardId!: string;

  @Matches(/^\s*\d{1,3}\s*$/, { message: 'grants.evaluations.admin.errors.count' })
  residentCodes!: string;

  @Matches(/^\s*\d{1,3}\s*$/, { message: 'grants.evaluations.admin.errors.count' })
  stakeholderCodes!: string;

  /** A calendar date (`2026-12-20`): the evaluation closes at the end of that day, Beijing time. */
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'grants.evaluations.admin.errors.closesOn' })
  closesOn!: string;
}

/** The cancel button's form: a reason and the confirmation box. */
export class CancelEvaluationForm {
  @Trim()
  @IsString({ message: 'grants.evaluations.admin.errors.reason' })
  @Length(1, 1000, { message: 'grants.evaluations.admin.errors.reason' })
  reason!: string;

  @Matches(/^yes$/, { message: 'grants.evaluations.admin.errors.confirm' })
  confirm!: string;
}
