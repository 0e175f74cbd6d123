/**
 * A run of plain text, a link, or a line break. Templates render each escaped, so no raw HTML is
 * needed; line breaks are elements rather than newline characters because Handlebars indents every
 * line of a partial block, which would shift the lines of a `<pre>`.
 */
export type TextSegment = { text: string } | { href: string } | { br: true };

/** Printable ASCII but quotes and angle brackets: Lianxin's links are ASCII (percent-encoded). */
const URL_PATTERN = /https?:\/\/[!#-&(-;=?-~]+/g;
/** Punctuation that ends a sentence rather than the address. */
const TRAILING = /[.,;:!?)\]}]+$/;

function linkifyLine(line: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    const href = match[0].replace(TRAILING, '');
    const start = match.index;
    if (start > last) segments.push({ text: line.slice(last, start) });
    segments.push({ href });
    last = start + href.length;
  }
  if (last < line.length) segments.push({ text: line.slice(last) });
  return segments;
}

/** Splits plain text into text, http(s) link and line-break segments, for the dev outbox page. */
export function linkify(text: string): TextSegment[] {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .flatMap((line, index) => [
      ...(index > 0 ? [{ br: true } as const] : []),
      ...linkifyLine(line),
    ]);
}
