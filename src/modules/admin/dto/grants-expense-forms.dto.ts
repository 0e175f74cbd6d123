import { IsString, Length, Matches } from 'class-validator';
import { Trim } from '../../../common/http/validation';

/** Yuan as typed ("2000.00"); parsed by parseAmountField, which refuses extra decimals. */
const AMOUNT_TEXT = /^\s*\d{1,16}(\.\d+)?\s*$/;

/** The back office's expense request form (the invoice comes beside it); messages are locale keys. */
export class ExpenseRequestForm {
  @Trim()
  @IsString({ message: 'grants.expenses.payeeNeeded' })
  @Length(1, 200, { message: 'grants.expenses.payeeNeeded' })
  payee!: string;

  @Trim()
  @IsString({ message: 'grants.expenses.purposeNeeded' })
  @Length(1, 1000, { message: 'grants.expenses.purposeNeeded' })
  purpose!: string;

  @Matches(AMOUNT_TEXT, { message: 'admin.errors.amount' })
  amount!: string;

  /** Issued with the form, so a double submit records one request. */
  @Matches(/^[\w-]{8,64}$/, { message: 'admin.errors.formExpired' })
  requestKey!: string;
}
