import { maskName } from './mask-name';

describe('maskName', () => {
  it.each([
    ['张三丰', '张**'],
    ['张三', '张*'],
    ['欧阳娜娜', '欧***'],
    ['爱新觉罗·溥仪', '爱****'],
    ['张', '*'],
    ['  张  ', '*'],
    ['', '*'],
    ['   ', '*'],
    ['Li Ming', 'L*** M***'],
    ['Li', 'L***'],
    ['J', 'J***'],
    ['Émile Zola', 'É*** Z***'],
    ['  Mary   Ann\tLee ', 'M*** A*** L***'],
    ['A B C D E F', 'A*** B*** C*** D*** …'],
    ['李 Ming', '李*** M***'],
  ])('%j → %j', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('counts an emoji with its modifiers as one character and never splits a surrogate pair', () => {
    expect(maskName('😀')).toBe('*');
    expect(maskName('😀😀')).toBe('😀*');
    expect(maskName('👨‍👩‍👧‍👦小明')).toBe('👨‍👩‍👧‍👦**');
    expect(maskName('👍🏽 Lee')).toBe('👍🏽*** L***');
    expect(maskName('𠮷野家')).toBe('𠮷**');
  });

  it('replaces lone surrogates instead of passing half a character on', () => {
    expect(maskName('\uD800abc')).toBe('\uFFFD***');
    expect(maskName('\uDC00')).toBe('*');
    expect(maskName('a\uD800')).toBe('a***');
    for (const masked of [maskName('\uD800\uD800'), maskName('x \uDFFF')]) {
      expect(masked).not.toMatch(/[\uD800-\uDFFF]/);
    }
  });

  it('keeps the mask short whatever the name', () => {
    expect(maskName('张'.repeat(10_000))).toBe('张****');
    expect(maskName('a'.repeat(10_000))).toBe('a***');
    expect(maskName('a '.repeat(5_000)).length).toBeLessThan(30);
  });
});
