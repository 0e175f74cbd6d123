import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { beijingDateTime } from '../../../common/dates/beijing-time';
import { HttpAdapterHost } from '@nestjs/core';
import type { Role } from '../../../common/auth/roles';
import { translate } from '../../../common/i18n/i18n';
import { AppConfig } from '../../../config/app-config';
import { TransactionService } from '../../../database/transaction.service';
import { PollingLoop } from '../../../queue/polling-loop';
import { PROCESS_ROLE, type ProcessRole } from '../../../queue/queue.constants';
import { OutboxService } from '../../notifications/outbox.service';
import { EvaluationsService } from '../evaluations/evaluations.service';
import { InsightsRepository } from './insights.repository';
import {
  beijingDate,
  daysOverdue,
  OVERDUE_KINDS,
  recipientsFor,
  reminderKey,
  WHO_ACTS,
} from './overdue';

/** How often the job looks; the outbox key makes the first pass of each Beijing day the one that sends. */
const CHECK_MS = 60 * 60_000;

/**
 * Daily reminders of overdue grant work (overdue.ts says what is overdue and who must act). Checks
 * every hour in the web server and in workers; each reminder's outbox key is
 * `reminder:<kind>:<id>:<Beijing date>:<recipient>`, so each person gets one email per overdue item
 * per Beijing day however many processes run the job and however often. The same hourly pass first
 * closes resident evaluations past their closing time that have their minimum of responses
 * (`EvaluationsService.closeDue`), so an overdue evaluation is either counted or reminded.
 */
@Injectable()
export class GrantReminders implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GrantReminders');
  private loop?: PollingLoop;

  constructor(
    private readonly repo: InsightsRepository,
    private readonly outbox: OutboxService,
    private readonly tx: TransactionService,
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly evaluations: EvaluationsService,
    @Optional() @Inject(PROCESS_ROLE) private readonly declaredRole?: ProcessRole,
  ) {}

  onApplicationBootstrap(): void {
    const role = this.declaredRole ?? (this.adapterHost.httpAdapter ? 'web' : 'cli');
    if (role === 'cli') return; // CLI commands run no loops
    this.loop = new PollingLoop(
      'grant reminders',
      async () => {
        await this.evaluations.closeDue();
        await this.run();
        return false;
      },
      CHECK_MS,
      this.logger,
    );
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /**
   * One pass at `now`: queues the reminders of the Beijing day not queued yet, in one transaction.
   * Returns the overdue items and the day's reminders (queued now or by an earlier pass).
   */
  async run(now = new Date()): Promise<{ items: number; reminders: number }> {
    const day = beijingDate(now);
    return this.tx.run(async (m) => {
      const items = await this.repo.overdue(now, { within: m });
      if (items.length === 0) return { items: 0, reminders: 0 };
      const roles = [
        ...new Set(
          OVERDUE_KINDS.map((k) => WHO_ACTS[k]).filter((r): r is Role => r !== 'assignee'),
        ),
        'ADMIN' as Role,
      ];
      const assignees = items.map((i) => i.assigneeId).filter((id): id is string => id !== null);
      const people = await this.repo.people(roles, assignees, { within: m });
      const seen = new Set<string>();
      let reminders = 0;
      for (const item of items) {
        for (const person of recipientsFor(item, people)) {
          const key = reminderKey(item.kind, item.id, day, person.id);
          const before = seen.size;
          seen.add(key);
          if (seen.size === before) continue;
          const locale = person.locale;
          await this.outbox.enqueue(m, {
            template: 'grant-reminder',
            to: person.email,
            locale,
            dedupeKey: key,
            data: {
              recipientName: person.name,
              what: translate(locale, `grants.insights.overdueKind.${item.kind}`),
              title: item.seq === null ? item.title : `${item.title} #${item.seq}`,
              dueOn: beijingDateTime(item.dueAt, locale),
              daysOverdue: daysOverdue(item.dueAt, now),
              url: `${this.config.publicUrl}/admin/grants?lang=${locale}#overdue`,
            },
          });
          reminders++;
        }
      }
      return { items: items.length, reminders };
    });
  }
}
