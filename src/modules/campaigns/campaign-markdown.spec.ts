import { escapeHtml, renderStory, safeHref } from './campaign-markdown';

describe('renderStory: the supported subset', () => {
  it.each([
    ['', ''],
    ['Hello', '<p>Hello</p>'],
    ['one\ntwo', '<p>one<br>\ntwo</p>'],
    ['one\n\ntwo', '<p>one</p>\n<p>two</p>'],
    ['one\r\n\r\ntwo', '<p>one</p>\n<p>two</p>'],
    ['**bold** and *em*', '<p><strong>bold</strong> and <em>em</em></p>'],
    ['**bold *and em***', '<p><strong>bold *and em</strong>*</p>'],
    ['*em with **bold** inside*', '<p><em>em with <strong>bold</strong> inside</em></p>'],
    ['**across\nlines**', '<p><strong>across<br>\nlines</strong></p>'],
    ['# Title', '<h2>Title</h2>'],
    ['## Sub ##', '<h3>Sub</h3>'],
    ['###### Six', '<h6>Six</h6>'],
    ['####### seven', '<p>####### seven</p>'],
    ['#hashtag', '<p>#hashtag</p>'],
    ['- a\n- b', '<ul>\n<li>a</li>\n<li>b</li>\n</ul>'],
    ['* a\n+ **b**', '<ul>\n<li>a</li>\n<li><strong>b</strong></li>\n</ul>'],
    ['1. a\n2. b', '<ol>\n<li>a</li>\n<li>b</li>\n</ol>'],
    ['3) c', '<ol start="3">\n<li>c</li>\n</ol>'],
    ['- a\n  more', '<ul>\n<li>a<br>\nmore</li>\n</ul>'],
    ['- a\n1. b', '<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>'],
    ['para\n- item', '<p>para</p>\n<ul>\n<li>item</li>\n</ul>'],
    [
      '[site](https://example.org/a?b=1&c=2)',
      '<p><a href="https://example.org/a?b=1&amp;c=2" rel="noopener nofollow">site</a></p>',
    ],
    [
      '[**bold** link](http://example.org)',
      '<p><a href="http://example.org/" rel="noopener nofollow"><strong>bold</strong> link</a></p>',
    ],
    [
      '[](https://example.org)',
      '<p><a href="https://example.org/" rel="noopener nofollow">https://example.org</a></p>',
    ],
    ['\\*not em\\* \\# \\[x\\]', '<p>*not em* # [x]</p>'],
    ['\\# not a heading', '<p># not a heading</p>'],
    ['2 * 3 * 4', '<p>2 * 3 * 4</p>'],
    ['** not bold **', '<p>** not bold **</p>'],
    ['中文**加粗**内容', '<p>中文<strong>加粗</strong>内容</p>'],
  ])('%j', (markdown, html) => {
    expect(renderStory(markdown)).toBe(html);
  });
});

describe('renderStory: hostile input', () => {
  it.each([
    ['<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['<img src=x onerror=alert(1)>', '<p>&lt;img src=x onerror=alert(1)&gt;</p>'],
    ['**<b onclick="x">**', '<p><strong>&lt;b onclick=&quot;x&quot;&gt;</strong></p>'],
    ['# <svg onload=alert(1)>', '<h2>&lt;svg onload=alert(1)&gt;</h2>'],
    ['- <iframe src=//evil>', '<ul>\n<li>&lt;iframe src=//evil&gt;</li>\n</ul>'],
    ['[click](javascript:alert(1))', '<p>click)</p>'],
    ['[click](JaVaScRiPt:alert`1`)', '<p>click</p>'],
    ['[click](data:text/html;base64,PHNjcmlwdD4=)', '<p>click</p>'],
    ['[click](vbscript:msgbox)', '<p>click</p>'],
    ['[click](//evil.example/x)', '<p>click</p>'],
    ['[click](/relative)', '<p>click</p>'],
    ['[click](java\tscript:alert(1))', '<p>[click](java\tscript:alert(1))</p>'],
    [
      '[x](https://a.example/"onmouseover="alert(1))',
      '<p><a href="https://a.example/%22onmouseover=%22alert(1" rel="noopener nofollow">x</a>)</p>',
    ],
    [
      "[x](https://a.example/'onmouseover='alert(1))",
      '<p><a href="https://a.example/&#39;onmouseover=&#39;alert(1" rel="noopener nofollow">x</a>)</p>',
    ],
    [
      '[x](https://a.example/><script>alert(1)</script>)',
      '<p><a href="https://a.example/%3E%3Cscript%3Ealert(1" rel="noopener nofollow">x</a>&lt;/script&gt;)</p>',
    ],
    [
      '[<img src=x onerror=alert(1)>](https://a.example)',
      '<p><a href="https://a.example/" rel="noopener nofollow">&lt;img src=x onerror=alert(1)&gt;</a></p>',
    ],
    ['&lt;script&gt; &amp; &#60;', '<p>&amp;lt;script&amp;gt; &amp;amp; &amp;#60;</p>'],
    ['a\u0000b\u2028c', '<p>abc</p>'],
  ])('%j', (markdown, expected) => {
    const html = renderStory(markdown);
    expect(html).toBe(expected);
    assertSafe(html);
  });

  it('never emits a tag or attribute outside the subset, whatever the input', () => {
    const pieces = [
      '<',
      '>',
      '"',
      "'",
      '*',
      '**',
      '[',
      ']',
      '(',
      ')',
      'javascript:',
      'https://x.example/',
      ' ',
      '\n',
      '# ',
      '- ',
      '1. ',
      '\\',
      'on',
      '=',
      '&',
      'a',
    ];
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let checked = 0;
    for (let n = 0; n < 2000; n++) {
      let markdown = '';
      const length = Math.floor(random() * 40);
      for (let k = 0; k < length; k++) markdown += pieces[Math.floor(random() * pieces.length)];
      assertSafe(renderStory(markdown));
      checked++;
    }
    expect(checked).toBe(2000);
  });

  it('renders pathological input in linear time', () => {
    for (const unit of ['**a', '*a', '[a', '[a](', '[a](b', '\\', '# ', '- ']) {
      const markdown = unit.repeat(Math.ceil(20_000 / unit.length));
      const started = performance.now();
      renderStory(markdown);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });
});

describe('safeHref', () => {
  it.each([
    ['https://example.org', 'https://example.org/'],
    ['HTTP://EXAMPLE.ORG/A', 'http://example.org/A'],
    ['https://例子.中国/路径', 'https://xn--fsqu00a.xn--fiqs8s/%E8%B7%AF%E5%BE%84'],
    ['javascript:alert(1)', null],
    [' https://example.org', null],
    ['https://', null],
    ['ftp://example.org', null],
    ['mailto:a@example.org', null],
  ])('%s → %s', (url, expected) => {
    expect(safeHref(url)).toBe(expected);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

/** Only the subset's tags, and only href/rel/start attributes with safe values. */
function assertSafe(html: string): void {
  const tags = html.match(/<[^>]*>/g) ?? [];
  for (const tag of tags) {
    expect(tag).toMatch(
      /^(<\/?(p|strong|em|ul|li|h[2-6])>|<br>|<ol( start="\d+")?>|<\/ol>|<a href="https?:\/\/[^"<>\s]*" rel="noopener nofollow">|<\/a>)$/,
    );
  }
  // "javascript:" may appear as text; it must never reach an attribute.
  for (const href of html.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^https?:\/\//);
  // No raw quote or angle bracket survives outside the markup emitted above.
  const text = html.replace(/<[^>]*>/g, '');
  expect(text).not.toMatch(/[<>"']/);
}
