import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ForbiddenError } from '../../../common/errors';
import type { Money } from '../../../common/money';
import { TransactionService, type TransactionOptions } from '../../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import { FundOutflowService } from '../../funds/fund-outflow.service';
import { transferPostings } from '../../ledger/journal';
import { InsufficientFundBalanceError } from '../../ledger/ledger.errors';
import { LedgerService } from '../../ledger/ledger.service';
import type { JournalEntry } from '../../ledger/ledger.types';
import {
  AwardApplicationNotShortlistedError,
  AwardConstructionOverBudgetError,
  AwardDecisionRefusedError,
  AwardExistsError,
  AwardRoundNotAwardingError,
  AwardTierFullError,
  AwardTierUnknownError,
  GrantNotFoundError,
  ProjectStatusConflictError,
} from '../grants.errors';
import { AwardEmails } from './award-emails';
import {
  AWARD_APPROVER_ROLES,
  type AwardStatus,
  checkAwardApproval,
  checkAwardRejection,
  checkTierCapacity,
  dueAfter,
  GRANT_OFFICER_ROLES,
  MIN_CONSTRUCTION_MINOR,
  needsSecondApproval,
  type ProjectStatus,
  shouldCloseProject,
  trancheAmounts,
} from './award-rules';
import {
  type Award,
  type AwardListItem,
  AwardsRepository,
  type EvaluationSummary,
  type Inspection,
  type Report,
  type Tranche,
} from './awards.repository';
import type { ProposeAwardDto } from './dto/awards.dto';
import { currentPerson, holds, isGranteeSide } from '../grant-actor';
import { words } from '../../../common/i18n/i18n';

/** An award as its page and the API show it: the project, its money and its history. */
export interface AwardDetail extends AwardListItem {
  tranches: Tranche[];
  reports: Report[];
  inspections: Inspection[];
  evaluations: EvaluationSummary[];
}

export interface AwardApprovalResult {
  award: AwardDetail;
  /** The design award's ledger entry, when this approval was the last one needed. */
  entry: JournalEntry | null;
}

/** The ledger account grant money is paid to (grantees are outside the foundation's books). */
export const GRANT_PAYEES_ACCOUNT = {
  code: 'payees:grants',
  name: '项目资助收款方 / Grant recipients',
  type: 'EXTERNAL' as const,
  allowNegative: true,
};

/** The fund cannot pay `amount` (its ledger balance is below it): nothing was paid. */
export function fundShortError(
  fundCode: string,
  balance: number,
  amount: number,
  currency: string,
): InsufficientFundBalanceError {
  return new InsufficientFundBalanceError(
    words('errors.grants.fundShort', {
      fund: fundCode,
      balance: { amountMinor: balance, currency },
      amount: { amountMinor: amount, currency },
    }),
    { balanceMinor: balance, amountMinor: amount },
  );
}

/** The reservation a round's payouts are drawn from. */
export const roundReservation = (roundId: string) => `round:${roundId}`;

/**
 * Awards (以奖代补) with four eyes: an officer proposes an award by tier for a shortlisted
 * application; a different person approves it (and above the round's threshold a third); the last
 * approval pays the design award from the round's reservation, schedules the construction
 * tranches and marks the application AWARDED, all in one transaction. When no proposal is left in
 * the round, its reservation shrinks to what was awarded, so the rest is available again.
 */
