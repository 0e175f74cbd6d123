import { pluralKey, translate } from './i18n';

describe('plural forms', () => {
  it.each([
    ['en', 0, '0 donors'],
    ['en', 1, '1 donor'],
    ['en', 2, '2 donors'],
    ['en', 21, '21 donors'],
    ['zh-CN', 1, '1 位捐赠人'],
    ['zh-CN', 2, '2 位捐赠人'],
  ] as const)('%s, %d → %s', (locale, count, text) => {
    expect(translate(locale, 'campaign.donorCount', { count })).toBe(text);
  });

  it('picks the category Intl.PluralRules names, and the key itself without plural forms', () => {
    expect(pluralKey('en', 'campaign.donorCount', 1)).toBe('campaign.donorCount_one');
    expect(pluralKey('en', 'campaign.donorCount', 5)).toBe('campaign.donorCount_other');
    expect(pluralKey('zh-CN', 'campaign.donorCount', 1)).toBe('campaign.donorCount_other');
    expect(pluralKey('en', 'campaign.raised', 1)).toBe('campaign.raised');
    expect(pluralKey('en', 'campaign.donorCount', 'many')).toBe('campaign.donorCount');
  });
});
