import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ForbiddenError } from '../../../common/errors';
import { translate, words } from '../../../common/i18n/i18n';
import { formatMoney } from '../../../common/money';
import { AppConfig } from '../../../config/app-config';
import { type TransactionOptions, TransactionService } from '../../../database/transaction.service';
import { UsersService } from '../../accounts/users.service';
import { AuditService } from '../../audit/audit.service';
import { OutboxService } from '../../notifications/outbox.service';
import {
  ApplicationLockedError,
  ApplicationsClosedError,
  ApplicationTransitionError,
  GrantNotFoundError,
  NotYourCommunityError,
} from '../grants.errors';
import {
  APPLICANT_ROLES,
  currentPerson,
  GRANT_STAFF_ROLES,
  holds,
  OFFICER_ROLES,
  requirePerson,
  type GrantPerson,
} from '../grant-actor';
import { ReviewsRepository } from '../reviews/reviews.repository';
import {
  budgetTotal,
  nextApplicationStatus,
  type ApplicationStatus,
  type BudgetLine,
} from './application-rules';
import {
  type ApplicationListItem,
  ApplicationsRepository,
  type GrantApplication,
} from './applications.repository';
import type { ApplicationFieldsDto, CreateApplicationDto } from './dto/applications.dto';
import { addDays, applicationWindowProblem } from './round-rules';
import { RoundsRepository } from './rounds.repository';