@Injectable()
export class AwardsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AwardsRepository,
    private readonly outflow: FundOutflowService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    private readonly emails: AwardEmails,
  ) {}

  propose(roundId: string, dto: ProposeAwardDto): Promise<AwardDetail> {
    const actor = currentPerson();
    if (!holds(actor, GRANT_OFFICER_ROLES))
      throw new ForbiddenError(words('errors.grants.forbidden.propose'));
    return this.tx.run(async (m) => {
      const round = await this.repo.lockRound(m, roundId);
      if (!round) throw new GrantNotFoundError('round', roundId);
      if (round.status !== 'AWARDING') throw new AwardRoundNotAwardingError(round.status);
      const application = await this.repo.lockApplication(m, dto.applicationId);
      if (!application || application.roundId !== round.id)
        throw new GrantNotFoundError('application in this round', dto.applicationId);
      const existing = await this.repo.awardForApplication(application.id, { within: m });
      if (existing) throw new AwardExistsError(existing.status);
      if (application.status !== 'SHORTLISTED')
        throw new AwardApplicationNotShortlistedError(application.status);
      const tier = round.tiers.find((t) => t.key === dto.tierKey);
      if (!tier)
        throw new AwardTierUnknownError(
          dto.tierKey,
          round.tiers.map((t) => t.key),
        );
      const capacity = checkTierCapacity(tier, await this.repo.takenInTier(m, round.id, tier.key));
      if (!capacity.allowed) throw new AwardTierFullError(capacity.words);

      const money = (amountMinor: number): Money => ({ amountMinor, currency: round.currency });
      const construction = dto.constructionMinor;
      if (construction > 0 && construction < MIN_CONSTRUCTION_MINOR) {
        throw new AwardConstructionOverBudgetError(
          words('errors.grants.constructionMinimum', { min: money(MIN_CONSTRUCTION_MINOR) }),
          { constructionMinor: construction },
        );
      }
      if (construction > application.budgetTotalMinor) {
        throw new AwardConstructionOverBudgetError(
          words('errors.grants.constructionOverApplication', {
            construction: money(construction),
            budget: money(application.budgetTotalMinor),
          }),
          { constructionMinor: construction, budgetTotalMinor: application.budgetTotalMinor },
        );
      }
      const committed = await this.repo.roundCommitments(m, round.id);
      if (committed.constructionMinor + construction > round.constructionBudgetMinor) {
        throw new AwardConstructionOverBudgetError(
          words('errors.grants.constructionOverRound', {
            budget: money(round.constructionBudgetMinor),
            committed: money(committed.constructionMinor),
            construction: money(construction),
          }),
          {
            constructionBudgetMinor: round.constructionBudgetMinor,
            committedMinor: committed.constructionMinor,
            constructionMinor: construction,
          },
        );
      }
      const reservation = await this.outflow.findReservation(roundReservation(round.id), {
        within: m,
      });
      const reserved = reservation && !reservation.releasedAt ? reservation.reservedMinor : 0;
      const total = tier.amountMinor + construction;
      if (committed.committedMinor + total > reserved) {
        throw new AwardConstructionOverBudgetError(
          words('errors.grants.awardOverReserved', {
            reserved: money(reserved),
            committed: money(committed.committedMinor),
            total: money(total),
          }),
          { reservedMinor: reserved, committedMinor: committed.committedMinor, totalMinor: total },
        );
      }

      const award = await this.repo.insertAward(m, {
        roundId: round.id,
        applicationId: application.id,
        tierKey: tier.key,
        designAwardMinor: tier.amountMinor,
        constructionMinor: construction,
        currency: round.currency,
        needsSecondApproval: needsSecondApproval(
          tier.amountMinor,
          construction,
          round.secondApprovalAboveMinor,
        ),
        proposedBy: actor.userId,
        decisionDueAt: dueAfter(new Date(), round.targetDays.decision),
      });
      await this.audit.record(m, {
        action: 'grant.award.proposed',
        entityType: 'grant_award',
        entityId: award.id,
        after: {
          roundId: round.id,
          applicationId: application.id,
          tierKey: tier.key,
          designAwardMinor: award.designAwardMinor,
          constructionMinor: construction,
          needsSecondApproval: award.needsSecondApproval,
        },
      });
      const reviewers = await this.repo.reviewerIds(application.id, { within: m });
      await this.emails.approvalNeeded(
        m,
        await this.repo.usersWithRoles(m, AWARD_APPROVER_ROLES, [
          actor.userId,
          application.applicantId,
          ...reviewers,
        ]),
        { awardId: award.id, title: application.title, currency: round.currency },
        total,
        award.decisionDueAt,
        'FIRST',
      );
      return this.detail(m, award.id);
    });
  }

  /**
   * Approves a PROPOSED award. The round and the award are locked first, so two approvals at once
   * happen one after the other and the second sees the first.
   */
  approve(id: string): Promise<AwardApprovalResult> {
    const actor = currentPerson();
    return this.tx.run(async (m) => {
      const { award, application, round } = await this.lockForDecision(m, id);
      const reviewerIds = await this.repo.reviewerIds(application.id, { within: m });
      const verdict = checkAwardApproval(award, actor, {
        applicantId: application.applicantId,
        reviewerIds,
      });
      if (!verdict.allowed) throw new AwardDecisionRefusedError(verdict);
      const project = { awardId: award.id, title: application.title, currency: award.currency };

      if (!verdict.complete) {
        await this.repo.recordFirstApproval(m, award.id, actor.userId);
        await this.audit.record(m, {
          action: 'grant.award.first_approved',
          entityType: 'grant_award',
          entityId: award.id,
          before: { status: award.status, firstApprovedBy: null },
          after: { status: 'PROPOSED', firstApprovedBy: actor.userId },
        });
        await this.emails.approvalNeeded(
          m,
          await this.repo.usersWithRoles(m, AWARD_APPROVER_ROLES, [
            award.proposedBy,
            actor.userId,
            application.applicantId,
            ...reviewerIds,
          ]),
          project,
          award.designAwardMinor + award.constructionMinor,
          award.decisionDueAt,
          'SECOND',
        );
        return { award: await this.detail(m, award.id), entry: null };
      }

      // Full approval: the design award leaves the fund now, out of the round's reservation.
      const state = await this.outflow.lockOutflow(m, round.sourceFundId);
      const fund = state.fund;
      if (state.balanceMinor < award.designAwardMinor) {
        throw fundShortError(fund.code, state.balanceMinor, award.designAwardMinor, award.currency);
      }
      await this.outflow.draw(m, state, roundReservation(round.id), award.designAwardMinor);
      const payee = await this.ledger.ensureAccount(
        { ...GRANT_PAYEES_ACCOUNT, currency: award.currency },
        { within: m },
      );
      let entry: JournalEntry;
      try {
        ({ entry } = await this.ledger.post(
          {
            idempotencyKey: `grant-award:${award.id}:design`,
            kind: 'GRANT_AWARD',
            description:
              `设计奖励：${application.title} / Design award: ${application.title}`.slice(0, 500),
            currency: award.currency,
            postings: transferPostings(fund.accountId, payee.id, award.designAwardMinor),
            metadata: {
              awardId: award.id,
              applicationId: application.id,
              roundId: round.id,
              fundId: fund.id,
            },
          },
          { within: m },
        ));
      } catch (error) {
        if (error instanceof InsufficientFundBalanceError) {
          throw fundShortError(
            fund.code,
            state.balanceMinor,
            award.designAwardMinor,
            award.currency,
          );
        }
        throw error;
      }
      await this.repo.approve(m, award.id, verdict.step, actor.userId, entry.id);
      const amounts = trancheAmounts(award.constructionMinor, round.trancheSchedule);
      await this.repo.insertTranches(
        m,
        award.id,
        amounts.map((amountMinor, i) => ({
          seq: i + 1,
          key: round.trancheSchedule[i]!.key,
          percent: round.trancheSchedule[i]!.percent,
          unlock: round.trancheSchedule[i]!.unlock,
          amountMinor,
        })),
      );
      await this.repo.markApplicationAwarded(m, application.id);
      await this.audit.record(m, {
        action: 'grant.award.approved',
        entityType: 'grant_award',
        entityId: award.id,
        before: { status: award.status },
        after: {
          status: 'APPROVED',
          approvedBy: actor.userId,
          step: verdict.step,
          designEntryId: entry.id,
          designAwardMinor: award.designAwardMinor,
          tranches: amounts,
        },
      });
      await this.audit.record(m, {
        action: 'grant.application.awarded',
        entityType: 'grant_application',
        entityId: application.id,
        before: { status: 'SHORTLISTED' },
        after: { status: 'AWARDED', awardId: award.id },
      });
      const applicant = await this.repo.user(m, application.applicantId);
      if (applicant) {
        await this.emails.approved(
          m,
          applicant,
          project,
          award.designAwardMinor,
          award.constructionMinor,
        );
      }
      return { award: await this.detail(m, award.id), entry };
    });
  }

  /** Rejects a PROPOSED award with a note: nothing is paid, the application stays SHORTLISTED. */
  reject(id: string, note = ''): Promise<AwardDetail> {
    const actor = currentPerson();
    return this.tx.run(async (m) => {
      const { award, application } = await this.lockForDecision(m, id);
      const verdict = checkAwardRejection(award, actor, {
        applicantId: application.applicantId,
        reviewerIds: await this.repo.reviewerIds(application.id, { within: m }),
      });
      if (!verdict.allowed) throw new AwardDecisionRefusedError(verdict);
      await this.repo.reject(m, award.id, actor.userId, note);
      await this.audit.record(m, {
        action: 'grant.award.rejected',
        entityType: 'grant_award',
        entityId: award.id,
        before: { status: award.status },
        after: { status: 'REJECTED', note },
      });
      return this.detail(m, award.id);
    });
  }

  /** The award with its project, tranches, reports, inspections and evaluations (no permission check). */
  async get(id: string, opts: TransactionOptions = {}): Promise<AwardDetail> {
    return this.tx.run((m) => this.detail(m, id), opts);
  }

  /** `get` for the signed-in person: staff, or the grantee side of the project. */
  async getForActor(id: string): Promise<AwardDetail> {
    const actor = currentPerson();
    const award = await this.get(id);
    if (
      !holds(actor, ['ADMIN', 'GRANTS_OFFICER', 'FINANCE']) &&
      !isGranteeSide(actor, award.application)
    ) {
      throw new ForbiddenError(words('errors.grants.forbidden.seeAward'));
    }
    return award;
  }

  /** Awards, open proposals first; the grantee side sees its own projects only. */
  list(filter: { roundId?: string; status?: AwardStatus } = {}): Promise<AwardListItem[]> {
    const actor = currentPerson();
    const staff = holds(actor, ['ADMIN', 'GRANTS_OFFICER', 'FINANCE']);
    return this.repo.listAwards({
      ...filter,
      ...(staff ? {} : { applicantId: actor.userId, communityIds: actor.communityIds }),
      limit: 200,
    });
  }

  /**
   * Moves the project from one of `from` to `to` (used by evaluations: COMPLETED → EVALUATED or
   * RECTIFICATION_REQUIRED, RECTIFICATION_REQUIRED → EVALUATED), refusing with
   * GRANT_PROJECT_STATUS when the current status is not in `from`. Audited. Moving to EVALUATED
   * when every tranche is already paid (or there are none) closes the project at once (CLOSED).
   * Returns the award as it is afterwards. Call inside the caller's transaction.
   */
  async setProjectStatus(
    m: EntityManager,
    awardId: string,
    from: readonly ProjectStatus[],
    to: ProjectStatus,
  ): Promise<Award> {
    const current = await this.repo.lockAward(m, awardId);
    if (!current) throw new GrantNotFoundError('award', awardId);
    const updated = await this.repo.setProjectStatus(m, awardId, from, to);
    if (!updated) throw new ProjectStatusConflictError(current.projectStatus, from, to);
    await this.audit.record(m, {
      action: 'grant.award.project_status',
      entityType: 'grant_award',
      entityId: awardId,
      before: { projectStatus: current.projectStatus },
      after: { projectStatus: to },
    });
    return (await this.closeIfDone(m, updated)) ?? updated;
  }

  /**
   * Closes an EVALUATED project whose tranches are all paid (audited); null when it stays open.
   * Call inside a transaction that holds the award's lock.
   */
  async closeIfDone(m: EntityManager, award: Award): Promise<Award | null> {
    const tranches = await this.repo.tranches(award.id, { within: m });
    if (
      !shouldCloseProject(
        award.projectStatus,
        tranches.map((t) => t.status),
      )
    )
      return null;
    const closed = await this.repo.setProjectStatus(m, award.id, ['EVALUATED'], 'CLOSED');
    if (!closed) return null;
    await this.audit.record(m, {
      action: 'grant.award.project_status',
      entityType: 'grant_award',
      entityId: award.id,
      before: { projectStatus: 'EVALUATED' },
      after: { projectStatus: 'CLOSED' },
    });
    return closed;
  }

  private async lockForDecision(m: EntityManager, id: string) {
    const unlocked = await this.repo.award(id, { within: m });
    if (!unlocked) throw new GrantNotFoundError('award', id);
    const round = (await this.repo.lockRound(m, unlocked.roundId))!;
    const award = (await this.repo.lockAward(m, id))!;
    const application = (await this.repo.application(award.applicationId, { within: m }))!;
    return { award, application, round };
  }

  async detail(m: EntityManager, id: string): Promise<AwardDetail> {
    const award = await this.repo.awardListItem(id, { within: m });
    if (!award) throw new GrantNotFoundError('award', id);
    const within = { within: m };
    return {
      ...award,
      tranches: await this.repo.tranches(id, within),
      reports: await this.repo.reports(id, within),
      inspections: await this.repo.inspections(id, within),
      evaluations: await this.repo.evaluations(id, within),
    };
  }
}
