import { Injectable, Logger } from '@nestjs/common';
import { LedgerService } from '../ledger/ledger.service';

/** How old the last ledger check may be before a scrape starts another. */
export const LEDGER_CHECK_INTERVAL_MS = 5 * 60_000;
/** How long the first scrape waits for the first check before answering without it. */
const FIRST_CHECK_WAIT_MS = 10_000;

export interface LedgerCheckResult {
  ok: boolean;
  /** Unbalanced entries, balance mismatches and negative accounts found. */
  violations: number;
  finishedAt: Date;
}

/**
 * The ledger's own invariants for the metrics (every entry balances, every balance equals its
 * postings, no fund below zero: `LedgerService.check`), run by scrapes at most once per
 * LEDGER_CHECK_INTERVAL_MS per process and one at a time. Scrapes answer with the last result and
 * refresh it in the background; only the first waits (a little) for one. The cross-module checks
 * (gifts, matches, campaign totals) stay with `npm run ledger:check`, run by cron.
 */
@Injectable()
export class LedgerCheckStatus {
  private readonly logger = new Logger('Metrics');
  private last: LedgerCheckResult | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly ledger: LedgerService) {}

  async current(now = Date.now()): Promise<LedgerCheckResult | null> {
    const stale = !this.last || now - this.last.finishedAt.getTime() >= LEDGER_CHECK_INTERVAL_MS;
    if (stale) this.running ??= this.run().finally(() => (this.running = null));
    if (!this.last && this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.running,
        new Promise((resolve) => (timer = setTimeout(resolve, FIRST_CHECK_WAIT_MS))),
      ]);
      clearTimeout(timer);
    }
    return this.last;
  }

  private async run(): Promise<void> {
    try {
      const report = await this.ledger.check();
      const violations =
        report.unbalancedEntries.length +
        report.balanceMismatches.length +
        report.negativeAccounts.length;
      this.last = { ok: report.ok, violations, finishedAt: new Date() };
      if (!report.ok) this.logger.error(`ledger check failed: ${violations} violation(s)`);
    } catch (error) {
      this.logger.warn(`ledger check could not run: ${(error as Error).message}`);
    }
  }
}
