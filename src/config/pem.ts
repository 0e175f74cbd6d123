import { readFileSync } from 'node:fs';

/**
 * A key setting's PEM text: the value itself when it holds a PEM block (`\n` escapes allowed, as
 * one-line environments write them), otherwise the contents of the file it names.
 */
export function pemText(value: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  return readFileSync(value, 'utf8');
}
