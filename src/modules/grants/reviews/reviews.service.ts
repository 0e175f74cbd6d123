import { Injectable } from '@nestjs/common';
import { beijingDateTime } from '../../../common/dates/beijing-time';
import type { EntityManager } from 'typeorm';
import { ForbiddenError } from '../../../common/errors';
import { AppConfig } from '../../../config/app-config';
import { type TransactionOptions, TransactionService } from '../../../database/transaction.service';
import { UsersService } from '../../accounts/users.service';
import { AuditService } from '../../audit/audit.service';
import { OutboxService } from '../../notifications/outbox.service';
import {
  ApplicationTransitionError,
  ConflictOfInterestError,
  GrantNotFoundError,
  ReviewClosedError,
  ReviewerAlreadyAssignedError,
  ReviewerNotEligibleError,
  ScoreOutOfRangeError,
} from '../grants.errors';
import {
  currentPerson,
  GRANT_STAFF_ROLES,
  holds,
  OFFICER_ROLES,
  requirePerson,
} from '../grant-actor';
import { nextApplicationStatus } from '../rounds/application-rules';
import { ApplicationsRepository } from '../rounds/applications.repository';
import { scoreProblems, weightedScore } from '../rounds/ranking';
import { addDays } from '../rounds/round-rules';
import { RoundsRepository } from '../rounds/rounds.repository';
import {
  type Review,
  type ReviewListItem,
  ReviewsRepository,
  type ReviewStatus,
} from './reviews.repository';
import { words } from '../../../common/i18n/i18n';

/** A review as one reader sees it: others' scores are hidden until the reader has scored. */
export type ReviewView = ReviewListItem & { hidden: boolean };

