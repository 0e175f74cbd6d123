import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ForbiddenError } from '../../../common/errors';
import { TransactionService } from '../../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import { FundOutflowService } from '../../funds/fund-outflow.service';
import { transferPostings } from '../../ledger/journal';
import { InsufficientFundBalanceError } from '../../ledger/ledger.errors';
import { LedgerService } from '../../ledger/ledger.service';
import type { JournalEntry } from '../../ledger/ledger.types';
import {
  AwardNotApprovedError,
  GrantNotFoundError,
  ProjectInRectificationError,
  TrancheLockedError,
  TrancheNotInStatusError,
  TrancheSelfPaymentError,
} from '../grants.errors';
import { AwardEmails } from './award-emails';
import {
  dueAfter,
  GRANT_OFFICER_ROLES,
  isPayoutBlocked,
  isTrancheUnlocked,
  nextTrancheStatus,
  TRANCHE_PAYER_ROLES,
} from './award-rules';
import {
  type Award,
  type AwardApplication,
  AwardsRepository,
  type Tranche,
  type TrancheQueueItem,
} from './awards.repository';
import {
  AwardsService,
  fundShortError,
  GRANT_PAYEES_ACCOUNT,
  roundReservation,
} from './awards.service';
import { currentPerson, holds, isGranteeSide } from '../grant-actor';
import { words } from '../../../common/i18n/i18n';

export interface TranchePayResult {
  tranche: Tranche;
  entry: JournalEntry | null;
  /** True when the tranche was PAID already: nothing new was posted. */
  replayed: boolean;
}

/**
 * Construction money in tranches. A tranche is requested (by an officer or the grantee) once its
 * unlock has happened, then paid by FINANCE, never by its requester: in one transaction the fund's
 * outflow lock, a draw from the round's reservation, the ledger entry `grant-tranche:<id>` and the
 * row. A tranche already PAID answers with itself and posts nothing. Nothing is requested or paid
 * while the project must be rectified.
 */
