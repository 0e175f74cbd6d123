import { IsString, IsUUID, Length, Matches } from 'class-validator';
import { Trim } from '../../../common/http/validation';

/** Yuan as typed ("2000.00"); parsed by parseAmountField, which refuses extra decimals. */
const AMOUNT_TEXT = /^\s*\d{1,16}(\.\d+)?\s*$/;

/** The back office's release request form; messages are locale keys. */
export class ReleaseRequestForm {
  @IsUUID('all', { message: 'admin.errors.chooseFund' })
  fromFundId!: string;

  @IsUUID('all', { message: 'admin.errors.chooseFund' })
  toFundId!: string;

  @Matches(AMOUNT_TEXT, { message: 'admin.errors.amount' })
  amount!: string;

  @Trim()
  @IsString({ message: 'admin.releases.reasonNeeded' })
  @Length(1, 1000, { message: 'admin.releases.reasonNeeded' })
  reason!: string;

  /** Issued with the form, so a double submit records one request. */
  @Matches(/^[\w-]{8,64}$/, { message: 'admin.errors.formExpired' })
  requestKey!: string;
}
