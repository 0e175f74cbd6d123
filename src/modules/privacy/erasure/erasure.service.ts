import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { DomainError } from '../../../common/errors';
import type { SupportedLocale } from '../../../common/i18n/i18n';
import { TransactionService } from '../../../database/transaction.service';
import { AuthService } from '../../accounts/auth.service';
import { AuditService } from '../../audit/audit.service';
import { CampaignTotalsService } from '../../campaigns/campaign-totals.service';
import { DonationsService } from '../../donations/donations.service';
import { PaymentInboxService } from '../../donations/payment-inbox.service';
import { OutboxService } from '../../notifications/outbox.service';
import { SandboxProvider } from '../../payments/sandbox/sandbox.provider';
import { ReceiptDeliveryService } from '../../receipts/receipt-delivery.service';
import { ReceiptsService } from '../../receipts/receipts.service';
import { erasedSubject, storedErasedDonorName } from '../erased-names';
import { ErasedPeopleRepository } from '../erased-people.repository';
import { ConsentService } from '../policy/consent.service';
import { PrivacySettingsService } from '../policy/privacy-settings.service';
import {
  ErasureAlreadyCompletedError,
  ErasureAlreadyRequestedError,
  ErasureLinkExpiredError,
  ErasureLinkInvalidError,
  ErasureMonthlyStopFailedError,
  ErasureNotConfirmedError,
  ErasureRequestNotFoundError,
} from '../privacy.errors';
import { ErasureRepository, type ErasureRequest } from './erasure.repository';

/** How long the emailed confirmation link works. */
export const ERASURE_LINK_MINUTES = 24 * 60;

/** Why an email to an erased person was never sent (the outbox row's last error). */
const NOT_SENT = 'not sent: the recipient was erased';

export interface ErasureDetail {
  request: ErasureRequest;
  gifts: number;
  receipts: number;
  monthlyRunning: number;
  /** A completed request: how many rows of each kind lost the person's data. */
  removed: Record<string, number> | null;
}

export interface ErasureOutcome {
  /** The n of "已删除的捐赠人 #n". */
  no: number;
  /** How many rows of each kind lost the person's data. */
  removed: Record<string, number>;
}

/**
 * A donor's erasure: asked in the portal, confirmed by an emailed link, completed by FINANCE
 * within `erasure_due_days`; and `eraseDonor`, which pseudonymises everything of an address in
 * the caller's transaction (also called by the retention job). Each module takes its own data
 * out through its own narrow method; this service only orchestrates. Money is never touched:
 * amounts, ledger entries, receipt numbers and totals stay exactly as they were.
 */
