import { linksWithLanguage, withLanguage } from './email-links';

const SITE = 'https://lianxin.example';

describe('links in emails carry the reader language', () => {
  it.each([
    [`${SITE}/donor`, `${SITE}/donor?lang=en`],
    [`${SITE}/donor?token=abc`, `${SITE}/donor?token=abc&lang=en`],
    [`${SITE}/admin/grants#overdue`, `${SITE}/admin/grants?lang=en#overdue`],
    [`${SITE}/donor?lang=zh-CN`, `${SITE}/donor?lang=zh-CN`],
    ['https://elsewhere.example/x', 'https://elsewhere.example/x'],
    [`${SITE}.evil.example/x`, `${SITE}.evil.example/x`],
  ])('%s → %s', (url, expected) => {
    expect(withLanguage(url, 'en', `${SITE}/`)).toBe(expected);
  });

  it('changes only the values that are links', () => {
    expect(
      linksWithLanguage(
        { url: `${SITE}/a`, portalUrl: `${SITE}/donor`, title: `${SITE}/a`, count: 2 },
        'zh-CN',
        SITE,
      ),
    ).toEqual({
      url: `${SITE}/a?lang=zh-CN`,
      portalUrl: `${SITE}/donor?lang=zh-CN`,
      title: `${SITE}/a`,
      count: 2,
    });
  });
});
