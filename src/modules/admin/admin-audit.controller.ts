import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Allow } from '../../common/auth/policy.decorator';
import { ValidationFailedError } from '../../common/errors';
import { checkForm } from '../../common/http/forms';
import { type SupportedLocale, words } from '../../common/i18n/i18n';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { AuditService } from '../audit/audit.service';
import type { AuditFilter } from '../audit/audit.types';
import { DonorExportAudit } from '../audit/donor-exports';
import { dateInputValue } from '../reporting/periods';
import { AdminPeopleViews } from './admin-people.views';
import { localizeErrors } from '../../common/views/form-submit';
import { adminContext } from './admin-page';
import { dateRange } from './date-range';
import { AuditFilterForm } from './dto/admin-forms.dto';

/** The audit log: filters, paging and the filtered log as CSV. */
@ApiExcludeController()
@Controller('admin')
export class AdminAuditController {
  constructor(
    private readonly views: AdminPeopleViews,
    private readonly audit: AuditService,
    private readonly exportAudit: DonorExportAudit,
  ) {}

  @Get('audit')
  @Allow('ADMIN')
  async page(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query() query: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const { filter, typed, cursor, errors } = await this.filter(query, ctx.locale);
    const view = await this.views.auditPage(
      filter,
      typed,
      cursor,
      ctx.locale,
      localizeErrors(errors, ctx.locale),
    );
    return renderPage(
      reply,
      ctx,
      'pages/admin/audit',
      view,
      Object.keys(errors).length > 0 ? 400 : 200,
    );
  }

  @Get('audit.csv')
  @Allow('ADMIN')
  async csv(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Query() query: unknown) {
    const ctx = adminContext(req, reply);
    const { filter, errors } = await this.filter(query, ctx.locale);
    if (Object.keys(errors).length > 0) {
      throw new ValidationFailedError(words('errors.admin.auditFilters'));
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="audit-log-${dateInputValue(new Date())}.csv"`,
      )
      .header('cache-control', 'no-store')
      .send(
        Readable.from(
          this.exportAudit.track(
            'audit-log.csv',
            { ...filter, from: filter.from?.toISOString(), to: filter.to?.toISOString() },
            this.audit.csvInWords(filter, ctx.locale),
          ),
        ),
      );
  }

  /** The query as the audit filter, the values as typed, and one message per wrong field. */
  private async filter(query: unknown, locale: SupportedLocale) {
    const raw = (query ?? {}) as Record<string, unknown>;
    const typed: Record<string, string | undefined> = {};
    for (const k of ['action', 'actor', 'entityType', 'entityId', 'from', 'to']) {
      if (typeof raw[k] === 'string' && raw[k] !== '') typed[k] = raw[k];
    }
    const form = checkForm(AuditFilterForm, query, locale);
    if (form.errors) return { filter: {}, typed, cursor: undefined, errors: form.errors };
    const { range, errors } = dateRange(form.value.from, form.value.to);
    const actor = await this.views.actorId(form.value.actor);
    if (actor.unknown) errors.actor = 'admin.errors.unknownActor';
    const filter: Omit<AuditFilter, 'limit' | 'beforeId'> = {
      action: form.value.action,
      actorUserId: actor.id,
      entityType: form.value.entityType,
      entityId: form.value.entityId,
      ...range,
    };
    return { filter, typed, cursor: form.value.cursor, errors };
  }
}
