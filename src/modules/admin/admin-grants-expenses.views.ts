import { Injectable } from '@nestjs/common';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { randomUUID } from 'node:crypto';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { FundOutflowService } from '../funds/fund-outflow.service';
import { FundsService } from '../funds/funds.service';
import { GrantAttachmentsService } from '../grants/attachments/attachments.service';
import {
  checkExpenseAction,
  checkRequest,
  EXPENSE_STATUSES,
  type ExpenseStatus,
} from '../grants/expenses/expense-rules';
import type { ExpenseListItem } from '../grants/expenses/expenses.repository';
import { ExpensesService } from '../grants/expenses/expenses.service';
import type { UserActor } from './admin-page';
import { fieldText, type FormState, localName } from './admin-view-helpers';
import { statusText } from '../../common/i18n/status-words';

const person = (viewer: UserActor) => ({
  userId: viewer.userId,
  roles: viewer.roles,
  fundIds: viewer.fundIds,
});

/** A message beside one expense's buttons (a refused payment, a missing confirmation). */
export interface ExpenseNotice {
  id: string;
  text: string;
}

/** View models of the expense pages: FINANCE's queue, one expense, the request form. */
@Injectable()
export class AdminGrantsExpensesViews {
  constructor(
    private readonly expenses: ExpensesService,
    private readonly attachments: GrantAttachmentsService,
    private readonly funds: FundsService,
    private readonly outflow: FundOutflowService,
  ) {}

  async list(
    locale: SupportedLocale,
    viewer: UserActor,
    filter: { status?: ExpenseStatus; fundId?: string },
    notice?: ExpenseNotice,
  ) {
    const items = await this.expenses.list(filter);
    const now = Date.now();
    return {
      title: translate(locale, 'grants.expenses.title'),
      filter,
      statuses: EXPENSE_STATUSES.map((s) => ({
        value: s,
        label: statusText(locale, 'expense', s),
        selected: s === filter.status,
      })),
      items: items.map((e) => this.row(e, locale, viewer, now, notice)),
      /** The request form of the fund filtered on, for someone who may request from it. */
      requestUrl:
        filter.fundId && checkRequest(person(viewer), filter.fundId).allowed
          ? `/admin/funds/${filter.fundId}/expenses/new`
          : null,
      /** A leader's own funds' request forms. */
      myFunds: viewer.roles.includes('COMMUNITY_LEADER')
        ? await Promise.all(
            viewer.fundIds.slice(0, 20).map(async (id) => {
              const f = await this.funds.get(id);
              return {
                url: `/admin/funds/${id}/expenses/new`,
                name: `${localName(locale, f.nameZh, f.nameEn)} · ${f.code}`,
              };
            }),
          )
        : [],
    };
  }

  async detail(locale: SupportedLocale, viewer: UserActor, id: string, notice?: ExpenseNotice) {
    const expense = await this.expenses.get(id);
    const files = await this.attachments.list({ ownerType: 'EXPENSE', ownerId: id });
    return {
      title: translate(locale, 'grants.expenses.detailTitle'),
      expense: {
        ...this.row(expense, locale, viewer, Date.now(), notice),
        files: files.map((f) => ({
          ...f,
          sizeKb: Math.max(1, Math.round(f.sizeBytes / 1024)),
          uploadedAt: beijingDateTime(new Date(f.createdAt), locale),
        })),
      },
    };
  }

  async form(
    locale: SupportedLocale,
    fundId: string,
    form: FormState = { values: {}, errors: {} },
  ) {
    const [fund, state] = await Promise.all([
      this.funds.get(fundId),
      this.outflow.available(fundId),
    ]);
    return {
      title: translate(locale, 'grants.expenses.newTitle'),
      fund: {
        id: fund.id,
        code: fund.code,
        name: localName(locale, fund.nameZh, fund.nameEn),
        currency: fund.currency.trim(),
        availableMinor: state.availableMinor,
        reservedMinor: state.reservedMinor,
      },
      values: { ...form.values, requestKey: fieldText(form.values.requestKey) || randomUUID() },
      errors: form.errors,
    };
  }

  private row(
    e: ExpenseListItem,
    locale: SupportedLocale,
    viewer: UserActor,
    now: number,
    notice: ExpenseNotice | undefined,
  ) {
    const me = person(viewer);
    const open = e.status === 'REQUESTED';
    const may = (action: 'pay' | 'reject' | 'withdraw') =>
      open && checkExpenseAction(me, e, action).allowed;
    return {
      id: e.id,
      fundId: e.fundId,
      fund: `${localName(locale, e.fund.nameZh, e.fund.nameEn)} · ${e.fund.code}`,
      payee: e.payee,
      purpose: e.purpose,
      amountMinor: e.amountMinor,
      currency: e.currency,
      status: e.status,
      statusText: statusText(locale, 'expense', e.status),
      requester: e.requester.name,
      requestedAt: beijingDateTime(new Date(e.requestedAt), locale),
      dueAt: beijingDateTime(new Date(e.paymentDueAt), locale),
      overdue: open && new Date(e.paymentDueAt).getTime() < now,
      decider: e.decider?.name ?? null,
      decidedAt: e.decidedAt ? beijingDateTime(new Date(e.decidedAt), locale) : null,
      note: e.decisionNote,
      attachmentCount: e.attachmentCount,
      canPay: may('pay'),
      canReject: may('reject'),
      canWithdraw: may('withdraw'),
      ownRequest: open && e.requestedBy === viewer.userId && viewer.roles.includes('FINANCE'),
      notice: notice?.id === e.id ? notice.text : undefined,
    };
  }
}
