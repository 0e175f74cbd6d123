import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Allow, AllowForFund } from '../../common/auth/policy.decorator';
import { DONOR_DATA_ROLES } from '../../common/auth/roles';
import { ValidationFailedError } from '../../common/errors';
import { checkForm, checkQuery } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { translate, words } from '../../common/i18n/i18n';
import {
  localizeErrors,
  submitButton,
  submitForm,
  typedValues,
} from '../../common/views/form-submit';
import { type ConfirmPage, confirmStep } from '../../common/views/confirm-step';
import { safeNext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import { DonorExportAudit } from '../audit/donor-exports';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { FundsService } from '../funds/funds.service';
import { dateInputValue } from '../reporting/periods';
import { ReportingService } from '../reporting/reporting.service';
import { AdminConfirmationsViews } from './admin-confirmations.views';
import { AdminFundsViews, fundRow } from './admin-funds.views';
import { adminContext, currentUser } from './admin-page';
import { dateRange } from './date-range';
import { CreateFundForm, FundListForm, StatementFilterForm } from './dto/admin-forms.dto';

/** Where a domain error of fund creation is shown: beside its field, or above the form. */
const CREATE_ERROR_FIELD: Partial<Record<string, keyof CreateFundForm>> = {
  COMMUNITY_FUND_EXISTS: 'communityId',
  COMMUNITY_NOT_FOUND: 'communityId',
  INVALID_FUND: 'communityId',
  DUPLICATE_CODE: 'code',
  GENERAL_FUND_EXISTS: 'kind',
};

/**
 * Funds in the back office. Every staff role may look; ADMIN and FINANCE create, activate and
 * close. A community leader opens the page (and CSV) of a fund in their scope only.
 */
@ApiExcludeController()
@Controller('admin/funds')
export class AdminFundsController {
  constructor(
    private readonly views: AdminFundsViews,
    private readonly funds: FundsService,
    private readonly reporting: ReportingService,
    private readonly confirmations: AdminConfirmationsViews,
    private readonly exportAudit: DonorExportAudit,
  ) {}

  @Get()
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER')
  async list(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query() query: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const filter = checkForm(FundListForm, query, ctx.locale);
    if (filter.errors) throw new ValidationFailedError(words('errors.admin.fundFilter'));
    const view = await this.views.fundsList(filter.value, ctx.locale, canManage(req));
    return renderPage(reply, ctx, 'pages/admin/funds', view);
  }

  @Post()
  @Allow('ADMIN', 'FINANCE')
  async create(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const values = typedValues(body);
    return submitForm({
      reply,
      locale: ctx.locale,
      check: () => checkForm(CreateFundForm, body, ctx.locale),
      again: async (errors, status, formError) =>
        renderPage(
          reply,
          ctx,
          'pages/admin/funds',
          {
            ...(await this.views.fundsList({}, ctx.locale, true, { values, errors })),
            formError,
          },
          status,
        ),
      run: ({ communityId, ...dto }) =>
        this.funds.create({ ...dto, ...(dto.kind === 'COMMUNITY' ? { communityId } : {}) }),
      done: (fund) => {
        const row = fundRow(fund, ctx.locale);
        return {
          flash: {
            kind: 'success',
            text: translate(ctx.locale, 'admin.funds.created', { name: row.name, code: row.code }),
          },
          to: row.href,
        };
      },
      fieldByCode: CREATE_ERROR_FIELD,
    });
  }

  @Get(':id')
  @AllowForFund('id', 'ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER')
  async show(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Query() query: unknown,
  ) {
    const ctx = adminContext(req, reply);
    const form = checkForm(StatementFilterForm, query, ctx.locale);
    const typed = form.value ?? {};
    const { range, errors } = form.errors
      ? { range: {}, errors: form.errors }
      : dateRange(typed.from, typed.to);
    const invalid = Object.keys(errors).length > 0;
    const user = currentUser(req);
    const view = await this.views.fundPage(
      id,
      invalid
        ? { range: {}, ...pick(query, ['from', 'to']) }
        : { range, from: typed.from, to: typed.to, cursor: typed.cursor },
      ctx.locale,
      {
        errors: localizeErrors(errors, ctx.locale),
        backToMyFunds: !user.roles.some((r) => r !== 'COMMUNITY_LEADER'),
        viewer: { donorData: seesDonorData(req) },
      },
    );
    return renderPage(
      reply,
      ctx,
      'pages/admin/fund',
      { ...view, canManage: canManage(req), canRequestExpense: canRequestExpense(req, id) },
      invalid ? 400 : 200,
    );
  }

  @Get(':id/statement.csv')
  @AllowForFund('id', 'ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER')
  async statementCsv(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Query() query: unknown,
  ) {
    const form = checkQuery(StatementFilterForm, query);
    const { range, errors } = dateRange(form.from, form.to);
    if (Object.keys(errors).length > 0) {
      throw new ValidationFailedError(words('errors.admin.statementRange'));
    }
    const ctx = adminContext(req, reply);
    const fund = await this.funds.get(id);
    const filename = `statement-${fund.code}-${dateInputValue(new Date())}.csv`;
    const donorData = seesDonorData(req);
    const lines = this.reporting.statementCsv(fund.id, range, ctx.locale, { donorData });
    // Staff who read every donor's name export donor data (audited); others read only the names
    // the public ledger shows (public-donor.ts), which is no export of donor data.
    const filters = {
      fundId: fund.id,
      from: range.from?.toISOString(),
      to: range.to?.toISOString(),
    };
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      .send(
        Readable.from(
          donorData ? this.exportAudit.track('fund-statement.csv', filters, lines) : lines,
        ),
      );
  }

  @Post(':id/activate')
  @Allow('ADMIN', 'FINANCE')
  activate(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    return this.lifecycle(req, reply, body, 'activated', () => this.funds.activate(id));
  }

  @Post(':id/close')
  @Allow('ADMIN', 'FINANCE')
  close(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
    @Body() body: unknown,
  ) {
    return this.lifecycle(
      req,
      reply,
      body,
      'closed',
      () => this.funds.close(id),
      (back) => this.confirmations.closeFund(adminContext(req, reply).locale, id, back),
    );
  }

  /** Runs a lifecycle change and goes back where the button was, with the outcome as a flash. */
  private async lifecycle(
    req: AuthenticatedRequest,
    reply: FastifyReply,
    body: unknown,
    done: 'activated' | 'closed',
    change: () => Promise<Parameters<typeof fundRow>[0]>,
    /** The confirmation page, for a change that needs one (closing). */
    confirmation?: (back: string) => Promise<ConfirmPage>,
  ) {
    const ctx = adminContext(req, reply);
    const back = safeNext((body as { next?: unknown } | undefined)?.next, '/admin/funds');
    return submitButton({
      reply,
      locale: ctx.locale,
      ...(confirmation
        ? {
            confirm: {
              step: confirmStep(reply, ctx, body, req.url),
              page: () => confirmation(back),
            },
          }
        : {}),
      run: change,
      done: (fund) => {
        const row = fundRow(fund, ctx.locale);
        return {
          kind: 'success',
          text: translate(ctx.locale, `admin.funds.${done}`, { name: row.name, code: row.code }),
        };
      },
      to: back,
    });
  }
}

function canManage(req: AuthenticatedRequest): boolean {
  const actor = req.actor;
  return actor?.kind === 'user' && actor.roles.some((r) => r === 'ADMIN' || r === 'FINANCE');
}

/** Who may ask for an expense from this fund: staff, or a leader of this fund (the service checks again). */
function canRequestExpense(req: AuthenticatedRequest, fundId: string): boolean {
  const actor = req.actor;
  if (actor?.kind !== 'user') return false;
  return (
    actor.roles.some((r) => r === 'ADMIN' || r === 'FINANCE' || r === 'GRANTS_OFFICER') ||
    (actor.roles.includes('COMMUNITY_LEADER') && actor.fundIds.includes(fundId))
  );
}

function pick(query: unknown, keys: readonly string[]): Record<string, string> {
  const q = (query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    keys.filter((k) => typeof q[k] === 'string').map((k) => [k, q[k] as string]),
  );
}

/** Whether the reader may see donors' names on the statement (DONOR_DATA_ROLES). */
function seesDonorData(req: AuthenticatedRequest): boolean {
  const actor = req.actor;
  return actor?.kind === 'user' && actor.roles.some((r) => DONOR_DATA_ROLES.includes(r));
}
