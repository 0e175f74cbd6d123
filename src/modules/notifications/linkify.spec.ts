import { linkify } from './linkify';

describe('linkify', () => {
  it.each([
    ['no links here', [{ text: 'no links here' }]],
    [
      'Open https://give.example.org/a?b=1&c=2. Thanks',
      [{ text: 'Open ' }, { href: 'https://give.example.org/a?b=1&c=2' }, { text: '. Thanks' }],
    ],
    [
      '请打开 http://localhost:3000/x。谢谢',
      [{ text: '请打开 ' }, { href: 'http://localhost:3000/x' }, { text: '。谢谢' }],
    ],
    ['(https://a.example/b)', [{ text: '(' }, { href: 'https://a.example/b' }, { text: ')' }]],
    ['javascript:alert(1) stays text', [{ text: 'javascript:alert(1) stays text' }]],
    [
      'one\r\n\nhttps://a.example\n  two',
      [
        { text: 'one' },
        { br: true },
        { br: true },
        { href: 'https://a.example' },
        { br: true },
        { text: '  two' },
      ],
    ],
  ])('%j', (text, segments) => {
    expect(linkify(text)).toEqual(segments);
  });
});
