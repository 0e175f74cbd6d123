import { maskEmail, redirectTarget } from './sandbox-page';

describe('maskEmail', () => {
  it.each([
    ['li.ming@example.org', 'l***@example.org'],
    ['a@example.org', 'a***@example.org'],
    ['连心@example.org', '连***@example.org'],
    ['😀x@example.org', '😀***@example.org'],
    ['odd"@name"@example.org', 'o***@example.org'],
    ['no-at-sign', '***'],
    ['@example.org', '***'],
  ])('%s → %s', (email, expected) => {
    expect(maskEmail(email)).toBe(expected);
  });
});

describe('redirectTarget', () => {
  const site = 'https://give.example.org';
  it.each([
    // url, expected
    ['https://give.example.org/thanks?d=1#top', '/thanks?d=1#top'],
    ['https://give.example.org/thanks?s={CHECKOUT_SESSION_ID}', '/thanks?s=cs_1'],
    ['/campaigns/garden', '/campaigns/garden'],
    ['https://other.example.org/thanks', 'https://other.example.org/thanks'],
    ['http://give.example.org/thanks', 'http://give.example.org/thanks'],
    ['javascript:alert(1)', '/'],
    ['//evil.example/x', '/'],
    ['not a url', '/'],
  ])('%s → %s', (url, expected) => {
    expect(redirectTarget(url, 'cs_1', site)).toBe(expected);
  });
});
