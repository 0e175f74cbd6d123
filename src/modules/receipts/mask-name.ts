/**
 * A donor's name as the public verification page may show it: enough for the holder of a receipt
 * to recognise it as theirs, not enough to learn who gave. 张三丰 → 张**, 欧阳娜娜 → 欧***,
 * Li Ming → L*** M***; a one-character name shows no character at all (张 → *).
 *
 * Characters are counted as a reader sees them (grapheme clusters: an emoji with its modifiers is
 * one), and anything that is not well-formed Unicode (a lone surrogate) becomes U+FFFD, so the
 * mask never carries half a character into the page. A Latin word's length is hidden (always
 * three stars); a Chinese name's length is ordinary knowledge and shown up to four characters.
 */
export function maskName(name: string): string {
  const words = wellFormed(name).trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return '*';
  if (words.length === 1) {
    const letters = graphemes(words[0]!);
    if (isLatin(letters[0]!)) return `${letters[0]}***`;
    if (letters.length === 1) return '*';
    return letters[0]! + '*'.repeat(Math.min(letters.length - 1, 4));
  }
  const shown = words.slice(0, 4).map((word) => `${graphemes(word)[0]}***`);
  return words.length > 4 ? `${shown.join(' ')} …` : shown.join(' ');
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

function isLatin(letter: string): boolean {
  return /^\p{Script=Latin}/u.test(letter);
}

/** The text with every lone UTF-16 surrogate replaced by U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}
