import { SUPPORTED_LOCALES, type SupportedLocale } from '../../common/i18n/i18n';
import type { AttachmentRef } from './email-attachments';
import { InvalidEmailMessageError } from './notifications.errors';

/**
 * The emails Lianxin sends, each with the data its template needs. A template is two files,
 * `templates/emails/<name>.html.hbs` and `<name>.text.hbs`; its subject is
 * `email.<name>.subject` in `templates/locales/*.json`.
 */
export const EMAIL_TEMPLATES = {
  'user-invite': ['inviteeName', 'inviterName', 'url', 'expiresAt'],
  'password-reset': ['url', 'expiresAt'],
  'donor-magic-link': ['url', 'expiresAt'],
  'erasure-confirm': ['url', 'expiresAt'],
  'donation-thanks': ['donorName', 'amount', 'campaignTitle', 'portalUrl'],
  'renewal-failed': ['donorName', 'amount', 'campaignTitle', 'portalUrl'],
  'donation-refunded': ['donorName', 'amount', 'campaignTitle', 'refundedOn', 'portalUrl'],
  'campaign-published': ['recipientName', 'campaignTitle', 'publishedOn', 'url', 'adminUrl'],
  // grants: resident evaluations
  'grant-evaluation-result': ['granteeName', 'projectTitle', 'satisfied', 'threshold', 'url'],
  // grants: insights (overdue reminders)
  'grant-reminder': ['recipientName', 'what', 'title', 'dueOn', 'url'],
  // end grants: insights
  // grants: fund expenses
  'expense-requested': ['requesterName', 'fundName', 'amount', 'payee', 'purpose', 'dueAt', 'url'],
  'expense-decided': ['requesterName', 'status', 'amount', 'payee', 'purpose', 'url'],
  // end grants: fund expenses
  test: [],
  // receipts
  'receipt-voided': ['donorName', 'number', 'amount', 'voidedOn', 'reason', 'portalUrl'],
  'receipt-copy': ['donorName', 'number', 'amount', 'portalUrl'],
  'receipt-annual': ['donorName', 'year', 'number', 'total', 'giftCount', 'portalUrl'],
  // end receipts
  // grants: rounds part
  'grant-reviewer-assigned': ['reviewerName', 'applicationTitle', 'roundName', 'due', 'url'],
  'grant-application-decided': ['applicantName', 'applicationTitle', 'roundName', 'url'],
  // grants: awards, tranches, reports
  'grant-award-approval-needed': ['recipientName', 'projectTitle', 'amount', 'url', 'dueAt'],
  'grant-award-approved': [
    'recipientName',
    'projectTitle',
    'designAmount',
    'constructionAmount',
    'url',
  ],
  'grant-tranche-requested': ['recipientName', 'projectTitle', 'seq', 'amount', 'url', 'dueAt'],
  'grant-tranche-paid': ['recipientName', 'projectTitle', 'seq', 'amount', 'url'],
  'grant-report-accepted': ['recipientName', 'projectTitle', 'reportKind', 'url'],
  'grant-report-returned': ['recipientName', 'projectTitle', 'reportKind', 'url'],
} as const satisfies Record<string, readonly string[]>;

export type EmailTemplate = keyof typeof EMAIL_TEMPLATES;
export const EMAIL_TEMPLATE_NAMES = Object.keys(EMAIL_TEMPLATES) as EmailTemplate[];

export interface EmailMessage {
  template: EmailTemplate;
  to: string;
  locale: SupportedLocale;
  data: Record<string, unknown>;
  /** Enqueueing the same key again is a no-op that returns the first outbox id. */
  dedupeKey?: string;
  /** Files made at send time by a registered source (`EmailAttachments`). */
  attachments?: AttachmentRef[];
}

/** What the outbox row carries for an email: plain JSON, dates as ISO strings. */
export interface EmailPayload {
  template: EmailTemplate;
  to: string;
  locale: SupportedLocale;
  data: Record<string, unknown>;
  attachments?: AttachmentRef[];
}

const ADDRESS = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+$/;
const isUrlField = (key: string) => key === 'url' || key.endsWith('Url');
const isDateField = (key: string) => key.endsWith('At');

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isDate(value: unknown): boolean {
  return (
    (value instanceof Date || typeof value === 'string') && !Number.isNaN(new Date(value).getTime())
  );
}

/** Every problem with a message (empty when it can be queued). */
export function emailMessageProblems(message: Omit<EmailMessage, 'dedupeKey'>): string[] {
  const problems: string[] = [];
  const required: readonly string[] | undefined = (
    EMAIL_TEMPLATES as Record<string, readonly string[]>
  )[message.template];
  if (!Object.hasOwn(EMAIL_TEMPLATES, message.template) || !required) {
    problems.push(`template must be one of ${EMAIL_TEMPLATE_NAMES.join(', ')}`);
  }
  if (typeof message.to !== 'string' || message.to.length > 254 || !ADDRESS.test(message.to)) {
    problems.push('to must be one email address, e.g. someone@example.org');
  }
  if (!SUPPORTED_LOCALES.includes(message.locale)) {
    problems.push(`locale must be one of ${SUPPORTED_LOCALES.join(', ')}`);
  }
  const data: unknown = message.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push('data must be an object');
    return problems;
  }
  const attachments: unknown = message.attachments;
  if (
    attachments !== undefined &&
    (!Array.isArray(attachments) ||
      attachments.length > 5 ||
      !attachments.every(
        (a: { source?: unknown; id?: unknown }) =>
          typeof a?.source === 'string' && typeof a?.id === 'string' && a.id.length <= 200,
      ))
  ) {
    problems.push('attachments must be up to 5 { source, id } references');
  }
  const fields = data as Record<string, unknown>;
  for (const key of required ?? []) {
    if (fields[key] === undefined || fields[key] === null || fields[key] === '') {
      problems.push(`data.${key} is required`);
    }
  }
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    // Handlebars escapes text but not a `javascript:` link: only http(s) addresses go in hrefs.
    if (isUrlField(key) && !isHttpUrl(value)) problems.push(`data.${key} must be an http(s) URL`);
    if (isDateField(key) && !isDate(value)) problems.push(`data.${key} must be a date`);
  }
  return problems;
}

/** Validates a message and turns it into the outbox payload; throws VALIDATION_FAILED. */
export function toEmailPayload(message: EmailMessage): EmailPayload {
  const problems = emailMessageProblems(message);
  if (
    message.dedupeKey !== undefined &&
    (typeof message.dedupeKey !== 'string' ||
      message.dedupeKey.length < 1 ||
      message.dedupeKey.length > 200)
  ) {
    problems.push('dedupeKey must be 1 to 200 characters');
  }
  if (problems.length > 0) {
    throw new InvalidEmailMessageError(String(message.template), problems);
  }
  return {
    template: message.template,
    to: message.to,
    locale: message.locale,
    data: JSON.parse(JSON.stringify(message.data)) as Record<string, unknown>,
    ...(message.attachments?.length
      ? { attachments: message.attachments.map(({ source, id }) => ({ source, id })) }
      : {}),
  };
}

/** Reads an outbox payload back, refusing one that no longer validates (a permanent failure). */
export function parseEmailPayload(payload: unknown): EmailPayload {
  // Typed as the writer typed it, but stored as JSON: checked again here before it is trusted.
  const candidate = payload as EmailPayload;
  const problems = emailMessageProblems(candidate);
  if (problems.length > 0) throw new Error(`invalid email payload: ${problems.join('; ')}`);
  return candidate;
}
