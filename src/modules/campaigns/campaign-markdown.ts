/**
 * A small, safe Markdown subset for campaign stories and updates, rendered on the server. Pure: no
 * Nest, no dependencies.
 *
 * Supported: paragraphs (blank line between), line breaks (a single newline), `# headings`
 * (shifted down one level, since the page title is the h1), `- bullet` and `1. numbered` lists
 * (one level), `**bold**`, `*emphasis*`, `[text](https://…)` links and backslash escapes.
 *
 * Safety rests on two rules: every character of the input reaches the output through
 * `escapeHtml`, and the only markup emitted is the fixed set of tags above. Links are kept only
 * for absolute http(s) URLs, normalised by the WHATWG URL parser and attribute-escaped; anything
 * else (javascript:, data:, relative, protocol-relative) keeps its text and loses the link. Every
 * search for a closing marker is memoised, so hostile input renders in linear time.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Characters a backslash turns back into plain text. */
const ESCAPABLE = new Set(['\\', '*', '_', '[', ']', '(', ')', '#', '-', '+', '.', '!', '`']);

// C0 controls other than tab and newline, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]/g;

export function renderStory(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, '').split('\n');
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; start: number; items: string[][] } | null = null;

  const flushParagraph = () => {
    if (paragraph.length > 0) out.push(`<p>${inline(paragraph.join('\n'), true)}</p>`);
    paragraph = [];
  };
  const flushList = () => {
    if (!list) return;
    const tag = list.ordered ? 'ol' : 'ul';
    const start = list.ordered && list.start !== 1 ? ` start="${list.start}"` : '';
    const items = list.items.map((lines) => `<li>${inline(lines.join('\n'), true)}</li>`);
    out.push(`<${tag}${start}>\n${items.join('\n')}\n</${tag}>`);
    list = null;
  };

  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') {
      flushParagraph();
      flushList();
      continue;
    }
    const heading = parseHeading(line);
    if (heading) {
      flushParagraph();
      flushList();
      const level = Math.min(heading.level + 1, 6);
      out.push(`<h${level}>${inline(heading.text, true)}</h${level}>`);
      continue;
    }
    const bullet = /^[-*+][ \t]+(.*)$/.exec(line);
    const numbered = bullet ? null : /^(\d{1,9})[.)][ \t]+(.*)$/.exec(line);
    if (bullet || numbered) {
      flushParagraph();
      const ordered = numbered !== null;
      if (!list || list.ordered !== ordered) {
        flushList();
        list = { ordered, start: numbered ? Number(numbered[1]) : 1, items: [] };
      }
      list.items.push([bullet ? bullet[1]! : numbered![2]!]);
      continue;
    }
    if (list) {
      // A plain line right under a list item continues that item (after a line break).
      list.items.at(-1)!.push(line);
      continue;
    }
    paragraph.push(line);
  }
  flushParagraph();
  flushList();
  return out.join('\n');
}

/** `# Title`, `## Title ##`: 1–6 hashes, then whitespace; closing hashes are dropped. */
function parseHeading(line: string): { level: number; text: string } | null {
  let level = 0;
  while (level < line.length && line[level] === '#') level++;
  if (level === 0 || level > 6) return null;
  const rest = line.slice(level);
  if (!/^[ \t]/.test(rest)) return null;
  let text = rest.trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0) text = '';
  else if (end < text.length && /[ \t]/.test(text[end - 1]!)) text = text.slice(0, end).trimEnd();
  return { level, text };
}

/** The absolute http(s) URL, normalised, or null for anything else. */
export function safeHref(url: string): string | null {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const isSpace = (c: string | undefined): boolean => c === undefined || /\s/.test(c);

/**
 * Finds the next position at or after `from` where a marker starts. The last answer per marker is
 * remembered: if no marker starts in [from₀, found), every later `from` up to `found` has the
 * same answer, so a paragraph of a thousand unclosed `**` is still scanned once.
 */
class MarkerFinder {
  private readonly memo = new Map<string, { from: number; found: number }>();

  constructor(private readonly text: string) {}

  next(key: string, from: number, at: (i: number) => boolean): number {
    const cached = this.memo.get(key);
    if (cached && cached.from <= from && (cached.found === -1 || cached.found >= from)) {
      return cached.found;
    }
    let found = -1;
    for (let i = from; i < this.text.length; i++) {
      if (at(i)) {
        found = i;
        break;
      }
    }
    this.memo.set(key, { from, found });
    return found;
  }
}

function inline(text: string, allowLinks: boolean): string {
  const finder = new MarkerFinder(text);
  const doubleStar = (i: number) => text[i] === '*' && text[i + 1] === '*';
  const loneStar = (i: number) => text[i] === '*' && text[i - 1] !== '*' && text[i + 1] !== '*';
  const closeBracket = (i: number) => text[i] === ']';
  const closeParen = (i: number) => text[i] === ')';

  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\\' && next !== undefined && ESCAPABLE.has(next)) {
      out += escapeHtml(next);
      i += 2;
      continue;
    }
    if (c === '[' && allowLinks) {
      const close = finder.next(']', i + 1, closeBracket);
      if (close !== -1 && text[close + 1] === '(') {
        const end = finder.next(')', close + 2, closeParen);
        const url = end === -1 ? '' : text.slice(close + 2, end).trim();
        if (end !== -1 && url !== '' && !/\s/.test(url)) {
          const label = text.slice(i + 1, close);
          const href = safeHref(url);
          const shown = inline(label === '' ? url : label, false);
          out += href
            ? `<a href="${escapeHtml(href)}" rel="noopener nofollow">${shown}</a>`
            : shown;
          i = end + 1;
          continue;
        }
      }
    }
    if (c === '*' && next === '*') {
      const close = finder.next('**', i + 2, doubleStar);
      if (close > i + 2 && !isSpace(text[i + 2]) && !isSpace(text[close - 1])) {
        out += `<strong>${inline(text.slice(i + 2, close), allowLinks)}</strong>`;
        i = close + 2;
        continue;
      }
      out += '**';
      i += 2;
      continue;
    }
    if (c === '*') {
      const close = finder.next('*', i + 1, loneStar);
      if (close > i + 1 && !isSpace(next) && !isSpace(text[close - 1])) {
        out += `<em>${inline(text.slice(i + 1, close), allowLinks)}</em>`;
        i = close + 1;
        continue;
      }
    }
    out += c === '\n' ? '<br>\n' : escapeHtml(c);
    i++;
  }
  return out;
}
