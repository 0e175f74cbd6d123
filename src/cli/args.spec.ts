import { parseFlags, required } from './args';

describe('parseFlags', () => {
  it('reads --flag value and --flag=value', () => {
    expect(parseFlags(['--email', 'a@b.org', '--name=Token one'])).toEqual({
      email: 'a@b.org',
      name: 'Token one',
    });
  });
  it.each([[['--email']], [['email']], [['--email', '--name', 'x']]])('refuses %j', (argv) => {
    expect(() => parseFlags(argv)).toThrow();
  });
  it('reads a switch without a value', () => {
    expect(parseFlags(['--force', '--year', '2026'], { switches: ['force'] })).toEqual({
      force: 'true',
      year: '2026',
    });
    expect(() => parseFlags(['--year', '--force'], { switches: ['force'] })).toThrow(
      '--year needs a value',
    );
  });
  it('names a missing required flag', () => {
    expect(() => required({}, 'password')).toThrow('--password is required');
  });
});
