import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import type { FieldErrors } from '../../common/http/forms';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { confirmStep } from '../../common/views/confirm-step';
import { type Checked, submitForm, typedValues } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import {
  POLICY_BODY_MAX,
  policyDraftProblem,
  type PolicyDraft,
} from '../privacy/policy/privacy-policy-draft';
import { PrivacyPolicyService } from '../privacy/policy/privacy-policy.service';
import { PERIOD_LIMITS, type PrivacyPeriods } from '../privacy/policy/privacy-settings.repository';
import { PrivacySettingsService } from '../privacy/policy/privacy-settings.service';
import { type AdminContext, adminContext, currentUser } from './admin-page';
import { fieldText } from './admin-view-helpers';

const PERIOD_FIELDS = Object.keys(PERIOD_LIMITS) as (keyof PrivacyPeriods)[];

/**
 * The foundation's privacy policy and retention periods (ADMIN): publish a new version of the
 * policy in both languages (confirmed first: later consents name it), change the periods the
 * notices state and the retention job enforces, and see every version published. Both changes
 * are audited by their services.
 */
@ApiExcludeController()
@Controller('admin/privacy')
export class AdminPrivacyController {
  constructor(
    private readonly policies: PrivacyPolicyService,
    private readonly settings: PrivacySettingsService,
  ) {}

  @Get()
  @Allow('ADMIN')
  page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    return this.render(reply, adminContext(req, reply), {}, 200);
  }

  @Post('policy')
  @Allow('ADMIN')
  publish(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const ctx = adminContext(req, reply);
    const user = currentUser(req);
    const values = typedValues(body);
    const draft = { bodyZh: fieldText(values.bodyZh), bodyEn: fieldText(values.bodyEn) };
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkDraft(draft, ctx.locale),
      again: (errors, status, formError) =>
        this.render(reply, ctx, { policy: { values: draft, errors, formError } }, status),
      confirm: {
        step: confirmStep(reply, ctx, body, req.url),
        page: async (checked) => {
          const next = (await this.policies.current()).version + 1;
          const say = (key: string, vars?: Record<string, unknown>) =>
            translate(ctx.locale, `privacy.policy.admin.${key}`, vars);
          return {
            title: say('confirmTitle', { version: next }),
            facts: [
              ...(['bodyZh', 'bodyEn'] as const).map((field) => ({
                label: say('chars', {
                  field: translate(ctx.locale, `privacy.policy.field.${field}`),
                }),
                value: String(checked[field].trim().length),
              })),
            ],
            effects: [say('effectPublic'), say('effectConsent', { version: next })],
            button: say('confirmButton', { version: next }),
            back: '/admin/privacy',
          };
        },
      },
      run: (checked) => this.policies.publish(checked.bodyZh, checked.bodyEn, user.userId),
      done: (row) => ({
        flash: {
          kind: 'success',
          text: translate(ctx.locale, 'privacy.policy.admin.published', { version: row.version }),
        },
        to: '/admin/privacy',
      }),
      fieldByCode: { PRIVACY_POLICY_INVALID: 'bodyZh' },
    });
  }

  @Post('settings')
  @Allow('ADMIN')
  saveSettings(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const user = currentUser(req);
    const values = typedValues(body);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkPeriods(values, ctx.locale),
      again: (errors, status, formError) =>
        this.render(reply, ctx, { periods: { values, errors, formError } }, status),
      run: (periods) => this.settings.save(periods, user.userId),
      done: () => ({
        flash: { kind: 'success', text: 'privacy.settings.saved' },
        to: '/admin/privacy',
      }),
    });
  }

  private async render(
    reply: FastifyReply,
    ctx: AdminContext,
    state: {
      policy?: { values: PolicyDraft; errors: FieldErrors; formError?: string };
      periods?: { values: Record<string, unknown>; errors: FieldErrors; formError?: string };
    },
    status: number,
  ) {
    const [current, versions, settings] = await Promise.all([
      this.policies.current(),
      this.policies.versions(),
      this.settings.get(),
    ]);
    const periodValues: Record<string, unknown> = { ...settings, ...state.periods?.values };
    return renderPage(
      reply,
      ctx,
      'pages/admin/privacy',
      {
        title: translate(ctx.locale, 'privacy.policy.admin.title'),
        current: { version: current.version, publishedAt: current.publishedAt },
        policy: {
          values: state.policy?.values ?? { bodyZh: current.bodyZh, bodyEn: current.bodyEn },
          errors: state.policy?.errors ?? {},
          formError: state.policy?.formError,
        },
        maxChars: POLICY_BODY_MAX,
        periods: {
          fields: PERIOD_FIELDS.map((field) => ({
            field,
            label: translate(ctx.locale, `privacy.settings.field.${field}`),
            value: fieldText(periodValues[field]),
            min: PERIOD_LIMITS[field].min,
            max: PERIOD_LIMITS[field].max,
            error: state.periods?.errors[field],
          })),
          formError: state.periods?.formError,
          updatedAt: settings.updatedAt,
        },
        versions: versions.map((v) => ({
          version: v.version,
          publishedAt: v.publishedAt,
          charsZh: v.bodyZh.length,
          charsEn: v.bodyEn.length,
          current: v.version === current.version,
        })),
      },
      status,
    );
  }
}

/** Both languages present and within the table's length; each problem beside its field. */
function checkDraft(draft: PolicyDraft, locale: SupportedLocale): Checked<PolicyDraft> {
  const errors: FieldErrors = {};
  for (const field of ['bodyZh', 'bodyEn'] as const) {
    const problem = policyDraftProblem({ bodyZh: 'x', bodyEn: 'x', [field]: draft[field] });
    if (problem) {
      errors[field] = translate(locale, `errors.privacy.policy.${problem.reason}`, {
        field: translate(locale, `privacy.policy.field.${field}`),
        max: POLICY_BODY_MAX,
      });
    }
  }
  return Object.keys(errors).length > 0 ? { value: null, errors } : { value: draft, errors: null };
}

/** Every period a whole number within its bounds (the table's CHECKs); each problem beside it. */
function checkPeriods(
  values: Record<string, unknown>,
  locale: SupportedLocale,
): Checked<PrivacyPeriods> {
  const errors: FieldErrors = {};
  const periods = {} as PrivacyPeriods;
  for (const field of PERIOD_FIELDS) {
    const text = fieldText(values[field]).trim();
    const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
    const { min, max } = PERIOD_LIMITS[field];
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      errors[field] = translate(locale, 'errors.privacy.settings.outOfRange', {
        field: translate(locale, `privacy.settings.field.${field}`),
        min,
        max,
      });
    }
    periods[field] = n;
  }
  return Object.keys(errors).length > 0
    ? { value: null, errors }
    : { value: periods, errors: null };
}
