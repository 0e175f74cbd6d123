import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { ValidationFailedError } from '../../common/errors';
import { uuidPipe } from '../../common/http/validation';
import { translate, words } from '../../common/i18n/i18n';
import { parseMoney } from '../../common/money';
import type { FieldErrors } from '../../common/http/forms';
import { submitButton, submitForm, typedValues } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { ApplicationsService } from '../grants/rounds/applications.service';
import { RoundsService } from '../grants/rounds/rounds.service';
import { ReviewsService } from '../grants/reviews/reviews.service';
import { type AdminContext, adminContext, currentUser } from './admin-page';
import { readRoundForm, type RoundFormValue } from './admin-grants-round-form';
import { AdminGrantsRoundsViews } from './admin-grants-rounds.views';
import { statusText } from '../../common/i18n/status-words';

const OFFICERS = ['ADMIN', 'GRANTS_OFFICER'] as const;
const READERS = [
  'ADMIN',
  'GRANTS_OFFICER',
  'FINANCE',
  'REVIEWER',
  'PLANNER',
  'COMMUNITY_LEADER',
] as const;

/** A one-button step must be confirmed with its checkbox. */
function confirmed(values: Record<string, unknown>): void {
  if (values.confirm !== 'yes')
    throw new ValidationFailedError(words('grants.rounds.confirmNeeded'));
}

const text = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/**
 * Grant rounds, applications and review in the back office: the rounds (officers), a round with
 * its applications, ranking and next step, an application with its reviews (assign, shortlist,
 * decline), a reviewer's queue and scoring form, and an applicant's applications. Every command is
 * the API's service call; the services decide who may do what.
 */
@ApiExcludeController()
@Controller('admin/grants')
export class AdminGrantsRoundsController {
  constructor(
    private readonly views: AdminGrantsRoundsViews,
    private readonly rounds: RoundsService,
    private readonly applications: ApplicationsService,
    private readonly reviews: ReviewsService,
  ) {}

