import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SessionRecordsService } from '../../accounts/session-records.service';
import { AuditService } from '../../audit/audit.service';
import { DonorDataService } from '../../donations/donor-data.service';
import { EmailRecordsService } from '../../notifications/email-records.service';
import { PrivacySettingsService } from '../policy/privacy-settings.service';
import { ErasureRequestsReader } from '../access/erasure-requests.reader';
import { ErasureService } from '../erasure/erasure.service';
import { RetentionBusyError } from '../privacy.errors';
import { RetentionRunsRepository, type RetentionRunRow } from './retention-runs.repository';
import {
  RETENTION_KINDS,
  retentionCutoffs,
  scheduledRunDue,
  zeroCounts,
  type RetentionCounts,
  type RetentionCutoffs,
  type RetentionTrigger,
} from './retention-rules';

/** Donors erased by one run at most: a first run on years of donors stays short. */
const DONORS_PER_RUN = 200;

/** What a run did: its row, with the counts per kind in RETENTION_KINDS order. */
export interface RetentionReport {
  id: string;
  trigger: RetentionTrigger;
  /** The staff member who ran it by hand (null: the schedule or the CLI). */
  startedBy: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  cutoffs: RetentionCutoffs;
  removed: RetentionCounts;
  /** Why the run stopped early (what it removed before is counted). */
  error: string | null;
}

/**
 * The retention job: applies each period of the privacy settings to the data it covers, through
 * the owning modules' services, and reports what it removed (a retention_runs row and an audit
 * row). One run at a time across processes (a session advisory lock); each step is its own
 * transaction and only touches rows past their period that it has not handled yet, so a run
 * stopped half-way is finished by the next, and a second run removes nothing.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly runs: RetentionRunsRepository,
    private readonly settings: PrivacySettingsService,
    private readonly audit: AuditService,
    private readonly sessions: SessionRecordsService,
    private readonly donations: DonorDataService,
    private readonly emails: EmailRecordsService,
    private readonly erasure: ErasureService,
    private readonly erasureRequests: ErasureRequestsReader,
  ) {}

  /** Runs now; RETENTION busy (409) while another run is in progress anywhere. */
  async run(trigger: RetentionTrigger, actorId: string | null): Promise<RetentionReport> {
    const outcome = await this.runs.withRunLock((m) => this.runLocked(m, trigger, actorId));
    if (!outcome.locked) throw new RetentionBusyError();
    return outcome.value;
  }

  /**
   * The scheduled job's pass: runs when no scheduled run finished in the last 20 hours (asked
   * again under the lock, so two processes waking together run once). Null when skipped.
   */
  async runScheduledIfDue(now = new Date()): Promise<RetentionReport | null> {
    if (!scheduledRunDue(await this.runs.lastScheduledFinishedAt(), now)) return null;
    const outcome = await this.runs.withRunLock(async (m) =>
      scheduledRunDue(await this.runs.lastScheduledFinishedAt(m), now)
        ? this.runLocked(m, 'SCHEDULED', null)
        : null,
    );
    return outcome.locked ? outcome.value : null;
  }

  /** The latest runs, newest first. */
  async latest(limit = 30): Promise<RetentionReport[]> {
    return (await this.runs.latest(limit)).map(toReport);
  }

  private async runLocked(
    m: EntityManager,
    trigger: RetentionTrigger,
    actorId: string | null,
  ): Promise<RetentionReport> {
    const periods = await this.settings.get({ within: m });
    const cutoffs = retentionCutoffs(periods, new Date());
    const id = await this.runs.start(m, {
      trigger,
      startedBy: actorId,
      cutoffs: Object.fromEntries(RETENTION_KINDS.map((k) => [k, cutoffs[k].toISOString()])),
    });
    const removed = zeroCounts();
    try {
      await this.removePastPeriods(m, cutoffs, removed);
    } catch (error) {
      await this.runs.finish(m, id, { removed, error: (error as Error).message });
      throw error;
    }
    await m.transaction(async (t) => {
      await this.runs.finish(t, id, { removed, error: null });
      await this.audit.record(t, {
        action: 'privacy.retention_run',
        entityType: 'retention_run',
        entityId: id,
        after: { trigger, removed },
      });
    });
    const total = RETENTION_KINDS.reduce((n, k) => n + removed[k], 0);
    if (total > 0) this.logger.log(`retention run ${id}: ${JSON.stringify(removed)}`);
    return toReport(await this.runs.get(id, m));
  }

  /** Each kind in turn, one transaction each; counts are added to `removed` as steps commit. */
  private async removePastPeriods(
    m: EntityManager,
    cutoffs: RetentionCutoffs,
    removed: RetentionCounts,
  ): Promise<void> {
    const step = async (kind: keyof RetentionCounts, fn: (t: EntityManager) => Promise<number>) => {
      removed[kind] += await m.transaction(fn);
    };
    await step('sessions', (t) => this.sessions.deleteSessionsEndedBefore(t, cutoffs.sessions));
    await step('oneTimeLinks', (t) =>
      this.sessions.deleteLinksExpiredBefore(t, cutoffs.oneTimeLinks),
    );
    await step('donorLinks', (t) =>
      this.donations.deleteDonorLinksExpiredBefore(t, cutoffs.donorLinks),
    );
    await step('paymentPayloads', (t) =>
      this.donations.redactPaymentPayloadsSettledBefore(t, cutoffs.paymentPayloads),
    );
    await step('emailBodies', (t) =>
      this.emails.redactBodiesFinishedBefore(t, cutoffs.emailBodies),
    );
    removed.mailFiles += await this.emails.deleteMailFilesWrittenBefore(cutoffs.mailFiles);
    await step('donationIps', (t) => this.donations.clearIpsBefore(t, cutoffs.donationIps));
    removed.donors += await this.eraseDonorsPastContact(m, cutoffs.donors);
  }

  /**
   * Donors whose last gift is older than the contact period, with no monthly gift running and no
   * erasure request open, are erased as an erasure request would (`ErasureService.eraseDonor`,
   * reason RETENTION): one transaction each, at most DONORS_PER_RUN a run (the next run goes on
   * where this one stopped: an erased address has no gifts left to find).
   */
  private async eraseDonorsPastContact(m: EntityManager, cutoff: Date): Promise<number> {
    const candidates = await this.donations.addressesLastGivenBefore(m, cutoff, DONORS_PER_RUN * 2);
    const open = await this.erasureRequests.withOpenRequest(candidates);
    let erased = 0;
    for (const email of candidates.filter((e) => !open.has(e)).slice(0, DONORS_PER_RUN)) {
      erased += await m.transaction(async (t) => {
        // A gift may have come in since the list was read: then the address is kept.
        if (!(await this.donations.stillPastContact(t, email, cutoff))) return 0;
        await this.erasure.eraseDonor(t, email, { reason: 'RETENTION', actorId: null });
        return 1;
      });
    }
    return erased;
  }
}

function toReport(row: RetentionRunRow): RetentionReport {
  const cutoffs = Object.fromEntries(
    RETENTION_KINDS.map((k) => [k, new Date(row.cutoffs[k] ?? row.startedAt)]),
  ) as RetentionCutoffs;
  const removed = Object.fromEntries(
    RETENTION_KINDS.map((k) => [k, Number(row.removed[k] ?? 0)]),
  ) as RetentionCounts;
  return {
    id: row.id,
    trigger: row.trigger,
    startedBy: row.startedBy,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    cutoffs,
    removed,
    error: row.error,
  };
}
