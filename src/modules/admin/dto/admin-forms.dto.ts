import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { ROLES, type Role } from '../../../common/auth/roles';
import { AUDIT_ACTIONS, AUDIT_AREAS } from '../../audit/audit-actions';
import { QueryInt, Trim } from '../../../common/http/validation';
import { LOCALES, type Locale } from '../../foundation/foundation.entity';
import { DONATION_STATUSES, type DonationStatus } from '../../donations/donation-status';
import { FUND_KINDS, FUND_STATUSES, type FundKind, type FundStatus } from '../../funds/fund-status';

/*
 * HTML forms of the back office. Every value arrives as text (urlencoded); checkboxes and
 * multi-selects arrive as one string or a list. Messages are locale keys (templates/locales,
 * section `admin.errors`), translated when the form is shown again beside the field.
 */

/** One value or several (checkboxes, multi-selects) → always a list. */
const List = () =>
  Transform(({ value }: { value: unknown }) =>
    value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value],
  );

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** An optional date typed as 2026-01-31. */
const DateField = () =>
  applyDecorators(IsOptional(), Matches(DATE, { message: 'admin.errors.date' }));
/** The opaque position of a list's next page. */
const CursorField = () => applyDecorators(IsOptional(), IsString(), MaxLength(500));
const AMOUNT_TEXT = /^\s*\d{1,16}(\.\d+)?\s*$/;

export class StatementFilterForm {
  @DateField()
  from?: string;

  @DateField()
  to?: string;

  @CursorField()
  cursor?: string;
}

export class FundListForm {
  @IsOptional()
  @IsIn(FUND_KINDS, { message: 'admin.errors.choose' })
  kind?: FundKind;

  @IsOptional()
  @IsIn(FUND_STATUSES, { message: 'admin.errors.choose' })
  status?: FundStatus;

  @CursorField()
  cursor?: string;
}

export class CreateFundForm {
  @IsIn(FUND_KINDS, { message: 'admin.errors.chooseKind' })
  kind!: FundKind;

  @IsOptional()
  @Trim()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'admin.errors.fundCode' })
  code?: string;

  @Trim()
  @IsString({ message: 'admin.errors.name' })
  @Length(1, 100, { message: 'admin.errors.name' })
  nameZh!: string;

  @Trim()
  @IsString({ message: 'admin.errors.name' })
  @Length(1, 100, { message: 'admin.errors.name' })
  nameEn!: string;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000, { message: 'admin.errors.description' })
  description?: string;

  @ValidateIf((o: CreateFundForm) => o.kind === 'COMMUNITY')
  @IsUUID('all', { message: 'admin.errors.chooseCommunity' })
  communityId?: string;
}

export class TransferForm {
  @IsUUID('all', { message: 'admin.errors.chooseFund' })
  fromFundId!: string;

  @IsUUID('all', { message: 'admin.errors.chooseFund' })
  toFundId!: string;

  /** Yuan as typed ("200000.00"); parsed by parseMoney, which refuses extra decimals. */
  @Matches(AMOUNT_TEXT, { message: 'admin.errors.amount' })
  amount!: string;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500, { message: 'admin.errors.description' })
  description?: string;

  /** Issued with the form, so a double submit moves the money once. */
  @Matches(/^[\w-]{8,64}$/, { message: 'admin.errors.formExpired' })
  requestKey!: string;
}

export class YearlyAllocationForm {
  @QueryInt()
  @IsInt({ message: 'admin.errors.year' })
  @Min(2000, { message: 'admin.errors.year' })
  @Max(2100, { message: 'admin.errors.year' })
  year!: number;

  @Matches(AMOUNT_TEXT, { message: 'admin.errors.amount' })
  amount!: string;

  @IsOptional()
  @IsUUID('all', { message: 'admin.errors.chooseFund' })
  sourceFundId?: string;
}

class AccessForm {
  @List()
  @IsArray({ message: 'admin.errors.chooseRole' })
  @ArrayMinSize(1, { message: 'admin.errors.chooseRole' })
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true, message: 'admin.errors.chooseRole' })
  roles!: Role[];

  @List()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'admin.errors.chooseCommunity' })
  communityIds!: string[];

  @List()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'admin.errors.chooseFund' })
  fundIds!: string[];

  @IsIn(LOCALES, { message: 'admin.errors.choose' })
  locale!: Locale;

  @Trim()
  @IsString({ message: 'admin.errors.name' })
  @Length(1, 100, { message: 'admin.errors.name' })
  name!: string;
}

export class InviteForm extends AccessForm {
  @Trim()
  @IsEmail({}, { message: 'admin.errors.email' })
  email!: string;
}

export class EditUserForm extends AccessForm {}

export class AuditFilterForm {
  @IsOptional()
  @Trim()
  @IsIn([...AUDIT_AREAS, ...AUDIT_ACTIONS], { message: 'admin.errors.auditAction' })
  action?: string;

  /** An email address or a user id. */
  @IsOptional()
  @Trim()
  @MaxLength(200)
  @Matches(
    /^([^\s@]+@[^\s@]+\.[^\s@]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i,
    {
      message: 'admin.errors.actor',
    },
  )
  actor?: string;

  @IsOptional()
  @Trim()
  @Matches(/^[a-z_]{1,60}$/, { message: 'admin.errors.entityType' })
  entityType?: string;

  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  entityId?: string;

  @DateField()
  from?: string;

  @DateField()
  to?: string;

  @CursorField()
  cursor?: string;
}

export const TOKEN_DAY_CHOICES = [30, 90, 180, 365] as const;

export class CreateTokenForm {
  @Trim()
  @IsString({ message: 'admin.errors.tokenName' })
  @Length(1, 100, { message: 'admin.errors.tokenName' })
  name!: string;

  @QueryInt()
  @IsIn(TOKEN_DAY_CHOICES, { message: 'admin.errors.choose' })
  expiresInDays!: number;
}

export class DonationListForm {
  @IsOptional()
  @Trim()
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'admin.errors.slug' })
  campaign?: string;

  @IsOptional()
  @IsIn(DONATION_STATUSES, { message: 'admin.errors.choose' })
  status?: DonationStatus;

  @IsOptional()
  @Trim()
  @IsEmail({}, { message: 'admin.errors.email' })
  email?: string;

  @CursorField()
  cursor?: string;
}

export class RefundForm {
  /** Empty: the whole remaining gift. */
  @IsOptional()
  @Matches(AMOUNT_TEXT, { message: 'admin.errors.amount' })
  amount?: string;

  /** What the page showed as refunded already (a resubmitted form refunds nothing twice). */
  @QueryInt()
  @IsInt({ message: 'admin.errors.formExpired' })
  @Min(0, { message: 'admin.errors.formExpired' })
  refundedBefore!: number;

  /** Why: kept with the refund and in the audit log (not sent to the donor). */
  @Trim()
  @IsString({ message: 'admin.errors.refundReason' })
  @Length(1, 500, { message: 'admin.errors.refundReason' })
  reason!: string;
}

export class ReleaseMatchForm {
  /** The checkbox that confirms FINANCE checked the donor. */
  @Equals('yes', { message: 'admin.donations.giftMatch.confirmRequired' })
  confirm!: string;
}
