import { redirectTarget } from './sandbox-page';

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
