/**
 * The one place a status, a ledger entry kind or an audit action becomes words. Pages, emails and
 * CSV files never show the code (SUCCEEDED, PROCESSOR_FEE, fund.activated); they show
 * `status.<domain>.<VALUE>`, `entryKind.<KIND>` and `audit.action.<action>` from
 * templates/locales, through `statusText`, `entryKindText`, `auditActionText` or the Handlebars
 * helpers `{{statusName "donation" status}}`, `{{kindName kind}}` and `{{actionName action}}`.
 *
 * Every domain's values are read from the code's own lists, so the completeness test
 * (status-words.spec.ts) fails when a status, kind or action has no text in either language.
 */
import { USER_STATUSES } from '../../modules/accounts/accounts.types';
import { RELEASE_STATUSES } from '../../modules/allocations/release-rules';
import { AUDIT_ACTIONS } from '../../modules/audit/audit-actions';
import { CAMPAIGN_STATUSES } from '../../modules/campaigns/campaign-status';
import { DONATION_STATUSES } from '../../modules/donations/donation-status';
import { DONATION_PROVIDERS, IMPORT_ROW_STATUSES } from '../../modules/donations/donations.types';
import { FUND_STATUSES } from '../../modules/funds/fund-status';
import {
  AWARD_STATUSES,
  INSPECTION_RESULTS,
  PROJECT_STATUSES,
  REPORT_STATUSES,
  TRANCHE_STATUSES,
} from '../../modules/grants/awards/award-rules';
import { EVALUATION_STATUSES } from '../../modules/grants/evaluations/evaluation-rules';
import { EXPENSE_STATUSES } from '../../modules/grants/expenses/expense-rules';
import { REVIEW_STATUSES } from '../../modules/grants/reviews/review-status';
import { APPLICATION_STATUSES } from '../../modules/grants/rounds/application-rules';
import { ROUND_STATUSES } from '../../modules/grants/rounds/round-rules';
import { ENTRY_KINDS } from '../../modules/ledger/entry-kinds';
import { RULE_STATUSES } from '../../modules/matching/matching-rule';
import { SANDBOX_SESSION_STATUSES } from '../../modules/payments/sandbox/sandbox-events';
import { RECEIPT_KINDS, VOID_REASONS } from '../../modules/receipts/receipt-number';
import { OUTBOX_STATUSES } from '../../queue/outbox-status';
import { ROLES } from '../auth/roles';
import { translate, type SupportedLocale } from './i18n';

/** Each domain and every value its status (or label code) can take, from the code's lists. */
export const STATUS_DOMAINS = {
  donation: DONATION_STATUSES,
  provider: DONATION_PROVIDERS,
  importRow: IMPORT_ROW_STATUSES,
  campaign: CAMPAIGN_STATUSES,
  fund: FUND_STATUSES,
  matchingRule: RULE_STATUSES,
  release: RELEASE_STATUSES,
  round: ROUND_STATUSES,
  application: APPLICATION_STATUSES,
  review: REVIEW_STATUSES,
  award: AWARD_STATUSES,
  project: PROJECT_STATUSES,
  tranche: TRANCHE_STATUSES,
  report: REPORT_STATUSES,
  inspection: INSPECTION_RESULTS,
  expense: EXPENSE_STATUSES,
  evaluation: EVALUATION_STATUSES,
  receipt: RECEIPT_KINDS,
  voidReason: VOID_REASONS,
  delivery: OUTBOX_STATUSES,
  checkout: SANDBOX_SESSION_STATUSES,
  user: USER_STATUSES,
  role: ROLES,
} as const satisfies Record<string, readonly string[]>;

export type StatusDomain = keyof typeof STATUS_DOMAINS;
export type StatusValue<D extends StatusDomain> = (typeof STATUS_DOMAINS)[D][number];

export function isStatusDomain(value: unknown): value is StatusDomain {
  return typeof value === 'string' && Object.hasOwn(STATUS_DOMAINS, value);
}

/** The locale key of a status: `status.donation.SUCCEEDED`. */
export function statusKey(domain: StatusDomain, value: string): string {
  return `status.${domain}.${value}`;
}

/**
 * A status in words: "已到账" / "Received". A value the domain does not list (an old row, a typo)
 * is shown as it is rather than as a missing key.
 */
export function statusText(locale: SupportedLocale, domain: StatusDomain, value: string): string {
  if (!(STATUS_DOMAINS[domain] as readonly string[]).includes(value)) return value;
  return translate(locale, statusKey(domain, value));
}

/** The choices of a status filter: every value of the domain, in words, the chosen one marked. */
export function statusOptions(
  locale: SupportedLocale,
  domain: StatusDomain,
  selected?: string,
): { value: string; label: string; selected: boolean }[] {
  return STATUS_DOMAINS[domain].map((value: string) => ({
    value,
    label: statusText(locale, domain, value),
    selected: value === selected,
  }));
}

/** A ledger entry kind in words: DONATION → "捐赠" / "Gift"; an unknown kind → "其他往来". */
export function entryKindText(locale: SupportedLocale, kind: string): string {
  return (ENTRY_KINDS as readonly string[]).includes(kind)
    ? translate(locale, `entryKind.${kind}`)
    : translate(locale, 'entryKind.OTHER');
}

/** An audit action in words: fund.activated → "启用基金" / "Fund activated". */
export function auditActionText(locale: SupportedLocale, action: string): string {
  return (AUDIT_ACTIONS as readonly string[]).includes(action)
    ? translate(locale, `audit.action.${action}`)
    : action;
}
