import { safeNext } from './page-context';

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
  ])('%j → %j', (next, expected) => {
    expect(safeNext(next, '/x')).toBe(expected);
  });
});
