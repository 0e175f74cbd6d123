import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { uuidPipe } from '../../common/http/validation';
import { translate } from '../../common/i18n/i18n';
import { submitButton, submitForm, typedValues } from '../../common/views/form-submit';
import { setFlash } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { CampaignsService } from '../campaigns/campaigns.service';
import type { CampaignView } from '../campaigns/campaigns.types';
import { InvalidMatchingRuleError } from '../matching/matching.errors';
import { MatchingService } from '../matching/matching.service';
import { AdminMatchingRuleViews } from './admin-matching-rule.views';
import { type FormState, localName } from './admin-view-helpers';
import { type AdminContext, adminContext } from './admin-page';

/** Where a domain error of the rule's form is shown: beside the pool, or above the form. */
const ERROR_FIELD: Partial<Record<string, string>> = { INVALID_FUND: 'poolFundId' };

/**
 * A campaign's matching rule in the back office: ADMIN and FINANCE create, edit, pause, resume
 * and end it (the same service and checks as `/api/v1/campaigns/{slug}/matching-rule`). The
 * campaign's page shows the rule to everyone who may open it (community leaders: read only).
 */
@ApiExcludeController()
@Controller('admin/campaigns')
export class AdminMatchingRulesController {
  constructor(
    private readonly views: AdminMatchingRuleViews,
    private readonly campaigns: CampaignsService,
    private readonly matching: MatchingService,
  ) {}

  @Get(':id/matching-rule')
  @Allow('ADMIN', 'FINANCE')
  async form(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const campaign = await this.campaigns.getVisible(req.actor, id);
    const rule = await this.matching.findRuleView(campaign);
    if (rule?.status === 'ENDED') return reply.redirect(`/admin/campaigns/${id}`, 303);
    return this.render(reply, ctx, campaign, { values: this.views.formValues(rule), errors: {} });
  }

  @Post(':id/matching-rule')
  @Allow('ADMIN', 'FINANCE')
  async save(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const campaign = await this.campaigns.getVisible(req.actor, id);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => {
        const read = this.views.read(values, campaign.currency, ctx.locale);
        return read.errors
          ? { value: null, errors: read.errors }
          : { value: read.settings, errors: null };
      },
      again: (errors, status, formError) =>
        this.render(reply, ctx, campaign, { values, errors }, status, formError),
      run: (settings) => this.matching.putRule(id, settings),
      done: ({ created, changed }) => ({
        flash: {
          kind: 'success',
          text: created
            ? 'admin.matching.created'
            : changed
              ? 'admin.matching.saved'
              : 'admin.matching.unchanged',
        },
        to: `/admin/campaigns/${id}`,
      }),
      fieldByCode: ERROR_FIELD,
      // The rule's problems, each beside its field (the service names them all at once).
      onError: (error) => {
        if (!(error instanceof InvalidMatchingRuleError)) return undefined;
        const shown = this.views.problems(error.problems, ctx.locale, campaign.currency);
        return this.render(
          reply,
          ctx,
          campaign,
          { values, errors: shown.errors },
          422,
          shown.formError,
        );
      },
    });
  }

  @Post(':id/matching-rule/pause')
  @Allow('ADMIN', 'FINANCE')
  pause(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    return this.change(req, reply, id, () => this.matching.pauseRule(id), 'admin.matching.paused');
  }

  @Post(':id/matching-rule/resume')
  @Allow('ADMIN', 'FINANCE')
  resume(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    return this.change(
      req,
      reply,
      id,
      () => this.matching.resumeRule(id),
      'admin.matching.resumed',
    );
  }

  /** Ending cannot be undone: the form's box must be ticked. */
  @Post(':id/matching-rule/end')
  @Allow('ADMIN', 'FINANCE')
  end(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    if (typedValues(body).confirm !== 'yes') {
      adminContext(req, reply); // the language kept, the pending flash taken, no-store
      setFlash(reply, { kind: 'error', text: 'admin.matching.confirmEnd' });
      return reply.redirect(`/admin/campaigns/${id}`, 303);
    }
    return this.change(req, reply, id, () => this.matching.endRule(id), 'admin.matching.ended');
  }

  private change(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    id: string,
    change: () => Promise<unknown>,
    done: string,
  ) {
    const ctx = adminContext(req, reply);
    return submitButton({
      reply,
      locale: ctx.locale,
      run: change,
      done,
      to: `/admin/campaigns/${id}`,
      // Someone who may not touch the rule gets the error page, not a flash.
      rethrow: (error) => error.code === 'FORBIDDEN',
    });
  }

  private async render(
    reply: FastifyReply,
    ctx: AdminContext,
    campaign: CampaignView,
    state: FormState,
    status = 200,
    formError?: string,
  ) {
    const rule = await this.matching.findRuleView(campaign);
    const title = localName(ctx.locale, campaign.titleZh, campaign.titleEn);
    return renderPage(
      reply,
      ctx,
      'pages/admin/matching-rule',
      {
        title: translate(ctx.locale, 'admin.matching.formTitle', { campaign: title }),
        campaign: { id: campaign.id, title, currency: campaign.currency },
        rule: rule && this.views.summary(rule, ctx.locale),
        pools: await this.views.poolOptions(ctx.locale, campaign.currency, state.values.poolFundId),
        modes: this.views.modeOptions(state.values.mode),
        values: state.values,
        errors: state.errors,
        formError,
      },
      status,
    );
  }
}
