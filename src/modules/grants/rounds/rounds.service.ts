import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type TransactionOptions, TransactionService } from '../../../database/transaction.service';
import type { AuditAction } from '../../audit/audit-actions';
import { AuditService } from '../../audit/audit.service';
import { FundOutflowService } from '../../funds/fund-outflow.service';
import { FundsService } from '../../funds/funds.service';
import {
  GrantNotFoundError,
  InvalidRoundError,
  RoundNotEditableError,
  RoundTransitionRefusedError,
} from '../grants.errors';
import { OFFICER_ROLES, requirePerson } from '../grant-actor';
import { ReviewsRepository } from '../reviews/reviews.repository';
import { ApplicationsRepository } from './applications.repository';
import type { CreateRoundDto, RoundDefinitionDto } from './dto/rounds.dto';
import { rankApplications, type RankedApplication } from './ranking';
import {
  checkRoundTransition,
  roundBudget,
  roundProblems,
  type RoundAction,
  type RoundStatus,
} from './round-rules';
import { type GrantRound, type RoundFields, RoundsRepository } from './rounds.repository';

/** One line of the ranking, with the application's names. */
export interface RankingLine extends RankedApplication {
  title: string;
  status: string;
  community: { code: string; nameZh: string; nameEn: string };
  submittedAt: Date | null;
  budgetTotalMinor: number;
}

const ROUND_AUDIT_ACTIONS: Record<RoundAction, AuditAction> = {
  open: 'grant.round.opened',
  'start-review': 'grant.round.review_started',
  'start-awarding': 'grant.round.awarding_started',
  close: 'grant.round.closed',
};

/** The reservation source of a round's budget in its fund: `round:<id>`. */
export const roundSource = (roundId: string) => `round:${roundId}`;

/**
 * Grant rounds (区级项目评审): defined as a DRAFT, opened (the budget is reserved in the source
 * fund under its outflow lock, so other rounds and expenses cannot spend it), reviewed, awarded
 * and closed (what the awards do not need goes back to the fund). Each step is audited.
 */
