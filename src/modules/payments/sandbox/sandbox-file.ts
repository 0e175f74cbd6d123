import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A file of the sandbox's own secrets in DATA_DIR (a webhook secret, key pairs), made on first use
 * and kept (mode 0600) so a server and the CLI sharing the folder sign and verify alike.
 *
 * An existing file is read without making anything: key pairs take hundreds of milliseconds to
 * generate, and every start would pay for them. A missing one is written with flag `wx`: of two
 * processes starting at once only one can create it; the other reads the winner's.
 * `parse` checks what was read and throws, naming the file, when it is not what it should be.
 */
export function readOrCreateSandboxFile<T>(
  file: string,
  create: () => string,
  parse: (text: string) => T,
): T {
  const existing = readIfPresent(file);
  if (existing !== null) return parse(existing);
  mkdirSync(path.dirname(file), { recursive: true });
  const text = create();
  try {
    writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
    return parse(text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parse(readFileSync(file, 'utf8'));
}

function readIfPresent(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
