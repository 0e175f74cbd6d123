/**
 * `--email a@b --name "x"` → { email: 'a@b', name: 'x' }; refuses flags without values, except
 * the `switches` named, which take none (`--force` → { force: 'true' }).
 */
export function parseFlags(
  argv: readonly string[],
  { switches = [] }: { switches?: readonly string[] } = {},
): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!match)
      throw new Error(`Unexpected argument "${arg}"; flags look like --email someone@example.org`);
    if (switches.includes(match[1]!) && match[2] === undefined) {
      flags[match[1]!] = 'true';
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--'))
      throw new Error(`--${match[1]} needs a value`);
    flags[match[1]!] = value;
  }
  return flags;
}

export function required(flags: Record<string, string>, name: string): string {
  const value = flags[name];
  if (!value) throw new Error(`--${name} is required`);
  return value;
}