@Injectable()
export class RoundsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: RoundsRepository,
    private readonly applications: ApplicationsRepository,
    private readonly reviews: ReviewsRepository,
    private readonly funds: FundsService,
    private readonly outflow: FundOutflowService,
    private readonly audit: AuditService,
  ) {}

  create(dto: CreateRoundDto): Promise<GrantRound> {
    const person = requirePerson(OFFICER_ROLES);
    const fields = this.fields(dto);
    return this.tx.run(async (m) => {
      const fund = await this.funds.get(dto.sourceFundId, { within: m });
      const round = await this.repo.insert(m, {
        ...fields,
        sourceFundId: fund.id,
        currency: fund.currency.trim(),
        createdBy: person.userId,
      });
      await this.audit.record(m, {
        action: 'grant.round.created',
        entityType: 'grant_round',
        entityId: round.id,
        after: { ...fields, sourceFundId: fund.id, status: round.status },
      });
      return round;
    });
  }

  /** Replaces a DRAFT round's definition (the source fund stays). */
  update(id: string, dto: RoundDefinitionDto): Promise<GrantRound> {
    requirePerson(OFFICER_ROLES);
    const fields = this.fields(dto);
    return this.tx.run(async (m) => {
      const before = await this.lock(m, id);
      if (before.status !== 'DRAFT') throw new RoundNotEditableError(before.status);
      const after = await this.repo.update(m, id, fields);
      await this.audit.record(m, {
        action: 'grant.round.updated',
        entityType: 'grant_round',
        entityId: id,
        before: { budgetMinor: before.budgetMinor, tiers: before.tiers, rubric: before.rubric },
        after: fields,
      });
      return after;
    });
  }

  /**
   * DRAFT → OPEN: under the source fund's outflow lock, reserves the budget; a budget over what
   * the fund has available is refused (INSUFFICIENT_FUND_BALANCE, the fund's figures in words) and
   * nothing changes.
   */
  open(id: string): Promise<GrantRound> {
    return this.move(id, 'open', async (m, round) => {
      const state = await this.outflow.lockOutflow(m, round.sourceFundId);
      const reservation = await this.outflow.reserve(
        m,
        state,
        roundSource(round.id),
        round.budgetMinor,
        `评审轮次预算：${round.nameZh} / Round budget: ${round.nameEn}`.slice(0, 500),
      );
      return { reservationId: reservation.id, extra: { reservedMinor: round.budgetMinor } };
    });
  }

  /** OPEN → REVIEWING once applications have closed, or now (`early`), closing them now. */
  startReview(id: string, early = false): Promise<GrantRound> {
    return this.move(id, 'start-review', () => Promise.resolve({}), early);
  }

  startAwarding(id: string): Promise<GrantRound> {
    return this.move(id, 'start-awarding', () => Promise.resolve({}));
  }

  /**
   * AWARDING → CLOSED once no award is PROPOSED. A round that approved nothing gives its whole
   * reservation back; otherwise the reservation is resized to what its approved awards need in
   * all (design + construction, drawn or not), which is a no-op when the awards part already did.
   */
  close(id: string): Promise<GrantRound> {
    return this.move(id, 'close', async (m, round, figures) => {
      await this.outflow.lockOutflow(m, round.sourceFundId);
      if (figures.approved === 0) {
        await this.outflow.release(m, roundSource(round.id));
        return { extra: { released: true } };
      }
      await this.outflow.resize(m, roundSource(round.id), figures.approvedTotalMinor);
      return { extra: { reservedMinor: figures.approvedTotalMinor } };
    });
  }

  /** The round with its tiers, rubric, tranche schedule and target days parsed. */
  async get(id: string, opts: TransactionOptions = {}): Promise<GrantRound> {
    const round = await this.repo.get(id, opts);
    if (!round) throw new GrantNotFoundError('grant round', id);
    return round;
  }

  list(filter: { status?: RoundStatus; year?: number } = {}): Promise<GrantRound[]> {
    return this.repo.list({ ...filter, limit: 200 });
  }

  /**
   * The round's submitted applications ranked by the mean of their submitted reviews' weighted
   * scores (ranking.ts: ties by the higher lowest score, then the earlier submission, then id).
   */
  async ranking(id: string, opts: TransactionOptions = {}): Promise<RankingLine[]> {
    await this.get(id, opts);
    const apps = await this.applications.submittedOf(id, opts);
    const reviews = await this.reviews.ofRound(id, opts);
    const byApp = new Map(apps.map((a) => [a.id, a]));
    const ranked = rankApplications(
      apps.map((a) => ({
        applicationId: a.id,
        submittedAt: a.submittedAt,
        reviews: reviews.filter((r) => r.applicationId === a.id),
      })),
    );
    return ranked.map((r) => {
      const a = byApp.get(r.applicationId)!;
      return {
        ...r,
        title: a.title,
        status: a.status,
        community: a.community,
        submittedAt: a.submittedAt,
        budgetTotalMinor: a.budgetTotalMinor,
      };
    });
  }

  private async lock(m: EntityManager, id: string): Promise<GrantRound> {
    const round = await this.repo.lock(m, id);
    if (!round) throw new GrantNotFoundError('grant round', id);
    return round;
  }

  private move(
    id: string,
    action: RoundAction,
    effect: (
      m: EntityManager,
      round: GrantRound,
      figures: { proposed: number; approved: number; approvedTotalMinor: number },
    ) => Promise<{ reservationId?: string; extra?: Record<string, unknown> }>,
    early = false,
  ): Promise<GrantRound> {
    requirePerson(OFFICER_ROLES);
    return this.tx.run(async (m) => {
      const round = await this.lock(m, id);
      const figures =
        action === 'close'
          ? await this.repo.awardFigures(m, id)
          : { proposed: 0, approved: 0, approvedTotalMinor: 0 };
      const verdict = checkRoundTransition(round.status, action, {
        now: new Date(),
        applicationsCloseAt: round.applicationsCloseAt,
        early,
        proposedAwards: figures.proposed,
      });
      if (!verdict.allowed) throw new RoundTransitionRefusedError(verdict);
      const { reservationId, extra } = await effect(m, round, figures);
      const after = await this.repo.setStatus(m, id, {
        status: verdict.next,
        reservationId,
        closeApplicationsNow: verdict.closesApplicationsEarly,
      });
      await this.audit.record(m, {
        action: ROUND_AUDIT_ACTIONS[action],
        entityType: 'grant_round',
        entityId: id,
        before: { status: round.status },
        after: {
          status: after.status,
          ...(verdict.closesApplicationsEarly
            ? { applicationsCloseAt: after.applicationsCloseAt.toISOString() }
            : {}),
          ...extra,
        },
      });
      return after;
    });
  }

  /** The definition as stored (known fields only), refused with every problem in words. */
  private fields(dto: RoundDefinitionDto): RoundFields {
    const def = {
      applicationsOpenAt: dto.applicationsOpenAt,
      applicationsCloseAt: dto.applicationsCloseAt,
      reviewCloseAt: dto.reviewCloseAt,
      tiers: (dto.tiers ?? []).map((t) => ({
        key: t.key,
        nameZh: t.nameZh,
        nameEn: t.nameEn,
        amountMinor: t.amountMinor,
        count: t.count,
      })),
      constructionBudgetMinor: dto.constructionBudgetMinor ?? 0,
      rubric: (dto.rubric ?? []).map((c) => ({
        key: c.key,
        nameZh: c.nameZh,
        nameEn: c.nameEn,
        weight: c.weight,
        min: c.min,
        max: c.max,
      })),
      satisfactionThresholdPct: dto.satisfactionThresholdPct ?? 80,
      minEvaluators: dto.minEvaluators ?? 10,
      secondApprovalAboveMinor: dto.secondApprovalAboveMinor,
      trancheSchedule: (dto.trancheSchedule ?? []).map((s) => ({
        key: s.key,
        percent: s.percent,
        unlock: s.unlock,
      })),
      targetDays: {
        review: dto.targetDays?.review,
        decision: dto.targetDays?.decision,
        payment: dto.targetDays?.payment,
        report: dto.targetDays?.report,
      },
    };
    const problems = roundProblems(def);
    if (problems.length) throw new InvalidRoundError(problems);
    return {
      ...def,
      nameZh: dto.nameZh,
      nameEn: dto.nameEn,
      year: dto.year,
      budgetMinor: roundBudget(def.tiers, def.constructionBudgetMinor),
    };
  }
}