/**
 * Applications to a round by a community planner or leader for one community in their scope:
 * written as a DRAFT inside the round's application window (Asia/Shanghai deadline enforced at
 * creation and submission), locked once SUBMITTED, then shortlisted or declined by an officer.
 */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ApplicationsRepository,
    private readonly rounds: RoundsRepository,
    private readonly reviews: ReviewsRepository,
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  create(roundId: string, dto: CreateApplicationDto): Promise<ApplicationListItem> {
    const person = requirePerson(APPLICANT_ROLES);
    if (!person.communityIds.includes(dto.communityId))
      throw new NotYourCommunityError(dto.communityId);
    const fields = this.fields(dto);
    return this.tx.run(async (m) => {
      const round = await this.rounds.lockShared(m, roundId);
      if (!round) throw new GrantNotFoundError('grant round', roundId);
      const closed = applicationWindowProblem(round, new Date());
      if (closed) throw new ApplicationsClosedError(closed);
      const app = await this.repo.insert(m, {
        ...fields,
        roundId,
        communityId: dto.communityId,
        applicantId: person.userId,
      });
      await this.audit.record(m, {
        action: 'grant.application.created',
        entityType: 'grant_application',
        entityId: app.id,
        after: { roundId, communityId: dto.communityId, ...fields, status: app.status },
      });
      return (await this.repo.get(app.id, { within: m }))!;
    });
  }

  /** Edits a DRAFT (its applicant only); a submitted application is locked. */
  /** With `opts.within`, in the caller's transaction (e.g. the draft and a file together). */
  update(
    id: string,
    dto: ApplicationFieldsDto,
    opts: TransactionOptions = {},
  ): Promise<ApplicationListItem> {
    const person = currentPerson();
    const fields = this.fields(dto);
    return this.tx.run(async (m) => {
      const app = await this.lockOwn(m, id, person);
      if (app.status !== 'DRAFT') throw new ApplicationLockedError(app.status);
      await this.repo.updateDraft(m, id, fields);
      await this.audit.record(m, {
        action: 'grant.application.updated',
        entityType: 'grant_application',
        entityId: id,
        before: { title: app.title, budgetTotalMinor: app.budgetTotalMinor },
        after: fields,
      });
      return (await this.repo.get(id, { within: m }))!;
    }, opts);
  }

  /**
   * DRAFT → SUBMITTED by its applicant, inside the window. The decision is due
   * `targetDays.decision` calendar days after submission (the dashboard measures submission →
   * decision). Locked from then on.
   */
  submit(id: string): Promise<ApplicationListItem> {
    const person = currentPerson();
    return this.tx.run(async (m) => {
      const app = await this.lockOwn(m, id, person);
      if (!nextApplicationStatus(app.status, 'submit'))
        throw new ApplicationLockedError(app.status);
      const round = (await this.rounds.lockShared(m, app.roundId))!;
      const now = new Date();
      const closed = applicationWindowProblem(round, now);
      if (closed) throw new ApplicationsClosedError(closed);
      const due = addDays(now, round.targetDays.decision);
      await this.repo.submit(m, id, now, due);
      await this.audit.record(m, {
        action: 'grant.application.submitted',
        entityType: 'grant_application',
        entityId: id,
        before: { status: app.status },
        after: { status: 'SUBMITTED', decisionDueAt: due.toISOString() },
      });
      return (await this.repo.get(id, { within: m }))!;
    });
  }

  shortlist(id: string, note = ''): Promise<ApplicationListItem> {
    return this.decide(id, 'shortlist', note);
  }

  decline(id: string, note = ''): Promise<ApplicationListItem> {
    return this.decide(id, 'decline', note);
  }

  /**
   * SHORTLISTED → AWARDED, for the awards part when the application's award is fully approved
   * (inside that transaction). Audited here; refused from any other status.
   */
  async markAwarded(manager: EntityManager, id: string): Promise<void> {
    const app = await this.lock(manager, id);
    if (app.status !== 'SHORTLISTED') throw new ApplicationTransitionError(app.status, 'award');
    await this.repo.setStatus(manager, id, 'AWARDED', false);
    await this.audit.record(manager, {
      action: 'grant.application.awarded',
      entityType: 'grant_application',
      entityId: id,
      before: { status: app.status },
      after: { status: 'AWARDED' },
    });
  }

  /** An application as its reader may see it (applicant, officers, finance, its reviewers). */
  async read(id: string): Promise<ApplicationListItem> {
    const person = currentPerson();
    const app = await this.get(id);
    if (app.applicantId === person.userId || holds(person, GRANT_STAFF_ROLES)) return app;
    const reviewers = await this.reviews.reviewerIdsOf(id);
    if (reviewers.includes(person.userId)) return app;
    throw new ForbiddenError(words('errors.grants.forbidden.readApplication'));
  }

  /** The application, for other parts of the grants module (no permission check). */
  async get(id: string, opts: TransactionOptions = {}): Promise<ApplicationListItem> {
    const app = await this.repo.get(id, opts);
    if (!app) throw new GrantNotFoundError('grant application', id);
    return app;
  }

  /** Staff see every application; others their own and those assigned to them for review. */
  list(filter: { roundId?: string; status?: ApplicationStatus; mine?: boolean } = {}) {
    const person = currentPerson();
    const staff = holds(person, GRANT_STAFF_ROLES) && !filter.mine;
    return this.repo.list({
      roundId: filter.roundId,
      status: filter.status,
      applicantId: filter.mine ? person.userId : undefined,
      visibleTo: staff || filter.mine ? undefined : person.userId,
      limit: 500,
    });
  }

  private async decide(
    id: string,
    action: 'shortlist' | 'decline',
    note: string,
  ): Promise<ApplicationListItem> {
    requirePerson(OFFICER_ROLES);
    return this.tx.run(async (m) => {
      const app = await this.lock(m, id);
      const next = nextApplicationStatus(app.status, action);
      if (!next) throw new ApplicationTransitionError(app.status, action);
      if (app.status === 'SHORTLISTED' && (await this.repo.hasLiveAward(m, id))) {
        throw new ApplicationTransitionError('SHORTLISTED', action);
      }
      await this.repo.setStatus(m, id, next, true);
      await this.audit.record(m, {
        action:
          action === 'shortlist' ? 'grant.application.shortlisted' : 'grant.application.declined',
        entityType: 'grant_application',
        entityId: id,
        before: { status: app.status },
        after: { status: next, note },
      });
      const view = (await this.repo.get(id, { within: m }))!;
      await this.emailApplicant(m, view, next, note);
      return view;
    });
  }

  private async emailApplicant(
    m: EntityManager,
    app: ApplicationListItem,
    status: ApplicationStatus,
    note: string,
  ): Promise<void> {
    const applicant = await this.users.get(app.applicantId, { within: m });
    await this.outbox.enqueue(m, {
      template: 'grant-application-decided',
      to: applicant.email,
      locale: applicant.locale,
      data: {
        applicantName: applicant.name,
        applicationTitle: app.title,
        roundName: applicant.locale === 'en' ? app.round.nameEn : app.round.nameZh,
        shortlisted: status === 'SHORTLISTED',
        decision: translate(applicant.locale, `grants.rounds.decision.${status}`),
        note,
        budgetTotal: formatMoney(app.budgetTotalMinor, app.round.currency, applicant.locale),
        url: `${this.config.publicUrl}/admin/grants/my-applications`,
      },
      dedupeKey: `grant-application-decided:${app.id}`,
    });
  }

  private async lock(m: EntityManager, id: string): Promise<GrantApplication> {
    const app = await this.repo.lock(m, id);
    if (!app) throw new GrantNotFoundError('grant application', id);
    return app;
  }

  /** The application locked for its applicant; anyone else is refused. */
  private async lockOwn(
    m: EntityManager,
    id: string,
    person: GrantPerson,
  ): Promise<GrantApplication> {
    const app = await this.lock(m, id);
    if (app.applicantId !== person.userId)
      throw new ForbiddenError(words('errors.grants.forbidden.changeApplication'));
    return app;
  }

  private fields(dto: ApplicationFieldsDto): {
    title: string;
    summary: string;
    budgetLines: BudgetLine[];
    budgetTotalMinor: number;
  } {
    const budgetLines = (dto.budgetLines ?? []).map((l) => ({
      item: l.item,
      amountMinor: l.amountMinor,
    }));
    return {
      title: dto.title,
      summary: dto.summary ?? '',
      budgetLines,
      budgetTotalMinor: budgetTotal(budgetLines),
    };
  }
}
