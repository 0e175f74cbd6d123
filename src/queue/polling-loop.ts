import type { Logger } from '@nestjs/common';

/**
 * Runs `tick` every `intervalMs` until stopped; `nudge()` runs it now. A tick returning true (a
 * full batch: more may be waiting) runs the next one at once. Errors are logged, not thrown, and
 * back the loop off (up to 30 s) so an unreachable database is not hammered. `stop()` resolves
 * once the tick in progress has finished; nothing is left scheduled afterwards. A tick that works
 * through a batch asks `stopping()` between items, so a stop waits for one item, not a batch.
 */
export class PollingLoop {
  private running?: Promise<void>;
  private stopped = true;
  private nudged = false;
  private wake?: () => void;
  /** Ticks finished so far (successful or not): lets tests and diagnostics see the loop turn. */
  passes = 0;

  constructor(
    private readonly name: string,
    private readonly tick: (stopping: () => boolean) => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.run();
  }

  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.nudged = false;
      let more = false;
      try {
        more = await this.tick(() => this.stopped);
        if (failures > 0) this.logger.log(`${this.name} recovered`);
        failures = 0;
      } catch (error) {
        failures++;
        // The first failure and then one in twenty: a long outage does not flood the log.
        if (failures % 20 === 1) {
          this.logger.warn(`${this.name} failed (${failures}×): ${(error as Error).message}`);
        }
      }
      this.passes++;
      if (this.stopped) break;
      if (more || this.nudged) continue;
      await this.sleep(
        failures === 0 ? this.intervalMs : Math.min(30_000, this.intervalMs * 2 ** failures),
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
