import { withFrameAncestors } from './frame-policy';

describe('withFrameAncestors', () => {
  const csp = "default-src 'self';frame-ancestors 'none';object-src 'none'";
  it.each([
    [['*'], "default-src 'self';frame-ancestors *;object-src 'none'"],
    [
      ['https://a.example.org', 'https://*.b.example'],
      "default-src 'self';frame-ancestors https://a.example.org https://*.b.example;object-src 'none'",
    ],
  ])('%j', (sources, expected) => {
    expect(withFrameAncestors(csp, sources)).toBe(expected);
  });
});
