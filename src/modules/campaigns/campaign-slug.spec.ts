import { SLUG_PATTERN } from './dto/campaigns.dto';
import { slugCandidate, slugFromTitle } from './campaign-slug';

describe('slugFromTitle', () => {
  it.each([
    ['社区花园长椅', 'she-qu-hua-yuan-chang-yi'],
    ['长者助餐', 'zhang-zhe-zhu-can'],
    ['下涧槽社区·长者助餐（第二期）', 'xia-jian-cao-she-qu-zhang-zhe-zhu-can-di-er-qi'],
    ['2026 春季 轮椅', '2026-chun-ji-lun-yi'],
    ['绿色 Café 计划', 'lv-se-cafe-ji-hua'],
    ['  !!!  ', 'campaign'],
    ['😀', 'campaign'],
    ['安', 'an-campaign'],
  ])('%s → %s', (title, slug) => {
    expect(slugFromTitle(title)).toBe(slug);
    expect(slugFromTitle(title)).toMatch(SLUG_PATTERN);
  });

  it('stays within 72 characters, cut between syllables', () => {
    const slug = slugFromTitle(
      '为成华区一百一十二个社区的长者和孩子们募集助餐、助学与社区花园建设的资金'.repeat(2),
    );
    expect(slug.length).toBeLessThanOrEqual(72);
    expect(slug).toMatch(SLUG_PATTERN);
    expect(slug.startsWith('wei-cheng-hua-qu-')).toBe(true);
  });

  it('numbers the candidates after the first', () => {
    expect([1, 2, 3].map((n) => slugCandidate('chang-yi', n))).toEqual([
      'chang-yi',
      'chang-yi-2',
      'chang-yi-3',
    ]);
  });
});
