import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** Written after a successful build; `nest build` empties dist/ first, so it never outlives one. */
const STAMP = path.join(ROOT, 'dist', '.test-build');
/** What `nest build` compiles (tsconfig.build.json), and the settings it compiles them with. */
const INPUTS = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function newestChange(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = stat.mtimeMs; // a deleted or renamed file changes its directory
  for (const name of readdirSync(entry)) {
    newest = Math.max(newest, newestChange(path.join(entry, name)));
  }
  return newest;
}

/** Why dist/ must be built again, or null when it is as new as everything it is built from. */
export function distStaleReason(): string | null {
  if (!existsSync(STAMP)) {
    return 'dist/ has not been built by the tests yet';
  }
  const builtAt = statSync(STAMP).mtimeMs;
  const changed = INPUTS.map((name) => path.join(ROOT, name)).find(
    (input) => existsSync(input) && newestChange(input) > builtAt,
  );
  return changed ? `${path.relative(ROOT, changed)} changed since the last build` : null;
}

/**
 * Builds dist/ for the tests that spawn it (`node dist/src/main.js`, `dist/src/cli.js`: embedded
 * mode, the worker process, production config) once per run, and only when it is missing or
 * older than its sources. LIANXIN_TEST_BUILD=always builds every run; =never never does (for a
 * run of files that do not spawn dist/ on a machine where it is stale).
 */
export function buildDistIfStale(): void {
  const mode = process.env.LIANXIN_TEST_BUILD ?? 'if-stale';
  if (mode === 'never') {
    return;
  }
  const reason = mode === 'always' ? 'LIANXIN_TEST_BUILD=always' : distStaleReason();
  if (!reason) {
    return;
  }
  process.stderr.write(`\ntest set-up: building dist/ (${reason})\n`);
  const started = Date.now();
  const nest = path.join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  const result = spawnSync(process.execPath, [nest, 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`nest build failed (exit ${String(result.status ?? result.signal)})`);
  }
  writeFileSync(STAMP, new Date().toISOString() + '\n');
  process.stderr.write(
    `test set-up: dist/ built in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
}