@Injectable()
export class TranchesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AwardsRepository,
    private readonly awards: AwardsService,
    private readonly outflow: FundOutflowService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    private readonly emails: AwardEmails,
  ) {}

  request(id: string): Promise<Tranche> {
    const actor = currentPerson();
    return this.tx.run(async (m) => {
      const { tranche, award, application } = await this.lock(m, id);
      if (!holds(actor, GRANT_OFFICER_ROLES) && actor.userId !== application.applicantId) {
        throw new ForbiddenError(words('errors.grants.forbidden.requestTranche'));
      }
      if (award.status !== 'APPROVED') throw new AwardNotApprovedError(award.status);
      if (!nextTrancheStatus(tranche.status, 'request'))
        throw new TrancheNotInStatusError(tranche.status, 'request');
      if (isPayoutBlocked(award.projectStatus)) throw new ProjectInRectificationError();
      const unlocked = isTrancheUnlocked(tranche.unlock, {
        awardStatus: award.status,
        projectStatus: award.projectStatus,
        startAccepted: await this.repo.hasReport(m, award.id, 'START', 'ACCEPTED'),
        midtermAccepted: await this.repo.hasReport(m, award.id, 'MIDTERM', 'ACCEPTED'),
      });
      if (!unlocked) throw new TrancheLockedError(tranche.unlock);
      const round = (await this.repo.round(award.roundId, { within: m }))!;
      const dueAt = dueAfter(new Date(), round.targetDays.payment);
      await this.repo.requestTranche(m, tranche.id, actor.userId, dueAt);
      await this.audit.record(m, {
        action: 'grant.tranche.requested',
        entityType: 'grant_tranche',
        entityId: tranche.id,
        before: { status: tranche.status },
        after: { status: 'REQUESTED', awardId: award.id, amountMinor: tranche.amountMinor },
      });
      const requested = (await this.repo.tranche(tranche.id, { within: m }))!;
      await this.emails.trancheRequested(
        m,
        await this.repo.usersWithRoles(m, TRANCHE_PAYER_ROLES, [actor.userId]),
        { awardId: award.id, title: application.title, currency: award.currency },
        { ...requested, requestedAt: requested.requestedAt! },
        dueAt,
      );
      return requested;
    });
  }

  /**
   * Pays a REQUESTED tranche. Lock order: tranche, award, then the fund's outflow lock (the same
   * order as award approval: award before fund), so concurrent payments from one fund check and
   * post one after the other and never overdraw.
   */
  pay(id: string): Promise<TranchePayResult> {
    const actor = currentPerson();
    if (!holds(actor, TRANCHE_PAYER_ROLES))
      throw new ForbiddenError(words('errors.grants.forbidden.payTranche'));
    return this.tx.run(async (m) => {
      const { tranche, award, application } = await this.lock(m, id);
      if (tranche.status === 'PAID') return { tranche, entry: null, replayed: true };
      if (!nextTrancheStatus(tranche.status, 'pay'))
        throw new TrancheNotInStatusError(tranche.status, 'pay');
      if (tranche.requestedBy === actor.userId) throw new TrancheSelfPaymentError();
      if (isGranteeSide(actor, application)) throw new TrancheSelfPaymentError('grantee');
      if (isPayoutBlocked(award.projectStatus)) throw new ProjectInRectificationError();

      const round = (await this.repo.round(award.roundId, { within: m }))!;
      const state = await this.outflow.lockOutflow(m, round.sourceFundId);
      const fund = state.fund;
      if (state.balanceMinor < tranche.amountMinor)
        throw fundShortError(fund.code, state.balanceMinor, tranche.amountMinor, award.currency);
      await this.outflow.draw(m, state, roundReservation(round.id), tranche.amountMinor);
      const payee = await this.ledger.ensureAccount(
        { ...GRANT_PAYEES_ACCOUNT, currency: award.currency },
        { within: m },
      );
      let entry: JournalEntry;
      try {
        ({ entry } = await this.ledger.post(
          {
            idempotencyKey: `grant-tranche:${tranche.id}`,
            kind: 'GRANT_TRANCHE',
            description:
              `建设资金第${tranche.seq}笔：${application.title} / Construction tranche ${tranche.seq}: ${application.title}`.slice(
                0,
                500,
              ),
            currency: award.currency,
            postings: transferPostings(fund.accountId, payee.id, tranche.amountMinor),
            metadata: {
              awardId: award.id,
              applicationId: application.id,
              roundId: round.id,
              trancheId: tranche.id,
              fundId: fund.id,
            },
          },
          { within: m },
        ));
      } catch (error) {
        if (error instanceof InsufficientFundBalanceError)
          throw fundShortError(fund.code, state.balanceMinor, tranche.amountMinor, award.currency);
        throw error;
      }
      await this.repo.payTranche(m, tranche.id, actor.userId, entry.id);
      await this.audit.record(m, {
        action: 'grant.tranche.paid',
        entityType: 'grant_tranche',
        entityId: tranche.id,
        before: { status: tranche.status },
        after: { status: 'PAID', entryId: entry.id, amountMinor: tranche.amountMinor },
      });
      const grantee = await this.repo.user(m, application.applicantId);
      if (grantee) {
        await this.emails.tranchePaid(
          m,
          grantee,
          { awardId: award.id, title: application.title, currency: award.currency },
          tranche,
        );
      }
      await this.awards.closeIfDone(m, award);
      return {
        tranche: (await this.repo.tranche(tranche.id, { within: m }))!,
        entry,
        replayed: false,
      };
    });
  }

  /** Sends a REQUESTED tranche back to SCHEDULED with a note (FINANCE); nothing is paid. */
  reject(id: string, note = ''): Promise<Tranche> {
    const actor = currentPerson();
    if (!holds(actor, TRANCHE_PAYER_ROLES))
      throw new ForbiddenError(words('errors.grants.forbidden.rejectTranche'));
    return this.tx.run(async (m) => {
      const { tranche } = await this.lock(m, id);
      if (!nextTrancheStatus(tranche.status, 'reject'))
        throw new TrancheNotInStatusError(tranche.status, 'reject');
      await this.repo.rejectTranche(m, tranche.id, actor.userId, note);
      await this.audit.record(m, {
        action: 'grant.tranche.rejected',
        entityType: 'grant_tranche',
        entityId: tranche.id,
        before: { status: tranche.status, requestedBy: tranche.requestedBy },
        after: { status: 'SCHEDULED', note },
      });
      return (await this.repo.tranche(tranche.id, { within: m }))!;
    });
  }

  /** The award a tranche belongs to (null when there is no such tranche), for pages. */
  async awardIdOf(id: string): Promise<string | null> {
    return (await this.repo.tranche(id))?.awardId ?? null;
  }

  /** FINANCE's payment queue: requested tranches, the oldest first. */
  queue(): Promise<TrancheQueueItem[]> {
    return this.repo.requestedTranches(200);
  }

  private async lock(
    m: EntityManager,
    id: string,
  ): Promise<{ tranche: Tranche; award: Award; application: AwardApplication }> {
    const tranche = await this.repo.lockTranche(m, id);
    if (!tranche) throw new GrantNotFoundError('tranche', id);
    const award = (await this.repo.lockAward(m, tranche.awardId))!;
    const application = (await this.repo.application(award.applicationId, { within: m }))!;
    return { tranche, award, application };
  }
}