/**
 * Review of applications: an officer assigns REVIEWER users (never one working for the
 * applicant's community, nor the applicant); a reviewer recuses with a named reason, or scores
 * every rubric criterion within its range with a comment, once. A reviewer sees the other
 * reviewers' scores of an application only after submitting their own; officers and finance
 * always see them.
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ReviewsRepository,
    private readonly applications: ApplicationsRepository,
    private readonly rounds: RoundsRepository,
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Assigns a reviewer, due `targetDays.review` days from now; the first assignment moves the
   * application to UNDER_REVIEW. The reviewer is emailed in their language.
   */
  assign(applicationId: string, reviewerId: string): Promise<ReviewListItem> {
    const person = requirePerson(OFFICER_ROLES);
    return this.tx.run(async (m) => {
      const app = await this.applications.lock(m, applicationId);
      if (!app) throw new GrantNotFoundError('grant application', applicationId);
      const next = nextApplicationStatus(app.status, 'assign');
      if (!next) throw new ApplicationTransitionError(app.status, 'assign');
      const reviewer = await this.users.get(reviewerId, { within: m });
      if (reviewer.status !== 'ACTIVE' || !reviewer.roles.includes('REVIEWER'))
        throw new ReviewerNotEligibleError(
          words('errors.grants.reviewerNotEligible', {
            name: reviewer.name,
            email: reviewer.email,
          }),
        );
      if (reviewer.id === app.applicantId)
        throw new ConflictOfInterestError(
          words('errors.grants.reviewerIsApplicant', { name: reviewer.name }),
        );
      if (reviewer.communityIds.includes(app.communityId))
        throw new ConflictOfInterestError(
          words('errors.grants.reviewerSameCommunity', { name: reviewer.name }),
        );
      const round = (await this.rounds.lockShared(m, app.roundId))!;
      const dueAt = addDays(new Date(), round.targetDays.review);
      const review = await this.repo.insert(m, {
        applicationId,
        reviewerId,
        assignedBy: person.userId,
        dueAt,
      });
      if (!review) throw new ReviewerAlreadyAssignedError();
      if (next !== app.status) await this.applications.setStatus(m, applicationId, next, false);
      await this.audit.record(m, {
        action: 'grant.review.assigned',
        entityType: 'grant_review',
        entityId: review.id,
        after: { applicationId, reviewerId, dueAt: dueAt.toISOString(), applicationStatus: next },
      });
      await this.outbox.enqueue(m, {
        template: 'grant-reviewer-assigned',
        to: reviewer.email,
        locale: reviewer.locale,
        data: {
          reviewerName: reviewer.name,
          applicationTitle: app.title,
          roundName: reviewer.locale === 'en' ? round.nameEn : round.nameZh,
          due: beijingDateTime(dueAt, reviewer.locale),
          url: `${this.config.publicUrl}/admin/grants/reviews/${review.id}`,
        },
        dedupeKey: `grant-review-assigned:${review.id}`,
      });
      return (await this.repo.get(review.id, { within: m }))!;
    });
  }

  /** The assigned reviewer declares a conflict of interest (a named relation): RECUSED. */
  recuse(id: string, reason: string): Promise<ReviewListItem> {
    return this.tx.run(async (m) => {
      const review = await this.lockMine(m, id);
      await this.repo.recuse(m, id, reason);
      await this.audit.record(m, {
        action: 'grant.review.recused',
        entityType: 'grant_review',
        entityId: id,
        before: { status: review.status },
        after: { status: 'RECUSED', reason },
      });
      return (await this.repo.get(id, { within: m }))!;
    });
  }

  /**
   * The assigned reviewer's scores: every rubric criterion, a whole number within its range;
   * weighted = Σ weight × score / Σ weight (4 dp). Submitted once, never changed.
   */
  score(id: string, scores: Record<string, number>, comment = ''): Promise<ReviewListItem> {
    return this.tx.run(async (m) => {
      const review = await this.lockMine(m, id);
      const app = (await this.applications.lock(m, review.applicationId))!;
      if (app.status !== 'UNDER_REVIEW' && app.status !== 'SUBMITTED')
        throw new ApplicationTransitionError(app.status, 'score');
      const round = (await this.rounds.lockShared(m, app.roundId))!;
      const problems = scoreProblems(round.rubric, scores);
      if (problems.length) throw new ScoreOutOfRangeError(problems);
      const clean = Object.fromEntries(round.rubric.map((c) => [c.key, scores[c.key]!]));
      const weighted = weightedScore(round.rubric, clean);
      await this.repo.submit(m, id, { scores: clean, weightedScore: weighted, comment });
      await this.audit.record(m, {
        action: 'grant.review.submitted',
        entityType: 'grant_review',
        entityId: id,
        before: { status: review.status },
        after: { status: 'SUBMITTED', scores: clean, weightedScore: weighted },
      });
      return (await this.repo.get(id, { within: m }))!;
    });
  }

  /**
   * An application's reviews as the reader may see them: staff see all; an assigned reviewer sees
   * others' scores and comments only once their own review is submitted (or they recused).
   */
  async ofApplication(applicationId: string): Promise<ReviewView[]> {
    const person = currentPerson();
    const app = await this.applications.get(applicationId);
    if (!app) throw new GrantNotFoundError('grant application', applicationId);
    const reviews = await this.repo.ofApplication(applicationId);
    if (holds(person, GRANT_STAFF_ROLES)) return reviews.map((r) => ({ ...r, hidden: false }));
    const mine = reviews.find((r) => r.reviewerId === person.userId);
    if (!mine) throw new ForbiddenError(words('errors.grants.forbidden.readReviews'));
    const seesAll = mine.status === 'SUBMITTED';
    return reviews.map((r) =>
      seesAll || r.id === mine.id
        ? { ...r, hidden: false }
        : {
            ...r,
            scores: null,
            weightedScore: null,
            comment: '',
            recusalReason: null,
            hidden: true,
          },
    );
  }

  /** The signed-in reviewer's queue. */
  mine(filter: { status?: ReviewStatus } = {}): Promise<ReviewListItem[]> {
    const person = currentPerson();
    return this.repo.ofReviewer(person.userId, { status: filter.status, limit: 500 });
  }

  /** One review for its reviewer (or staff). */
  async read(id: string): Promise<ReviewListItem> {
    const person = currentPerson();
    const review = await this.repo.get(id);
    if (!review) throw new GrantNotFoundError('review', id);
    if (review.reviewerId !== person.userId && !holds(person, GRANT_STAFF_ROLES))
      throw new ForbiddenError(words('errors.grants.forbidden.readReview'));
    return review;
  }

  /** Everyone ever assigned to review the application (recused included): they may not approve it. */
  reviewerIdsOf(applicationId: string, opts: TransactionOptions = {}): Promise<string[]> {
    return this.repo.reviewerIdsOf(applicationId, opts);
  }

  private async lockMine(m: EntityManager, id: string): Promise<Review> {
    const person = currentPerson();
    const review = await this.repo.lock(m, id);
    if (!review) throw new GrantNotFoundError('review', id);
    if (review.reviewerId !== person.userId)
      throw new ForbiddenError(words('errors.grants.forbidden.scoreReview'));
    if (review.status !== 'ASSIGNED') throw new ReviewClosedError(review.status);
    return review;
  }
}
