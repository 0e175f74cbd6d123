/**
 * The retention job's rules. Pure: no Nest, no TypeORM.
 *
 * Each kind of personal data has a period (privacy_settings); a run removes what is past it,
 * counted from the moment named beside each kind. Financial records have no period here: amounts,
 * the ledger, and receipts' numbers and amounts are kept.
 */

/** What a run removes, in the order it runs (the report lists counts in this order). */
export const RETENTION_KINDS = [
  /** Sign-in sessions, counted from when they ended (expired). */
  'sessions',
  /** One-time links (sign-in, invitation, reset, erasure confirmation), from expiry. */
  'oneTimeLinks',
  /** Donor links (stop a monthly gift, back to the form), from expiry. */
  'donorLinks',
  /** Payment notifications' payloads, from settlement (processing). */
  'paymentPayloads',
  /** Email bodies in the outbox, from sending (or failing). */
  'emailBodies',
  /** Email files the embedded mode wrote instead of sending, from writing. */
  'mailFiles',
  /** Donors' IP addresses on gifts, from the gift. */
  'donationIps',
  /** Donors' contact data (erased), from their last gift. */
  'donors',
] as const;

export type RetentionKind = (typeof RETENTION_KINDS)[number];
export type RetentionCounts = Record<RetentionKind, number>;
export type RetentionTrigger = 'SCHEDULED' | 'MANUAL';

/** The periods a run applies (privacy_settings, as PrivacySettingsService reads them). */
export interface RetentionPeriods {
  sessionDays: number;
  linkDays: number;
  paymentPayloadDays: number;
  emailBodyDays: number;
  donationIpDays: number;
  donorContactYears: number;
}

/** For each kind, the moment before which its data is past its period. */
export type RetentionCutoffs = Record<RetentionKind, Date>;

const DAY_MS = 24 * 3600 * 1000;

/** Scheduled runs: at most one per this many hours, however many web processes there are. */
export const SCHEDULED_GAP_HOURS = 20;

export function retentionCutoffs(periods: RetentionPeriods, now: Date): RetentionCutoffs {
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const links = daysAgo(periods.linkDays);
  const emails = daysAgo(periods.emailBodyDays);
  const contact = new Date(now.getTime());
  contact.setUTCFullYear(contact.getUTCFullYear() - periods.donorContactYears);
  return {
    sessions: daysAgo(periods.sessionDays),
    oneTimeLinks: links,
    donorLinks: links,
    paymentPayloads: daysAgo(periods.paymentPayloadDays),
    emailBodies: emails,
    mailFiles: emails,
    donationIps: daysAgo(periods.donationIpDays),
    donors: contact,
  };
}

export function zeroCounts(): RetentionCounts {
  return Object.fromEntries(RETENTION_KINDS.map((k) => [k, 0])) as RetentionCounts;
}

/**
 * Whether a scheduled run is due: none has finished yet, or the last one finished at least
 * SCHEDULED_GAP_HOURS ago. Every web process asks this each hour, so the job runs about once a
 * day whichever processes are up (20 h, not 24: a process started late in the day still runs it).
 */
export function scheduledRunDue(lastScheduledFinishedAt: Date | null, now: Date): boolean {
  if (!lastScheduledFinishedAt) return true;
  return now.getTime() - lastScheduledFinishedAt.getTime() >= SCHEDULED_GAP_HOURS * 3600 * 1000;
}
