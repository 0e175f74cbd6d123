/**
 * An audit row as a person reads it: the action and the thing changed in words, and the before
 * and after as a labelled list ("状态：草稿 → 筹款中", "金额：¥100.00"), never JSON. Used by the
 * audit page and its CSV. Pure: no Nest, no TypeORM.
 */
import { beijingDateTime, beijingTimestamp } from '../../common/dates/beijing-time';
import { hasText, translate, type SupportedLocale } from '../../common/i18n/i18n';
import {
  auditActionText,
  entryKindText,
  statusText,
  type StatusDomain,
} from '../../common/i18n/status-words';
import { formatMoney } from '../../common/money/money';
import { AUDIT_ACTIONS, AUDIT_AREAS } from './audit-actions';
import type { AuditEntry } from './audit.types';

/** Every entity type the audit log names (audit_log.entity_type), each with words. */
export const AUDIT_ENTITY_TYPES = [
  'allocation_year',
  'api_token',
  'campaign',
  'community',
  'donation',
  'foundation',
  'fund',
  'fund_expense',
  'fund_release',
  'grant_application',
  'grant_attachment',
  'grant_award',
  'grant_evaluation',
  'grant_inspection',
  'grant_report',
  'grant_review',
  'grant_round',
  'grant_tranche',
  'journal_entry',
  'ledger_account',
  'payment_event',
  'privacy_policy',
  'privacy_settings',
  'erasure_request',
  'retention_run',
  'donor_data',
  'receipt',
  'receipt_settings',
  'subdistrict',
  'user',
] as const;

/** Which status words a `status` field of each entity type takes. */
const STATUS_OF_ENTITY: Readonly<Record<string, StatusDomain>> = {
  campaign: 'campaign',
  donation: 'donation',
  fund: 'fund',
  fund_expense: 'expense',
  fund_release: 'release',
  grant_application: 'application',
  grant_award: 'award',
  grant_evaluation: 'evaluation',
  grant_report: 'report',
  grant_review: 'review',
  grant_round: 'round',
  grant_tranche: 'tranche',
  user: 'user',
};

/** Fields whose value is a status of a fixed domain, whatever the entity. */
const FIELD_DOMAIN: Readonly<Record<string, StatusDomain>> = {
  projectStatus: 'project',
  applicationStatus: 'application',
  awardStatus: 'award',
  voidReason: 'voidReason',
  result: 'inspection',
  provider: 'provider',
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const CODE = /^[A-Z][A-Z_]*$/;
/** Amounts in minor units: shown as money, never as a count of fen. */
const MONEY_FIELD = /Minor$|^refundedAfter$/;

export interface AuditDetail {
  label: string;
  before: string | null;
  after: string | null;
}

export function entityTypeText(locale: SupportedLocale, entityType: string): string {
  const key = `audit.entity.${entityType}`;
  return hasText(key) ? translate(locale, key) : entityType;
}

/** A field's label: `audit.field.<name>`, else the name as it is. */
function fieldLabel(locale: SupportedLocale, name: string): string {
  const key = `audit.field.${name}`;
  return hasText(key) ? translate(locale, key) : name;
}

function plain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One value in words: money, instants in Beijing time, statuses, yes/no, lists. */
function valueText(
  locale: SupportedLocale,
  entityType: string,
  name: string,
  value: unknown,
  currency: string,
): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return translate(locale, value ? 'audit.yes' : 'audit.no');
  if (typeof value === 'number' && MONEY_FIELD.test(name) && Number.isSafeInteger(value)) {
    return formatMoney(value, currency, locale);
  }
  if (Array.isArray(value)) {
    return value
      .map((v) => valueText(locale, entityType, singular(name), v, currency))
      .join(locale === 'zh-CN' ? '、' : ', ');
  }
  if (typeof value === 'string') {
    if (ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))) {
      return beijingDateTime(new Date(value), locale);
    }
    if (CODE.test(value)) return codeText(locale, entityType, name, value);
    return value;
  }
  if (plain(value)) {
    return Object.entries(value)
      .map(([k, v]) => `${fieldLabel(locale, k)} ${valueText(locale, entityType, k, v, currency)}`)
      .join(locale === 'zh-CN' ? '，' : ', ');
  }
  return typeof value === 'number' || typeof value === 'bigint'
    ? String(value)
    : JSON.stringify(value);
}

function singular(name: string): string {
  return name === 'roles' || name === 'requesterRoles' ? 'role' : name;
}

