import type { Figure } from '../lib/figures';

/** One bench as `npm run bench` ran it. */
export interface BenchOutcome {
  name: string;
  code: number;
  seconds: number;
  figures: Figure[];
}

const BUILD_FIRST = /^npm run bench:build --silent && /;

/**
 * The benches of package.json: every `bench:<name>` script but the build itself (and a script
 * that runs them all), each with its command less the build it starts with (built once here).
 */
export function benchesOf(scripts: Record<string, string>): { name: string; command: string }[] {
  return Object.entries(scripts)
    .filter(([key]) => key.startsWith('bench:') && key !== 'bench:build' && key !== 'bench:all')
    .map(([key, command]) => ({
      name: key.slice('bench:'.length),
      command: BUILD_FIRST.test(command)
        ? command.replace(BUILD_FIRST, '')
        : `npm run ${key} --silent`,
    }));
}

/** The figure lines a bench printed (one JSON object per line); other output is ignored. */
export function figureLines(output: string): Figure[] {
  const figures: Figure[] = [];
  for (const line of output.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{"bench":')) continue;
    try {
      const f = JSON.parse(text) as Partial<Figure>;
      if (typeof f.figure === 'string' && typeof f.value === 'number') {
        figures.push({
          figure: f.figure,
          value: f.value,
          unit: f.unit ?? '',
          baseline: f.baseline ?? NaN,
          ratio: f.ratio ?? NaN,
        });
      }
    } catch {
      // a line that only looks like a figure
    }
  }
  return figures;
}

const num = (x: number): string =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: 3 }) : '-';

/** One row per figure (a failed bench still gets its figures, marked, or one row saying so). */
export function renderTable(outcomes: BenchOutcome[]): string {
  const header = ['bench', 'figure', 'value', 'unit', 'baseline', 'ratio', 'status'];
  const rows: string[][] = [];
  for (const o of outcomes) {
    const status =
      o.code !== 0
        ? `FAILED (exit ${o.code}, ${Math.round(o.seconds)} s)`
        : o.figures.length === 0
          ? 'FAILED (no figures)'
          : `ok (${Math.round(o.seconds)} s)`;
    if (o.figures.length === 0) {
      rows.push([o.name, '-', '-', '', '-', '-', status]);
    }
    for (const f of o.figures) {
      rows.push([o.name, f.figure, num(f.value), f.unit, num(f.baseline), num(f.ratio), status]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([2, 4, 5]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const failed = outcomes.filter((o) => o.code !== 0 || o.figures.length === 0).length;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${outcomes.length} benches, ${failed} failed`,
  ].join('\n');
}
