// The part of fontkit 2 (pdfkit's own font engine) that receipts use: parse a font once and hand
// the parsed font to pdfkit, which accepts any object with `layout`.
declare module 'fontkit' {
  export interface Font {
    layout(text: string): unknown;
    hasGlyphForCodePoint(codePoint: number): boolean;
    createSubset(): FontSubset;
  }
  export interface FontSubset {
    subsetSubrs?: (
      subrs: { offset: number; length: number }[],
      used: Record<number, boolean>,
    ) => Uint8Array[];
    cff?: { stream: { pos: number; readBuffer(length: number): Uint8Array } };
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
