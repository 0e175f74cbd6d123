import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { DomainError } from '../../common/errors';
import { checkForm, type FieldErrors } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { translate } from '../../common/i18n/i18n';
import {
  type Checked,
  submitButton,
  submitForm,
  typedValues,
} from '../../common/views/form-submit';
import { confirmStep } from '../../common/views/confirm-step';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { CampaignsService } from '../campaigns/campaigns.service';
import type { CoverUpload } from '../campaigns/campaigns.types';
import { CoverBody } from '../campaigns/cover-upload.parser';
import {
  CreateCampaignDto,
  CreateCampaignUpdateDto,
  UpdateCampaignDto,
} from '../campaigns/dto/campaigns.dto';
import type { CampaignView } from '../campaigns/campaigns.types';
import { FundsService } from '../funds/funds.service';
import { MatchingService } from '../matching/matching.service';
import { AdminCampaignsViews } from './admin-campaigns.views';
import { AdminConfirmationsViews } from './admin-confirmations.views';
import { type FormState, localName } from './admin-view-helpers';
import { AdminMatchingRuleViews } from './admin-matching-rule.views';
import { type AdminContext, adminContext } from './admin-page';

const EDITORS = ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'] as const;
/** Where a campaign's domain error is shown: beside its field, or above the form. */
const ERROR_FIELD: Partial<Record<string, string>> = {
  CAMPAIGN_SLUG_TAKEN: 'slug',
  FUND_NOT_FOUND: 'fundId',
  FUND_CLOSED: 'fundId',
};

/**
 * Campaigns in the back office: staff and community leaders (for their own funds) draft and edit
 * them and post news; ADMIN and FINANCE publish and end them. The same services and rules as the
 * API (`/api/v1/campaigns`); cover images are uploaded through the API.
 */
@ApiExcludeController()
@Controller('admin/campaigns')
export class AdminCampaignsController {
  constructor(
    private readonly views: AdminCampaignsViews,
    private readonly campaigns: CampaignsService,
    private readonly funds: FundsService,
    private readonly matching: MatchingService,
    private readonly matchingViews: AdminMatchingRuleViews,
    private readonly confirmations: AdminConfirmationsViews,
  ) {}

  @Get()
  @Allow(...EDITORS)
  async list(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return renderPage(reply, ctx, 'pages/admin/campaigns', {
      ...(await this.views.list(req.actor, ctx.locale)),
      canCreate: (await this.views.fundOptions(req.actor, ctx.locale)).length > 0,
    });
  }

  @Get('new')
  @Allow(...EDITORS)
  async newForm(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    return this.form(reply, req, ctx, null, { values: { minAmount: '1.00' }, errors: {} });
  }

