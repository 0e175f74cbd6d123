import { parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads quoted cells, doubled quotes, commas and newlines inside quotes, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,b,c\r\n"x, y","say ""hi""","two\nlines"\n\n1,,3')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '', '3'],
    ]);
  });
  it('names the line of an unterminated quote', () => {
    expect(() => parseCsv('a,b\n"open,c')).toThrow('line 2');
  });
});
