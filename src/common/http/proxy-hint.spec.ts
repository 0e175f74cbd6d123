import { isPrivateAddress, ProxyHint } from './proxy-hint';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.10', true],
    ['169.254.0.5', true],
    ['100.64.0.1', true],
    ['100.128.0.1', false],
    ['203.0.113.7', false],
    ['8.8.8.8', false],
    ['::1', true],
    ['::ffff:10.0.0.2', true],
    ['::ffff:203.0.113.7', false],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['2001:db8::1', false],
    ['not an address', false],
    ['', false],
  ])('%s → %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe('ProxyHint', () => {
  const run = (sample: number, ips: (string | undefined)[]) => {
    const warnings: string[] = [];
    const hint = new ProxyHint(sample, (m) => warnings.push(m));
    for (const ip of ips) hint.observe(ip);
    return warnings;
  };

  it.each([
    [
      'warns once when the first N are all private or loopback',
      3,
      ['10.0.0.2', '127.0.0.1', '10.0.0.2', '10.0.0.3', '::1'],
      1,
    ],
    ['says nothing before N requests', 3, ['10.0.0.2', '10.0.0.2'], 0],
    [
      'says nothing when a public address comes first',
      3,
      ['203.0.113.7', '10.0.0.2', '10.0.0.2', '10.0.0.2'],
      0,
    ],
    [
      'says nothing when a public address comes among the first N',
      3,
      ['10.0.0.2', '203.0.113.7', '10.0.0.2', '10.0.0.2'],
      0,
    ],
    ['an unknown address ends the watch', 2, [undefined, '10.0.0.2', '10.0.0.2'], 0],
  ])('%s', (_case, sample, ips, count) => {
    expect(run(sample, ips)).toHaveLength(count);
  });

  it('names the variable and a few of the addresses it saw', () => {
    const [warning] = run(2, ['10.0.0.2', '10.0.0.9']);
    expect(warning).toContain('TRUST_PROXY is unset');
    expect(warning).toContain('10.0.0.2, 10.0.0.9');
  });
});
