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
  it('names a missing required flag', () => {
    expect(() => required({}, 'password')).toThrow('--password is required');
  });
});