@Injectable()
export class ErasureService implements EntitySubscriberInterface, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Erasure');
  /** Outbox ids whose mail files (embedded mode) go once the erasing transaction commits. */
  private readonly filesAfterCommit = new WeakMap<QueryRunner, string[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly repo: ErasureRepository,
    private readonly erasedPeople: ErasedPeopleRepository,
    private readonly consent: ConsentService,
    private readonly settings: PrivacySettingsService,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly outbox: OutboxService,
    private readonly donations: DonationsService,
    private readonly inbox: PaymentInboxService,
    private readonly campaignTotals: CampaignTotalsService,
    private readonly receipts: ReceiptsService,
    private readonly receiptDelivery: ReceiptDeliveryService,
    private readonly sandbox: SandboxProvider,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  onModuleDestroy(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /**
   * A signed-in donor asks for their data to be deleted: a request awaiting confirmation, and an
   * email with a link (24 hours). Refused while another request of the address is open.
   */
  async request(emailInput: string, locale: SupportedLocale): Promise<ErasureRequest> {
    const email = emailInput.trim().toLowerCase();
    return this.tx.run(async (m) => {
      await this.tx.lock(m, `erasure:${email}`);
      await this.expire(m, email);
      const open = await this.repo.lockOpenFor(m, email);
      if (open) throw new ErasureAlreadyRequestedError(open);
      const confirmBy = this.auth.minutesFromNow(ERASURE_LINK_MINUTES);
      const request = await this.repo.insert(m, { email, locale, confirmBy });
      const token = await this.auth.issueLink(m, 'ERASURE_CONFIRM', email, ERASURE_LINK_MINUTES);
      await this.outbox.enqueue(m, {
        template: 'erasure-confirm',
        to: email,
        locale,
        data: { url: this.auth.link('/donor/delete/confirm', token), expiresAt: confirmBy },
      });
      await this.audit.record(m, {
        action: 'privacy.erasure_requested',
        entityType: 'erasure_request',
        entityId: request.id,
        after: { status: request.status, confirmBy: confirmBy.toISOString() },
      });
      return request;
    });
  }

  /** The address's latest request, for the portal (an expired link shows as expired). */
  async latestFor(emailInput: string): Promise<ErasureRequest | null> {
    const email = emailInput.trim().toLowerCase();
    const latest = await this.repo.latestFor(email);
    if (latest?.status === 'AWAITING_CONFIRMATION' && latest.confirmBy <= new Date()) {
      return { ...latest, status: 'EXPIRED' };
    }
    return latest;
  }

  /** The back office's queue (requests whose link expired are marked so first). */
  async list(limit = 200): Promise<ErasureRequest[]> {
    await this.tx.run((m) => this.expire(m));
    return this.repo.list(limit);
  }

  /**
   * One request, and what completing it will touch: the address's gifts, receipts and monthly
   * gifts still running (nothing for a completed one: its address is gone), or, once completed,
   * what was removed.
   */
  async detail(id: string): Promise<ErasureDetail> {
    const request = await this.repo.find(id);
    if (!request) throw new ErasureRequestNotFoundError(id);
    if (request.email === null) {
      const removed = request.erasedNo === null ? {} : await this.repo.removedOf(request.erasedNo);
      return { request, gifts: 0, receipts: 0, monthlyRunning: 0, removed };
    }
    const summary = await this.donations.donorSummary(request.email);
    const receipts = await this.receiptDelivery.listForDonor(request.email);
    return {
      request,
      gifts: summary.gifts,
      receipts: receipts.length,
      monthlyRunning: summary.runningMonthly.length,
      removed: null,
    };
  }

  /** Days FINANCE has to complete a confirmed request. */
  async dueDays(): Promise<number> {
    return (await this.settings.get()).erasureDueDays;
  }

  /**
   * A request confirmed by other means (a signed letter to the foundation; the demo's seed): open
   * and due in `erasure_due_days` at once, no link sent. Refused while one is open, as `request`.
   */
  async recordConfirmed(emailInput: string, locale: SupportedLocale): Promise<ErasureRequest> {
    const email = emailInput.trim().toLowerCase();
    return this.tx.run(async (m) => {
      await this.tx.lock(m, `erasure:${email}`);
      await this.expire(m, email);
      const open = await this.repo.lockOpenFor(m, email);
      if (open) throw new ErasureAlreadyRequestedError(open);
      const asked = await this.repo.insert(m, { email, locale, confirmBy: new Date() });
      const { erasureDueDays } = await this.settings.get({ within: m });
      const confirmed = await this.repo.confirm(m, asked.id, erasureDueDays);
      await this.audit.record(m, {
        action: 'privacy.erasure_confirmed',
        entityType: 'erasure_request',
        entityId: confirmed.id,
        after: { status: confirmed.status, dueAt: confirmed.dueAt?.toISOString() ?? null },
      });
      return confirmed;
    });
  }

  /**
   * The emailed link, posted from its page: the request is confirmed and due in
   * `erasure_due_days`. Expired link: 410 (the request expires with it); used or unknown: 400.
   */
  async confirm(token: string): Promise<ErasureRequest> {
    const outcome = await this.tx.run(async (m) => {
      const link = await this.auth.takeLink(m, 'ERASURE_CONFIRM', token);
      if (link.state === 'unknown') return { kind: 'invalid' as const };
      await this.tx.lock(m, `erasure:${link.email}`);
      // Expired requests are recorded as such (committed) before the link is refused.
      await this.expire(m, link.email);
      if (link.state === 'expired') return { kind: 'expired' as const };
      const open = await this.repo.lockOpenFor(m, link.email);
      if (!open || open.status !== 'AWAITING_CONFIRMATION') return { kind: 'invalid' as const };
      const { erasureDueDays } = await this.settings.get({ within: m });
      const confirmed = await this.repo.confirm(m, open.id, erasureDueDays);
      await this.audit.record(m, {
        action: 'privacy.erasure_confirmed',
        entityType: 'erasure_request',
        entityId: confirmed.id,
        before: { status: open.status },
        after: { status: confirmed.status, dueAt: confirmed.dueAt?.toISOString() ?? null },
      });
      return { kind: 'confirmed' as const, request: confirmed };
    });
    if (outcome.kind === 'expired') throw new ErasureLinkExpiredError();
    if (outcome.kind === 'invalid') throw new ErasureLinkInvalidError();
    return outcome.request;
  }

  /**
   * FINANCE completes a confirmed request. Running monthly gifts are stopped first, through the
   * usual stop (if one cannot be stopped nothing is erased: try again); then, in one transaction
   * holding the request's row (two completions at once: one wins, the other is told it is done),
   * the donor is erased and the request keeps only the pseudonym number.
   */
  async complete(requestId: string, actorId: string | null): Promise<ErasureOutcome> {
    const found = await this.repo.find(requestId);
    if (!found) throw new ErasureRequestNotFoundError(requestId);
    assertCompletable(found);
    try {
      await this.donations.stopAllMonthly(found.email!);
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'DONATION_NOT_FOUND') {
        this.logger.warn(
          `erasure ${requestId}: a monthly gift could not be stopped (${error.code})`,
        );
      } else {
        this.logger.warn(`erasure ${requestId}: a monthly gift could not be stopped`);
      }
      throw new ErasureMonthlyStopFailedError();
    }
    return this.tx.run(async (m) => {
      const request = await this.repo.lock(m, requestId);
      if (!request) throw new ErasureRequestNotFoundError(requestId);
      assertCompletable(request);
      const outcome = await this.eraseDonor(m, request.email!, { reason: 'REQUEST', actorId });
      await this.audit.record(m, {
        action: 'privacy.erasure_completed',
        entityType: 'erasure_request',
        entityId: request.id,
        before: { status: request.status },
        after: { status: 'COMPLETED', erasedNo: outcome.no, removed: outcome.removed },
      });
      return outcome;
    });
  }

  /**
   * Pseudonymises everything of an address inside the caller's transaction: a new erased person
   * (their number names them from now on), then each module's own data, the consent records
   * (their subject becomes `erased:<no>`), the audit log and the address's requests. Amounts and the books are not touched. Running
   * monthly gifts must be stopped before (`complete` does). Mail files on disk go after commit.
   */
  async eraseDonor(
    m: EntityManager,
    emailInput: string,
    opts: { reason: 'REQUEST' | 'RETENTION'; actorId: string | null },
  ): Promise<ErasureOutcome> {
    const email = emailInput.trim().toLowerCase();
    await this.tx.lock(m, `erasure:${email}`);
    const no = await this.erasedPeople.insert(m, {
      kind: 'DONOR',
      reason: opts.reason,
      erasedBy: opts.actorId,
    });
    const donorName = storedErasedDonorName(no);
    const erased = { no, donorName };

    const donations = await this.donations.eraseDonor(m, email, erased);
    const donationIds = donations.gifts.map((g) => g.id);
    const campaignDonors = await this.campaignTotals.renameDonorKey(m, email, erasedSubject(no));
    const receipts = await this.receipts.eraseDonor(m, email, donationIds, erased);
    const portal = await this.auth.eraseDonor(m, email);
    const paymentEvents = await this.inbox.redactForDonor(m, email, donationIds);
    const sandbox = await this.sandbox.eraseCustomer(m, email);
    const emails = await this.outbox.eraseRecipient(m, email, NOT_SENT);
    const consentRecords = await this.consent.eraseSubject(m, email, no);
    const auditRows = await this.audit.redactPersonalData(
      m,
      [email, ...donations.personal],
      donorName,
    );

    // The address's requests: unfinished ones go; a confirmed one is completed by this erasure.
    const unfinished = await this.repo.deleteUnfinishedFor(m, email);
    const open = await this.repo.lockOpenFor(m, email);
    if (open) await this.repo.complete(m, open.id, { erasedNo: no, actorId: opts.actorId });

    const removed: Record<string, number> = {
      donations: donations.gifts.length,
      donorLinks: donations.donorLinks,
      campaignDonors,
      receipts: receipts.receipts,
      receiptPreferences: receipts.receiptPreferences,
      receiptDeliveries: receipts.receiptDeliveries,
      sessions: portal.sessions,
      oneTimeLinks: portal.oneTimeLinks,
      paymentEvents,
      sandboxRecords: sandbox,
      emails: emails.length,
      consentRecords,
      auditRows,
      erasureRequests: unfinished.length,
    };
    await this.erasedPeople.setRemoved(m, no, removed);
    await this.repo.notifyPages(m, pageTags(donations.gifts));
    this.forgetFilesAfterCommit(m, emails);
    return { no, removed };
  }

  /** Requests whose link expired unconfirmed become EXPIRED (a new request is then allowed). */
  private async expire(m: EntityManager, email?: string): Promise<void> {
    for (const r of await this.repo.expireUnconfirmed(m, email)) {
      await this.audit.record(m, {
        action: 'privacy.erasure_cancelled',
        entityType: 'erasure_request',
        entityId: r.id,
        before: { status: 'AWAITING_CONFIRMATION' },
        after: { status: r.status },
      });
    }
  }

  private forgetFilesAfterCommit(m: EntityManager, outboxIds: string[]): void {
    if (outboxIds.length === 0) return;
    const runner = m.queryRunner;
    if (!runner?.isTransactionActive) {
      void this.forgetFiles(outboxIds);
      return;
    }
    this.filesAfterCommit.set(runner, [...(this.filesAfterCommit.get(runner) ?? []), ...outboxIds]);
  }

  private async forgetFiles(outboxIds: string[]): Promise<void> {
    try {
      await this.outbox.forgetFiles(outboxIds);
    } catch (error) {
      this.logger.error(`mail files of an erased person not deleted: ${String(error)}`);
    }
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    // Savepoint releases also report a commit; only the outermost one counts.
    if (runner.isTransactionActive) return;
    const ids = this.filesAfterCommit.get(runner);
    if (!ids) return;
    this.filesAfterCommit.delete(runner);
    void this.forgetFiles(ids);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.filesAfterCommit.delete(event.queryRunner);
  }
}

function assertCompletable(r: ErasureRequest): void {
  if (r.status === 'COMPLETED') throw new ErasureAlreadyCompletedError(r.erasedNo);
  if (r.status !== 'CONFIRMED') throw new ErasureNotConfirmedError(r.status);
}

/** The public pages that showed the gifts: their campaigns' and funds' pages, and the lists. */
function pageTags(gifts: { campaignId: string | null; fundId: string }[]): string[] {
  if (gifts.length === 0) return [];
  const tags = new Set<string>(['campaigns', 'funds']);
  for (const g of gifts) {
    if (g.campaignId) tags.add(`campaign:${g.campaignId}`);
    tags.add(`fund:${g.fundId}`);
  }
  return [...tags];
}
