import { Injectable } from '@nestjs/common';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import type { FieldErrors } from '../../common/http/forms';
import { defaultClosesAt } from '../grants/evaluations/evaluation-rules';
import {
  EvaluationsService,
  type EvaluationListRow,
  type OpeningForm,
} from '../grants/evaluations/evaluations.service';
import { dateInputValue } from '../reporting/periods';
import { localName } from './admin-view-helpers';
import { statusText } from '../../common/i18n/status-words';

/** A message shown on one evaluation's card (a refused close, a missing reason). */
export interface EvaluationNotice {
  id: string;
  text: string;
  /** Field messages of the cancel form, already translated. */
  errors?: FieldErrors;
  reason?: string;
}

/** View models of the evaluation pages: the list with its buttons, the opening form. */
@Injectable()
export class AdminGrantsEvaluationsViews {
  constructor(private readonly evaluations: EvaluationsService) {}

  async list(locale: SupportedLocale, notice?: EvaluationNotice) {
    const [rows, ready] = await Promise.all([
      this.evaluations.list(),
      this.evaluations.readyProjects(),
    ]);
    const shown = rows.map((r) => this.row(r, locale, notice));
    return {
      title: translate(locale, 'grants.evaluations.admin.title'),
      open: shown.filter((r) => r.isOpen),
      done: shown.filter((r) => !r.isOpen),
      ready: ready.map((p) => ({
        awardId: p.awardId,
        title: p.title,
        community: localName(locale, p.community.nameZh, p.community.nameEn),
        statusText: statusText(locale, 'project', p.projectStatus),
      })),
      formError: notice && !rows.some((r) => r.id === notice.id) ? notice.text : undefined,
    };
  }

  form(
    locale: SupportedLocale,
    project: OpeningForm,
    values: Record<string, unknown> = {},
    errors: FieldErrors = {},
  ) {
    return {
      title: translate(locale, 'grants.evaluations.admin.newTitle'),
      project: {
        ...project,
        community: localName(locale, project.community.nameZh, project.community.nameEn),
        statusText: statusText(locale, 'project', project.projectStatus),
      },
      values: {
        residentCodes: values.residentCodes ?? String(Math.max(project.minResponses, 10)),
        stakeholderCodes: values.stakeholderCodes ?? '0',
        closesOn: values.closesOn ?? dateInputValue(defaultClosesAt(new Date())),
      },
      errors,
    };
  }

  private row(r: EvaluationListRow, locale: SupportedLocale, notice?: EvaluationNotice) {
    const mine = notice?.id === r.id ? notice : undefined;
    return {
      id: r.id,
      seq: r.seq,
      title: r.title,
      community: localName(locale, r.community.nameZh, r.community.nameEn),
      isOpen: r.status === 'OPEN',
      status: r.status,
      statusText: statusText(locale, 'evaluation', r.status),
      responses:
        r.status === 'PASSED' || r.status === 'FAILED' ? r.resultResponses : r.tally.responses,
      minResponses: r.minResponses,
      satisfied: r.satisfiedPercent === null ? '—' : `${r.satisfiedPercent}%`,
      thresholdPct: r.thresholdPct,
      closesAt: beijingDateTime(r.closesAt, locale),
      closedAt: r.closedAt ? beijingDateTime(r.closedAt, locale) : null,
      overdue: r.overdue,
      codesUrl: r.codesUrl,
      notice: mine?.text,
      cancelErrors: mine?.errors ?? {},
      reason: mine?.reason ?? '',
    };
  }
}
