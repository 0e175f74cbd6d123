/**
 * Every benchmark, one after another (`npm run bench`; `npm run bench -- donations pages` for
 * some of them). The benches are the package.json scripts `bench:<name>` other than
 * `bench:build`, so a new bench joins by having its script; fault drills are not benches.
 *
 * The script builds the app and bench/ once (`npm run bench:build`), then this runs each bench as
 * its own process (its script without the build in front), its output shown as it comes. Its final JSON
 * lines (`{"bench":…,"figure":…,"value":N,"unit":…,"baseline":N,"ratio":N}`) are collected; at
 * the end one table of figures and ratios is printed, the lines again, and all of it written to
 * bench/.out/bench-<time>.json. A bench that exits non-zero or prints no figure is shown as
 * failed, the others still run, and the runner exits 1.
 *
 * Environment: passed through to every bench (BENCH_SECONDS, BENCH_DATABASE_URL, …).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Figure } from '../lib/figures';
import { benchesOf, figureLines, renderTable, type BenchOutcome } from './table';

const ROOT = path.resolve(__dirname, '../../..');
const OUT_DIR = path.join(ROOT, 'bench', '.out');

function run(command: string): Promise<{ code: number; out: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(command, { cwd: ROOT, shell: true, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1),
        out,
        seconds: (Date.now() - started) / 1000,
      }),
    );
  });
}

async function main(): Promise<number> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const all = benchesOf(pkg.scripts);
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !all.some((b) => b.name === w));
  if (unknown.length > 0) {
    console.error(
      `no bench named ${unknown.join(', ')}; the benches are ${all.map((b) => b.name).join(', ')}`,
    );
    return 2;
  }
  const benches = wanted.length > 0 ? all.filter((b) => wanted.includes(b.name)) : all;
  console.log(
    `benches: ${benches.map((b) => b.name).join(', ')}; ${os.cpus().length} CPUs, load average ` +
      `${os.loadavg()[0]!.toFixed(2)}`,
  );
  const outcomes: BenchOutcome[] = [];
  for (const bench of benches) {
    console.log(`\n==== bench ${bench.name}: ${bench.command}\n`);
    const result = await run(bench.command);
    const figures = figureLines(result.out);
    outcomes.push({ name: bench.name, code: result.code, seconds: result.seconds, figures });
  }

  console.log('');
  console.log(renderTable(outcomes));
  const lines: (Figure & { bench: string })[] = outcomes.flatMap((o) =>
    o.figures.map((f) => ({ bench: o.name, ...f })),
  );
  console.log('');
  for (const line of lines) {
    console.log(JSON.stringify(line));
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        cpus: os.cpus().length,
        loadAverage: os.loadavg(),
        benches: outcomes.map((o) => ({
          name: o.name,
          exitCode: o.code,
          seconds: Math.round(o.seconds),
          figures: o.figures,
        })),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
  return outcomes.every((o) => o.code === 0 && o.figures.length > 0) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