/** An upper-case code in a field: a status, a role or an entry kind in words where one fits. */
function codeText(locale: SupportedLocale, entityType: string, name: string, code: string): string {
  const domain =
    FIELD_DOMAIN[name] ??
    (name === 'role' ? 'role' : name === 'status' ? STATUS_OF_ENTITY[entityType] : undefined);
  if (domain) return statusText(locale, domain, code);
  if (name === 'kind' && entityType === 'journal_entry') return entryKindText(locale, code);
  if (name === 'kind' && entityType === 'receipt') return statusText(locale, 'receipt', code);
  const key =
    name === 'kind' && entityType === 'fund'
      ? `fund.kind.${code}`
      : name === 'kind' && entityType === 'grant_report'
        ? `grants.awards.reportKind.${code}`
        : name === 'unlock'
          ? `grants.awards.unlockName.${code}`
          : name === 'step'
            ? `audit.step.${code}`
            : null;
  return key && hasText(key) ? translate(locale, key) : code;
}

/**
 * The before and after of an audit row as labelled lines, one per field either side names;
 * fields equal on both sides are left out. A side that is not an object is one line.
 */
export function auditDetails(
  locale: SupportedLocale,
  row: Pick<AuditEntry, 'entityType' | 'before' | 'after'>,
): AuditDetail[] {
  const { before, after, entityType } = row;
  const currency = currencyOf(after) ?? currencyOf(before) ?? 'CNY';
  if (!plain(before) && !plain(after)) {
    if (before == null && after == null) return [];
    return [
      {
        label: translate(locale, 'admin.audit.change'),
        before: before == null ? null : valueText(locale, entityType, '', before, currency),
        after: after == null ? null : valueText(locale, entityType, '', after, currency),
      },
    ];
  }
  const b = plain(before) ? before : {};
  const a = plain(after) ? after : {};
  const names = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (n) => n !== 'currency' && JSON.stringify(b[n]) !== JSON.stringify(a[n]),
  );
  return names.map((n) => ({
    label: fieldLabel(locale, n),
    before: n in b ? valueText(locale, entityType, n, b[n], currency) : null,
    after: n in a ? valueText(locale, entityType, n, a[n], currency) : null,
  }));
}

function currencyOf(value: unknown): string | null {
  return plain(value) && typeof value.currency === 'string' ? value.currency.trim() : null;
}

/** The details as one line of text: "状态：草稿 → 筹款中；金额：¥100.00". */
export function auditDetailsLine(locale: SupportedLocale, details: AuditDetail[]): string {
  const colon = locale === 'zh-CN' ? '：' : ': ';
  const sep = locale === 'zh-CN' ? '；' : '; ';
  return details
    .map((d) => {
      const value =
        d.before !== null && d.after !== null
          ? `${d.before} → ${d.after}`
          : d.after !== null
            ? d.after
            : translate(locale, 'audit.removed', { value: d.before ?? '' });
      return `${d.label}${colon}${value}`;
    })
    .join(sep);
}

/** The action filter's choices: each area ("基金（全部）"), then its actions, in words. */
export function auditActionOptions(
  locale: SupportedLocale,
  selected: string | undefined,
): { value: string; label: string; selected: boolean }[] {
  return AUDIT_AREAS.flatMap((area) => [
    {
      value: area,
      label: translate(locale, 'audit.areaAll', { area: translate(locale, `audit.area.${area}`) }),
      selected: selected === area,
    },
    ...AUDIT_ACTIONS.filter((a) => a.startsWith(`${area}.`)).map((a) => ({
      value: a,
      label: `${translate(locale, `audit.area.${area}`)} · ${auditActionText(locale, a)}`,
      selected: selected === a,
    })),
  ]);
}

/** The audit CSV's columns, headed in the reader's language (`admin.audit.csvColumns.<c>`). */
export const AUDIT_CSV_COLUMNS = [
  'at',
  'actor',
  'action',
  'entityType',
  'entityId',
  'details',
  'ip',
  'requestId',
] as const;

/** One audit row as the CSV's cells, in words. */
export function auditCsvCells(locale: SupportedLocale, row: AuditEntry): string[] {
  const cells: Record<(typeof AUDIT_CSV_COLUMNS)[number], string> = {
    at: beijingTimestamp(new Date(row.at)),
    actor: row.actorLabel,
    action: auditActionText(locale, row.action),
    entityType: entityTypeText(locale, row.entityType),
    entityId: row.entityId ?? '',
    details: auditDetailsLine(locale, auditDetails(locale, row)),
    ip: row.ip ?? '',
    requestId: row.requestId ?? '',
  };
  return AUDIT_CSV_COLUMNS.map((c) => cells[c]);
}
