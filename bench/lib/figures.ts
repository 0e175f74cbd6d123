import { performance } from 'node:perf_hooks';

/**
 * How a bench reports: lines for people while it runs, then one JSON line per figure
 * (`{"bench":…,"figure":…,"value":N,"unit":…,"baseline":N,"ratio":N}`) for machines.
 */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
}

export const log = (...args: unknown[]): void => console.log(...args);

/** Milliseconds on a monotonic clock. */
export const now = (): number => performance.now();

export const secondsSince = (t: number): string => ((now() - t) / 1000).toFixed(1);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank quantile of an already sorted array. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function printFigures(bench: string, figures: Figure[]): void {
  for (const f of figures) {
    console.log(JSON.stringify({ bench, ...f }));
  }
}

/** Sanity checks printed as `ok`/`FAIL` lines; a bench exits 1 when any failed. */
export function checks(): { check: (ok: boolean, message: string) => void; failures: string[] } {
  const failures: string[] = [];
  return {
    failures,
    check: (ok, message) => {
      if (!ok) {
        failures.push(message);
      }
      log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
    },
  };
}
