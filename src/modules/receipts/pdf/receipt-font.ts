import * as fontkit from 'fontkit';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { woffToSfnt } from './woff';

/**
 * The fonts receipts are printed in, both Noto Sans SC / Hans (SIL Open Font License), each read
 * and parsed once per process and handed to pdfkit as a parsed font, which embeds only the glyphs
 * a document uses:
 *
 * - **common**: the "chinese-simplified" cut of Noto Sans SC from `@fontsource/noto-sans-sc`
 *   (about 7,900 characters: GB2312's 6,763 hanzi, Latin, digits, punctuation; TrueType outlines,
 *   2.5 MB once unwrapped). Its subsets are cheap to make: about 10 ms per receipt.
 * - **full**: Noto Sans Hans from `@embedpdf/fonts-sc` (30,800 characters, 8 MB, CFF outlines),
 *   for the names and addresses the common cut lacks (䶮, 㑇, …). Its subsets cost about three
 *   times as much, so it is loaded only when a document needs it.
 *
 * `receiptFontFor(text)` picks the common font when it has every character of the document.
 */
let common: fontkit.Font | undefined;
let full: fontkit.Font | undefined;

export function receiptFontFor(text: string): fontkit.Font {
  common ??= loadCommon();
  for (const char of text) {
    const code = char.codePointAt(0)!;
    // Line breaks and other controls are never drawn as glyphs.
    if (code >= 0x20 && !common.hasGlyphForCodePoint(code)) return fullFont();
  }
  return common;
}

/** The full font (every CJK character a receipt may need). */
export function fullFont(): fontkit.Font {
  full ??= loadFull();
  return full;
}

function loadCommon(): fontkit.Font {
  const file =
    require.resolve('@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff');
  return fontkit.create(woffToSfnt(readFileSync(file)));
}

const RETURN = new Uint8Array([11]);

/**
 * One change to fontkit's subsetting of the full font, for speed: it is CID-keyed with about
 * 25,000 local subroutines, and fontkit writes a one-byte "return" in place of each unused one,
 * allocating a fresh array for each, per document. Sharing one array halves the time (29 → 15 ms
 * for a short document) and leaves the output byte for byte the same.
 */
function loadFull(): fontkit.Font {
  // The package exports only its index (dist/): its fonts folder is found from there.
  const index = require.resolve('@embedpdf/fonts-sc');
  const file = path.join(path.dirname(index), '..', 'fonts', 'NotoSansHans-Regular.otf');
  const font = fontkit.create(readFileSync(file));
  const createSubset = font.createSubset.bind(font);
  font.createSubset = () => {
    const subset = createSubset();
    if (typeof subset.subsetSubrs === 'function' && subset.cff) {
      const cff = subset.cff;
      subset.subsetSubrs = (subrs, used) =>
        subrs.map((subr, i) => {
          if (!used[i]) return RETURN;
          cff.stream.pos = subr.offset;
          return cff.stream.readBuffer(subr.length);
        });
    }
    return subset;
  };
  return font;
}
