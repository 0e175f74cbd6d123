/**
 * The text of a PDF as a reader extracts it (pdf.js, the engine of Firefox's viewer), so a test
 * sees what a person copying from the PDF would get: CJK glyphs mapped back through the font's
 * ToUnicode table, not bytes in the file.
 */
export async function pdfText(pdf: Buffer): Promise<string> {
  // pdf.js warns once, on load, that it cannot draw without `canvas`; text needs no drawing.
  const log = console.log;
  console.log = () => undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pdfjs = require('pdfjs-dist/legacy/build/pdf.js') as {
    getDocument(src: { data: Uint8Array; isEvalSupported: boolean; verbosity: number }): {
      promise: Promise<{
        numPages: number;
        getPage(n: number): Promise<{
          getTextContent(): Promise<{ items: { str?: string; hasEOL?: boolean }[] }>;
        }>;
        destroy(): Promise<void>;
      }>;
    };
  };
  console.log = log;
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(pdf),
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => (i.str ?? '') + (i.hasEOL ? '\n' : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n');
}
