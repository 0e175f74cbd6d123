import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { hasRole } from '../../common/context/request-context';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { confirmStep, type ConfirmPage } from '../../common/views/confirm-step';
import { submitButton } from '../../common/views/form-submit';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { UsersService } from '../accounts/users.service';
import { PrivacySettingsService } from '../privacy/policy/privacy-settings.service';
import { RetentionBusyError } from '../privacy/privacy.errors';
import { removedInWords } from '../privacy/retention/retention-report';
import { RETENTION_KINDS } from '../privacy/retention/retention-rules';
import { RetentionService, type RetentionReport } from '../privacy/retention/retention.service';
import { adminContext, currentUser } from './admin-page';

const PERIOD_FIELDS = [
  'sessionDays',
  'linkDays',
  'paymentPayloadDays',
  'emailBodyDays',
  'donationIpDays',
  'donorContactYears',
] as const;

/**
 * The retention job in the back office (ADMIN, FINANCE): the periods in force (ADMIN changes them
 * at /admin/privacy), the latest runs with what each removed, and "run now" after a confirmation.
 */
@ApiExcludeController()
@Controller('admin/privacy/retention')
export class AdminRetentionController {
  constructor(
    private readonly retention: RetentionService,
    private readonly settings: PrivacySettingsService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @Allow('ADMIN', 'FINANCE')
  async page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply) {
    const ctx = adminContext(req, reply);
    const [periods, runs] = await Promise.all([this.periods(ctx.locale), this.retention.latest()]);
    return renderPage(reply, ctx, 'pages/admin/privacy-retention', {
      title: translate(ctx.locale, 'privacy.retention.title'),
      periods,
      canChange: hasRole(req.actor, 'ADMIN'),
      runs: await Promise.all(runs.map((r) => this.runView(r, ctx.locale))),
    });
  }

  /** Runs the job now, after a confirmation page; a run already in progress is a 409 page. */
  @Post('run')
  @Allow('ADMIN', 'FINANCE')
  run(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const ctx = adminContext(req, reply);
    const actorId = currentUser(req).userId;
    return submitButton({
      reply,
      locale: ctx.locale,
      confirm: {
        step: confirmStep(reply, ctx, body, req.url),
        page: () => this.confirmation(ctx.locale),
      },
      run: () => this.retention.run('MANUAL', actorId),
      done: (report) => ({
        kind: 'success',
        text: translate(ctx.locale, 'privacy.retention.done', {
          count: RETENTION_KINDS.reduce((n, k) => n + report.removed[k], 0),
        }),
      }),
      to: '/admin/privacy/retention',
      rethrow: (error) => error instanceof RetentionBusyError,
    });
  }

  private async periods(locale: SupportedLocale) {
    const row = await this.settings.get();
    return PERIOD_FIELDS.map((field) => ({
      label: translate(locale, `privacy.settings.field.${field}`),
      value: translate(
        locale,
        field === 'donorContactYears' ? 'privacy.retention.years' : 'privacy.retention.days',
        { n: row[field] },
      ),
    }));
  }

  private async confirmation(locale: SupportedLocale): Promise<ConfirmPage> {
    return {
      title: translate(locale, 'privacy.retention.confirmTitle'),
      lead: translate(locale, 'privacy.retention.confirmLead'),
      facts: await this.periods(locale),
      effects: [
        translate(locale, 'privacy.retention.confirmEffect'),
        translate(locale, 'privacy.retention.confirmKept'),
      ],
      button: translate(locale, 'privacy.retention.runNow'),
      back: '/admin/privacy/retention',
      danger: true,
    };
  }

  private async runView(run: RetentionReport, locale: SupportedLocale) {
    const removed = removedInWords(run.removed, locale).filter((l) => l.count > 0);
    return {
      id: run.id,
      startedAt: run.startedAt,
      trigger: translate(locale, `privacy.retention.trigger.${run.trigger}`),
      who: run.startedBy
        ? await this.users.get(run.startedBy).then(
            (u) => u.name,
            () => '—',
          )
        : translate(locale, 'privacy.retention.system'),
      state: translate(
        locale,
        run.error
          ? 'privacy.retention.state.failed'
          : run.finishedAt
            ? 'privacy.retention.state.finished'
            : 'privacy.retention.state.running',
      ),
      error: run.error,
      removed,
    };
  }
}