  @Post('new')
  @Allow(...EDITORS)
  async create(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const fundId = typeof values.fundId === 'string' ? values.fundId : '';
    const currency = fundId ? await this.fundCurrency(fundId) : 'CNY';
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => dtoOf(this.views.read(CreateCampaignDto, values, currency, ctx.locale)),
      again: (errors, status, formError) =>
        this.form(reply, req, ctx, null, { values, errors }, status, undefined, formError),
      run: (dto) => this.campaigns.create(req.actor, dto),
      done: (campaign) => ({
        flash: { kind: 'success', text: 'admin.campaigns.created' },
        to: `/admin/campaigns/${campaign.id}`,
      }),
      fieldByCode: ERROR_FIELD,
    });
  }

  @Get(':id')
  @Allow(...EDITORS)
  async edit(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = adminContext(req, reply);
    const campaign = await this.campaigns.getVisible(req.actor, id);
    return this.form(reply, req, ctx, id, {
      values: this.views.formValues(campaign),
      errors: {},
    });
  }

  @Post(':id')
  @Allow(...EDITORS)
  async update(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    const campaign = await this.campaigns.getVisible(req.actor, id);
    const shown = { ...values, fundId: campaign.fundId };
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => {
        const read = this.views.read(UpdateCampaignDto, values, campaign.currency, ctx.locale);
        return read.errors
          ? { value: null, errors: read.errors }
          : { value: { dto: read.dto, clear: read.clear }, errors: null };
      },
      again: (errors, status, formError) =>
        this.form(reply, req, ctx, id, { values: shown, errors }, status, undefined, formError),
      run: ({ dto, clear }) => this.campaigns.update(req.actor, id, dto, clear),
      done: () => ({
        flash: { kind: 'success', text: 'admin.campaigns.saved' },
        to: `/admin/campaigns/${id}`,
      }),
      fieldByCode: ERROR_FIELD,
    });
  }

  @Post(':id/publish')
  @Allow('ADMIN', 'FINANCE')
  async publish(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    return submitButton({
      reply,
      locale: ctx.locale,
      confirm: {
        step: confirmStep(reply, ctx, body, req.url),
        page: () => this.confirmations.publish(ctx.locale, req.actor, id),
      },
      run: () => this.campaigns.publish(req.actor, id),
      done: 'admin.campaigns.published',
      to: `/admin/campaigns/${id}`,
    });
  }

  @Post(':id/end')
  @Allow('ADMIN', 'FINANCE')
  async end(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    return this.transition(
      req,
      reply,
      id,
      () => this.campaigns.end(req.actor, id),
      'admin.campaigns.ended',
    );
  }

  /** The cover image from the page's upload form (multipart, parsed by CoverUploadParser). */
  @Post(':id/cover')
  @Allow(...EDITORS)
  async cover(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @CoverBody() upload: CoverUpload,
  ) {
    return this.transition(
      req,
      reply,
      id,
      () => this.campaigns.setCover(req.actor, id, upload),
      'admin.campaigns.coverSaved',
    );
  }

  @Post(':id/updates')
  @Allow(...EDITORS)
  async postUpdate(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkForm(CreateCampaignUpdateDto, body, ctx.locale),
      again: async (errors, status) => {
        const campaign = await this.campaigns.getVisible(req.actor, id);
        return this.form(
          reply,
          req,
          ctx,
          id,
          { values: this.views.formValues(campaign), errors: {} },
          status,
          { values: typedValues(body), errors },
        );
      },
      run: (dto) => this.campaigns.createUpdate(req.actor, id, dto),
      done: () => ({
        flash: { kind: 'success', text: 'admin.campaigns.updatePosted' },
        to: `/admin/campaigns/${id}`,
      }),
      // The news form has one field; a refusal of the campaign itself is the error page's.
      domainErrorsOnForm: false,
    });
  }

  private async transition(
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
    });
  }

  private async form(
    reply: FastifyReply,
    req: AuthenticatedRequest,
    ctx: AdminContext,
    id: string | null,
    state: FormState,
    status = 200,
    news: FormState = { values: {}, errors: {} },
    formError?: string,
  ) {
    const campaign = id ? await this.campaigns.getVisible(req.actor, id) : null;
    const roles = ctx.user?.roles ?? [];
    const canPublish = roles.includes('ADMIN') || roles.includes('FINANCE');
    return renderPage(
      reply,
      ctx,
      'pages/admin/campaign-form',
      {
        title: campaign
          ? localName(ctx.locale, campaign.titleZh, campaign.titleEn)
          : translate(ctx.locale, 'admin.campaigns.new'),
        campaign,
        action: id ? `/admin/campaigns/${id}` : '/admin/campaigns/new',
        fundGroups: id
          ? []
          : await this.views.fundGroups(req.actor, ctx.locale, state.values.fundId),
        values: state.values,
        errors: state.errors,
        news,
        formError,
        canPublish: canPublish && campaign?.status === 'DRAFT',
        canEnd: canPublish && campaign?.status === 'LIVE',
        matching: campaign ? await this.matchingSummary(campaign, ctx) : null,
        canManageMatching: canPublish,
      },
      status,
    );
  }

  /** The campaign's matching rule for those who may see it (a leader: their own funds'). */
  private async matchingSummary(campaign: CampaignView, ctx: AdminContext) {
    try {
      const rule = await this.matching.findRuleView(campaign);
      return rule && this.matchingViews.summary(rule, ctx.locale);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'FORBIDDEN') return null;
      throw error;
    }
  }

  private async fundCurrency(fundId: string): Promise<string> {
    try {
      return (await this.funds.get(fundId)).currency;
    } catch {
      return 'CNY'; // the fund's own error is reported by the service, beside the field
    }
  }
}

/** The views' reading of a campaign form as a form check. */
function dtoOf<T>(read: { dto: T; errors: null } | { dto: null; errors: FieldErrors }): Checked<T> {
  return read.errors ? { value: null, errors: read.errors } : { value: read.dto, errors: null };
}
