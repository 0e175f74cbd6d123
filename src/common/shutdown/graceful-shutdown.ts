import type { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';

export interface ShutdownPlan {
  /** How long the whole stop may take; after it the process exits anyway (code 1). */
  timeoutMs: number;
  logger: Logger;
  /** Stops taking new work and waits for the work in progress (HTTP requests). */
  drain?: () => Promise<void>;
  /** Closes the application: loops, queue workers, claims given back, Redis and database pools. */
  close: () => Promise<void>;
  /** What is still running, named for the log when the bound is reached. */
  unfinished: () => string[];
}

/**
 * SIGTERM (what an orchestrator sends) and SIGINT stop the process in order: drain, then close,
 * then exit 0. If that takes longer than `timeoutMs` the process logs what it abandons and exits 1:
 * whatever it held comes due again elsewhere (outbox rows are leased, queue jobs locked, payment
 * events claimed inside their transaction). A second signal changes nothing; the bound holds.
 * Replaces Nest's enableShutdownHooks, which would re-raise the signal rather than exit 0.
 */
export function installGracefulShutdown(plan: ShutdownPlan): void {
  let started = false;
  const stop = (signal: NodeJS.Signals) => {
    if (started) {
      plan.logger.warn(`${signal} again: still stopping (at most ${plan.timeoutMs / 1000} s)`);
      return;
    }
    started = true;
    const t0 = performance.now();
    const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);
    plan.logger.log(`${signal}: stopping (at most ${plan.timeoutMs / 1000} s)`);
    const bound = setTimeout(() => {
      const left = plan.unfinished();
      plan.logger.error(
        `stop took longer than ${plan.timeoutMs / 1000} s; exiting anyway, abandoned: ` +
          (left.length ? left.join(', ') : 'nothing still running (a close step hung)'),
      );
      process.exit(1);
    }, plan.timeoutMs);
    void (async () => {
      try {
        if (plan.drain) {
          await plan.drain();
          plan.logger.log(`requests drained after ${seconds()} s`);
        }
        await plan.close();
      } catch (error) {
        plan.logger.error(
          `stop failed after ${seconds()} s: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        process.exit(1);
      }
      clearTimeout(bound);
      plan.logger.log(`stopped in ${seconds()} s`);
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
