import { Injectable } from '@nestjs/common';
import type { TransactionOptions } from '../../../database/transaction.service';
import { GrantNotFoundError } from '../grants.errors';
import { type RoundSpeed, speedByRound } from './approval-speed';
import { type FundUse, fundUse } from './fund-use';
import { awardsCsvHeader, awardsCsvRow, fundUseCsvHeader, fundUseCsvRow } from './insights-csv';
import {
  InsightsRepository,
  type ProjectListFilter,
  type RoundFigures,
} from './insights.repository';
import { beijingDate, daysOverdue, type OverdueItem } from './overdue';
import { type PublicProject, toPublicProject } from './public-project';

export interface FundUseFigures extends FundUse {
  fundId: string;
  code: string;
  nameZh: string;
  nameEn: string;
  kind: string;
  currency: string;
}

export interface OverdueView extends OverdueItem {
  daysOverdue: number;
}

export interface GrantsDashboard {
  year: number;
  roundId: string | null;
  /** When the figures were read (overdue is measured against it). */
  asOf: Date;
  rounds: (RoundFigures & { speed: Omit<RoundSpeed, 'roundId'> })[];
  totals: {
    currency: string | null;
    applications: number;
    awarded: number;
    started: number;
    completed: number;
    inRectification: number;
    closed: number;
    awardedMinor: number;
    paidMinor: number;
  };
  fundUse: FundUseFigures[];
  overdue: OverdueView[];
}

/** The current calendar year in Beijing time. */
export function currentYear(now = new Date()): number {
  return Number(beijingDate(now).slice(0, 4));
}

/**
 * The staff dashboard's figures (fund use, projects, money awarded vs paid, speed of approval,
 * overdue work), its CSV exports, and the public project pages' data. Read-only.
 */
@Injectable()
export class GrantsInsightsService {
  constructor(private readonly repo: InsightsRepository) {}

  async dashboard(
    query: { year?: number; roundId?: string },
    now = new Date(),
    opts: TransactionOptions = {},
  ): Promise<GrantsDashboard> {
    const year = query.year ?? currentYear(now);
    const rounds = await this.repo.roundFigures(
      query.roundId ? { roundId: query.roundId } : { year },
      opts,
    );
    if (query.roundId && rounds.length === 0)
      throw new GrantNotFoundError('grant round', query.roundId);
    const speed = speedByRound(
      rounds.map((r) => r.id),
      await this.repo.speedSamples(
        rounds.map((r) => r.id),
        opts,
      ),
    );
    const flows = await this.repo.fundFlows(year, opts);
    const overdue = (await this.repo.overdue(now, opts))
      .filter((o) => !query.roundId || o.roundId === query.roundId)
      .map((o) => ({ ...o, daysOverdue: daysOverdue(o.dueAt, now) }));
    const sum = (f: (r: RoundFigures) => number) => rounds.reduce((s, r) => s + f(r), 0);
    return {
      year,
      roundId: query.roundId ?? null,
      asOf: now,
      rounds: rounds.map((r, i) => ({
        ...r,
        speed: { decision: speed[i]!.decision, payment: speed[i]!.payment },
      })),
      totals: {
        currency: rounds[0]?.currency ?? null,
        applications: sum((r) => r.applications),
        awarded: sum((r) => r.awarded),
        started: sum((r) => r.started),
        completed: sum((r) => r.completed),
        inRectification: sum((r) => r.inRectification),
        closed: sum((r) => r.closed),
        awardedMinor: sum((r) => r.awardedMinor),
        paidMinor: sum((r) => r.paidMinor),
      },
      fundUse: flows
        .filter((f) => f.openingMinor + f.moneyInMinor > 0 || f.paidOutMinor !== 0)
        .map((f) => ({
          fundId: f.fundId,
          code: f.code,
          nameZh: f.nameZh,
          nameEn: f.nameEn,
          kind: f.kind,
          currency: f.currency,
          ...fundUse(f),
        })),
      overdue,
    };
  }

  /** Every round (id, names, year), newest first. */
  roundChoices(opts: TransactionOptions = {}) {
    return this.repo.roundChoices(opts);
  }

  /** Overdue items at `now` (the reminder job and the dashboard read the same list). */
  overdue(now = new Date(), opts: TransactionOptions = {}): Promise<OverdueItem[]> {
    return this.repo.overdue(now, opts);
  }

  /** The awards CSV (header and rows), for a year or a round. */
  async *awardsCsv(filter: { year?: number; roundId?: string }): AsyncGenerator<string> {
    yield awardsCsvHeader();
    for (const row of await this.repo.awardRows(filter)) yield awardsCsvRow(row);
  }

  /** The fund use CSV of a year: every fund with money available or paid out. */
  async *fundUseCsv(year: number): AsyncGenerator<string> {
    yield fundUseCsvHeader();
    for (const f of await this.repo.fundFlows(year)) {
      if (f.openingMinor + f.moneyInMinor === 0 && f.paidOutMinor === 0) continue;
      yield fundUseCsvRow({
        ...fundUse(f),
        year,
        code: f.code,
        nameZh: f.nameZh,
        nameEn: f.nameEn,
        kind: f.kind,
        currency: f.currency,
      });
    }
  }

  /** A page of public projects and the filters' choices. */
  async projects(filter: ProjectListFilter, opts: TransactionOptions = {}) {
    const list = await this.repo.projectList(filter, opts);
    const choices = await this.repo.projectFilters(opts);
    return { ...list, choices };
  }

  /** One public project; NOT_FOUND for an unknown id and for an award that is not public. */
  async project(awardId: string, opts: TransactionOptions = {}): Promise<PublicProject> {
    const record = await this.repo.projectRecord(awardId, opts);
    const project = record ? toPublicProject(record) : null;
    if (!project) throw new GrantNotFoundError('project', awardId);
    return project;
  }
}