  @Get('rounds')
  @Allow(...OFFICERS, 'FINANCE')
  async list(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/rounds',
      await this.views.list(ctx.locale, currentUser(req)),
    );
  }

  @Get('rounds/new')
  @Allow(...OFFICERS)
  async newRound(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return this.renderRoundForm(reply, ctx, null, 200);
  }

  /** A new DRAFT round from the form (money in yuan, windows in Beijing time). */
  @Post('rounds')
  @Allow(...OFFICERS)
  createRound(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    return this.saveRound(req, reply, null, body);
  }

  @Get('rounds/:id/edit')
  @Allow(...OFFICERS)
  async editRound(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    return this.renderRoundForm(reply, ctx, id, 200);
  }

  /** Replaces a DRAFT round's definition (refused with ROUND_NOT_EDITABLE once it is open). */
  @Post('rounds/:id/edit')
  @Allow(...OFFICERS)
  updateRound(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    return this.saveRound(req, reply, id, body);
  }

  @Get('rounds/:id')
  @Allow(...OFFICERS, 'FINANCE')
  async round(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const view = await this.views.round(id, ctx.locale, currentUser(req));
    return renderPage(reply, ctx, 'pages/admin/grants/rounds-detail', view);
  }

  @Post('rounds/:id/:action')
  @Allow(...OFFICERS)
  move(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Param('action') action: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => {
        confirmed(values);
        switch (action) {
          case 'open':
            return this.rounds.open(id);
          case 'start-review':
            return this.rounds.startReview(id, values.early === 'yes');
          case 'start-awarding':
            return this.rounds.startAwarding(id);
          case 'close':
            return this.rounds.close(id);
          default:
            throw new ValidationFailedError(words('errors.admin.unknownAction', { action }));
        }
      },
      done: (round) => ({
        kind: 'success',
        text: translate(ctx.locale, 'grants.rounds.moved', {
          status: statusText(ctx.locale, 'round', round.status),
        }),
      }),
      to: `/admin/grants/rounds/${id}`,
    });
  }

  @Get('applications/:id')
  @Allow(...READERS)
  async application(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const view = await this.views.application(id, ctx.locale, currentUser(req));
    return renderPage(reply, ctx, 'pages/admin/grants/rounds-application', view);
  }

  @Post('applications/:id/reviewers')
  @Allow(...OFFICERS)
  assign(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => {
        const reviewerId = text(values.reviewerId, 36);
        if (!/^[0-9a-f-]{36}$/i.test(reviewerId))
          throw new ValidationFailedError(words('grants.rounds.chooseReviewer'));
        return this.reviews.assign(id, reviewerId);
      },
      done: (r) => ({
        kind: 'success',
        text: translate(ctx.locale, 'grants.rounds.assigned', { name: r.reviewer.name }),
      }),
      to: `/admin/grants/applications/${id}`,
    });
  }

  @Post('applications/:id/:decision')
  @Allow(...OFFICERS, 'PLANNER', 'COMMUNITY_LEADER')
  decide(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Param('decision') decision: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const note = text(values.note, 1000);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => {
        confirmed(values);
        if (decision === 'shortlist') return this.applications.shortlist(id, note);
        if (decision === 'decline') return this.applications.decline(id, note);
        if (decision === 'submit') return this.applications.submit(id);
        throw new ValidationFailedError(words('errors.admin.unknownAction', { action: decision }));
      },
      done: (app) => ({
        kind: 'success',
        text: translate(ctx.locale, 'grants.rounds.applicationMoved', {
          title: app.title,
          status: statusText(ctx.locale, 'application', app.status),
        }),
      }),
      to:
        decision === 'submit'
          ? '/admin/grants/my-applications'
          : `/admin/grants/applications/${id}`,
    });
  }

  @Get('reviews')
  @Allow('REVIEWER')
  async myReviews(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/rounds-reviews',
      await this.views.myReviews(ctx.locale),
    );
  }

  @Get('reviews/:id')
  @Allow('REVIEWER', ...OFFICERS, 'FINANCE')
  async review(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/rounds-review',
      await this.views.review(id, ctx.locale),
    );
  }

  @Post('reviews/:id/scores')
  @Allow('REVIEWER')
  score(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const scores: Record<string, number> = {};
    for (const [key, value] of Object.entries(values)) {
      if (!key.startsWith('score.')) continue;
      const raw = text(value, 10);
      scores[key.slice(6)] = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
    }
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => this.reviews.score(id, scores, text(values.comment, 5000)),
      done: (r) => ({
        kind: 'success',
        text: translate(ctx.locale, 'grants.rounds.scored', { score: r.weightedScore ?? '' }),
      }),
      to: `/admin/grants/reviews/${id}`,
    });
  }

  @Post('reviews/:id/recuse')
  @Allow('REVIEWER')
  recuse(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => {
        const reason = text(values.reason, 1000);
        if (!reason) throw new ValidationFailedError(words('grants.rounds.reasonNeeded'));
        return this.reviews.recuse(id, reason);
      },
      done: translate(ctx.locale, 'grants.rounds.recused'),
      to: '/admin/grants/reviews',
    });
  }

  @Get('my-applications')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  async myApplications(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/rounds-my-applications',
      await this.views.myApplications(ctx.locale, currentUser(req)),
    );
  }

  /**
   * A new DRAFT application from the form: budget lines one per line as `item | amount`
   * (amount in yuan, e.g. `座椅 | 1200.50`).
   */
  @Post('my-applications')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  create(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: () => {
        const roundId = text(values.roundId, 36);
        const communityId = text(values.communityId, 36);
        const title = text(values.title, 201);
        if (
          !/^[0-9a-f-]{36}$/i.test(roundId) ||
          !/^[0-9a-f-]{36}$/i.test(communityId) ||
          !title ||
          title.length > 200
        )
          throw new ValidationFailedError(words('grants.rounds.formIncomplete'));
        const budgetLines = text(values.budgetLines, 20_000)
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .map((line) => {
            const at = line.lastIndexOf('|');
            const item = line.slice(0, Math.max(at, 0)).trim();
            let amountMinor = Number.NaN;
            try {
              amountMinor = parseMoney(line.slice(at + 1).trim(), 'CNY').amountMinor;
            } catch {
              /* refused below */
            }
            if (at < 1 || !item || item.length > 200 || !(amountMinor > 0))
              throw new ValidationFailedError(words('grants.rounds.badBudgetLine', { line }));
            return { item, amountMinor };
          });
        if (budgetLines.length > 50)
          throw new ValidationFailedError(words('grants.rounds.tooManyLines'));
        return this.applications.create(roundId, {
          communityId,
          title,
          summary: text(values.summary, 10_000),
          budgetLines,
        });
      },
      done: (app) => ({
        kind: 'success',
        text: translate(ctx.locale, 'grants.rounds.created', { title: app.title }),
      }),
      to: '/admin/grants/my-applications',
    });
  }

  private async saveRound(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    id: string | null,
    body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const currency = (await this.views.roundForm(ctx.locale, id)).currency;
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => readRoundForm(values, currency, ctx.locale, { needFund: id === null }),
      again: (errors, status, formError) =>
        this.renderRoundForm(reply, ctx, id, status, { values, errors }, formError),
      run: (form: RoundFormValue) => (id ? this.rounds.update(id, form) : this.rounds.create(form)),
      done: (round) => ({
        flash: {
          kind: 'success',
          text: translate(
            ctx.locale,
            id ? 'grants.forms.round.saved' : 'grants.forms.round.created',
            {
              name: ctx.locale === 'en' ? round.nameEn : round.nameZh,
            },
          ),
        },
        to: `/admin/grants/rounds/${round.id}`,
      }),
      fieldByCode: { FUND_NOT_FOUND: 'sourceFundId' },
    });
  }

  private async renderRoundForm(
    reply: FastifyReply,
    ctx: AdminContext,
    id: string | null,
    status: number,
    form?: { values: Record<string, unknown>; errors: FieldErrors },
    formError?: string,
  ) {
    const view = await this.views.roundForm(ctx.locale, id, form);
    const { _form: ruleError, ...errors } = view.errors;
    const problems = Object.keys(errors).length;
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/rounds-form',
      {
        ...view,
        errors,
        formError:
          formError ??
          ruleError ??
          (problems
            ? translate(ctx.locale, 'grants.forms.round.fixBelow', { count: problems })
            : ''),
      },
      status,
    );
  }
}
