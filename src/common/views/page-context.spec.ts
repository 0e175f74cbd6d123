import { encodeLocation, publicSection, safeNext } from './page-context';

describe('safeNext', () => {
  it.each([
    ['/admin', '/admin'],
    ['/admin/funds?status=ACTIVE', '/admin/funds?status=ACTIVE'],
    ['//evil.example', '/x'],
    ['/\\evil.example', '/x'],
    ['/\t/evil.example', '/x'],
    ['/\n/evil.example', '/x'],
    ['https://evil.example', '/x'],
    ['admin', '/x'],
    [undefined, '/x'],
    ['/中文', '/%E4%B8%AD%E6%96%87'],
    ['/a%20b?x=é#frag', '/a%20b?x=%C3%A9#frag'],
    ['/admin?q=社区\u3000a', '/x'],
    ['/\ud800', '/x'],
    ['/😀', '/%F0%9F%98%80'],
  ])('%j → %j', (next, expected) => {
    expect(safeNext(next, '/x')).toBe(expected);
  });
});

describe('encodeLocation', () => {
  it.each([
    ['/admin/funds?status=ACTIVE', '/admin/funds?status=ACTIVE'],
    ['/campaigns/社区', '/campaigns/%E7%A4%BE%E5%8C%BA'],
    ['https://give.example.org/a b', 'https://give.example.org/a%20b'],
    ['/x\ud800y', '/x%EF%BF%BDy'],
    ['/x\r\nSet-Cookie: a=b', '/x%0D%0ASet-Cookie:%20a=b'],
  ])('%j → %j', (location, expected) => {
    expect(encodeLocation(location)).toBe(expected);
  });
});

describe('publicSection', () => {
  it.each([
    ['/campaigns/spring-wheelchairs', 'campaigns'],
    ['/funds', 'funds'],
    ['/funds/F-01/ledger.csv', 'funds'],
    ['/projects', 'projects'],
    ['/donor/gifts', 'donor'],
    ['/login', 'signIn'],
    ['/', null],
    ['/fundsx', null],
  ])('%s → %s', (path, section) => {
    expect(publicSection(path)).toBe(section);
  });
});
