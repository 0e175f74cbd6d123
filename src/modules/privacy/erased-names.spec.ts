import { erasedDonorName, shownDonorName, storedErasedDonorName } from './erased-names';

describe('erased donor names', () => {
  it.each([
    [storedErasedDonorName(12), 'en', 'Erased donor #12'],
    [storedErasedDonorName(12), 'zh-CN', '已删除的捐赠人 #12'],
    ['王小明', 'en', '王小明'],
    ['', 'en', ''],
    ['已删除的捐赠人 #', 'en', '已删除的捐赠人 #'],
    ['已删除的捐赠人 #x1', 'en', '已删除的捐赠人 #x1'],
    ['已删除的捐赠人 #01', 'en', '已删除的捐赠人 #01'],
    [`前缀${storedErasedDonorName(3)}`, 'en', `前缀${storedErasedDonorName(3)}`],
  ] as const)('shows %j to a %s reader as %j', (stored, locale, shown) => {
    expect(shownDonorName(stored, locale)).toBe(shown);
  });

  it('names the stored form in zh-CN', () => {
    expect(storedErasedDonorName(7)).toBe(erasedDonorName(7, 'zh-CN'));
  });
});
