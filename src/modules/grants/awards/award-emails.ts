import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { translate } from '../../../common/i18n/i18n';
import { formatMoney } from '../../../common/money';
import { AppConfig } from '../../../config/app-config';
import { OutboxService } from '../../notifications/outbox.service';
import type { ReportKind } from './award-rules';
import type { Recipient } from './awards.repository';

interface Project {
  awardId: string;
  title: string;
  currency: string;
}

/**
 * The emails of awards, tranches and reports, each in its recipient's language, queued in the
 * caller's transaction (sent only if it commits), once per step and person (dedupe keys).
 */
@Injectable()
export class AwardEmails {
  constructor(
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  private url(awardId: string): string {
    return `${this.config.publicUrl}/admin/grants/awards/${awardId}`;
  }

  /** An award (or its second approval) waits for `to`'s decision. */
  async approvalNeeded(
    m: EntityManager,
    to: readonly Recipient[],
    project: Project,
    amountMinor: number,
    dueAt: Date,
    step: 'FIRST' | 'SECOND',
  ): Promise<void> {
    for (const r of to) {
      await this.outbox.enqueue(m, {
        template: 'grant-award-approval-needed',
        to: r.email,
        locale: r.locale,
        dedupeKey: `grant-award-approval:${project.awardId}:${step}:${r.id}`,
        data: {
          recipientName: r.name,
          projectTitle: project.title,
          amount: formatMoney(amountMinor, project.currency, r.locale),
          url: this.url(project.awardId),
          dueAt: dueAt.toISOString(),
        },
      });
    }
  }

  async approved(
    m: EntityManager,
    to: Recipient,
    project: Project,
    designMinor: number,
    constructionMinor: number,
  ): Promise<void> {
    await this.outbox.enqueue(m, {
      template: 'grant-award-approved',
      to: to.email,
      locale: to.locale,
      dedupeKey: `grant-award-approved:${project.awardId}`,
      data: {
        recipientName: to.name,
        projectTitle: project.title,
        designAmount: formatMoney(designMinor, project.currency, to.locale),
        constructionAmount: formatMoney(constructionMinor, project.currency, to.locale),
        url: this.url(project.awardId),
      },
    });
  }

  async trancheRequested(
    m: EntityManager,
    to: readonly Recipient[],
    project: Project,
    tranche: { id: string; seq: number; amountMinor: number; requestedAt: Date },
    dueAt: Date,
  ): Promise<void> {
    for (const r of to) {
      await this.outbox.enqueue(m, {
        template: 'grant-tranche-requested',
        to: r.email,
        locale: r.locale,
        dedupeKey: `grant-tranche-requested:${tranche.id}:${tranche.requestedAt.getTime()}:${r.id}`,
        data: {
          recipientName: r.name,
          projectTitle: project.title,
          seq: tranche.seq,
          amount: formatMoney(tranche.amountMinor, project.currency, r.locale),
          url: `${this.config.publicUrl}/admin/grants/tranches`,
          dueAt: dueAt.toISOString(),
        },
      });
    }
  }

  async tranchePaid(
    m: EntityManager,
    to: Recipient,
    project: Project,
    tranche: { id: string; seq: number; amountMinor: number },
  ): Promise<void> {
    await this.outbox.enqueue(m, {
      template: 'grant-tranche-paid',
      to: to.email,
      locale: to.locale,
      dedupeKey: `grant-tranche-paid:${tranche.id}`,
      data: {
        recipientName: to.name,
        projectTitle: project.title,
        seq: tranche.seq,
        amount: formatMoney(tranche.amountMinor, project.currency, to.locale),
        url: this.url(project.awardId),
      },
    });
  }

  async reportDecided(
    m: EntityManager,
    to: Recipient,
    project: Project,
    report: { id: string; kind: ReportKind },
    decision: 'ACCEPTED' | 'RETURNED',
    note: string,
  ): Promise<void> {
    const template = decision === 'ACCEPTED' ? 'grant-report-accepted' : 'grant-report-returned';
    await this.outbox.enqueue(m, {
      template,
      to: to.email,
      locale: to.locale,
      dedupeKey: `${template}:${report.id}`,
      data: {
        recipientName: to.name,
        projectTitle: project.title,
        reportKind: translate(to.locale, `grants.awards.reportKind.${report.kind}`),
        note,
        url: this.url(project.awardId),
      },
    });
  }
}
