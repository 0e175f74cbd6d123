import {
  inputProblemMessage,
  inspectInput,
  isWellFormedText,
  malformedEncoding,
} from './input-shape';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('isWellFormedText', () => {
  it.each([
    ['', true],
    ['li.ming@example.org', true],
    ['连心 😀', true],
    ['\ud83d\ude00', true],
    ['\ud800', false],
    ['a\udc00b', false],
    ['\ude00\ud83d', false],
    ['😀\ud83d', false],
  ])('%j → %s', (text, expected) => {
    expect(isWellFormedText(text)).toBe(expected);
  });
});

describe('inspectInput', () => {
  it.each([
    ['a plain object', { a: 1, b: 'x', c: [1, 2, { d: null }] }, null],
    ['undefined', undefined, null],
    ['a lone surrogate in a field', { donorEmail: '\ud800' }, { kind: 'text', path: 'donorEmail' }],
    ['one deep in a list', { a: [{ b: ['ok', 'x\udfff'] }] }, { kind: 'text', path: 'a.0.b.1' }],
    ['a lone surrogate in a key', { ['k\ud800']: 1 }, { kind: 'text', path: 'a field name' }],
    ['a bare string', '\ud800', { kind: 'text', path: 'value' }],
    ['32 levels', nested(31), null],
    ['33 levels', nested(33), { kind: 'depth' }],
    ['1,500 levels', nested(1500), { kind: 'depth' }],
    ['an uploaded file as bytes', { contentType: 'image/png', body: Buffer.alloc(50_000) }, null],
    ['10,000 values', Array.from({ length: 9_999 }, () => 0), null],
    ['10,001 values', Array.from({ length: 10_001 }, () => 0), { kind: 'size' }],
  ])('%s', (_name, value, expected) => {
    expect(inspectInput(value)).toEqual(expected);
  });

  it('names query fields from the given root', () => {
    expect(inspectInput({ q: ['a', '\ud800'] }, 'query')).toEqual({
      kind: 'text',
      path: 'query.q.1',
    });
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(inspectInput(nested(100_000))).toEqual({ kind: 'depth' });
  });
});

describe('malformedEncoding', () => {
  it.each([
    ['', null],
    ['a=1&b=two+words', null],
    ['next=%2F%E4%B8%AD%E6%96%87&x=%F0%9F%98%80', null],
    ['q=%25', null],
    ['flag&empty=', null],
    ['email=a%ED%A0%80%40example.org', { kind: 'encoding', path: 'email' }],
    ['q=100%', { kind: 'encoding', path: 'q' }],
    ['a=1&b=%zz', { kind: 'encoding', path: 'b' }],
    ['%E4%B8%AD=%C3', { kind: 'encoding', path: '中' }],
    ['%C3=1', { kind: 'encoding', path: 'a field name' }],
    ['=%FF', { kind: 'encoding', path: 'a field' }],
  ])('%j → %j', (text, expected) => {
    expect(malformedEncoding(text)).toEqual(expected);
  });
});

describe('inputProblemMessage', () => {
  it.each([
    [{ kind: 'depth' } as const, /nested more than 32 levels deep/],
    [{ kind: 'size' } as const, /more than 10000 values/],
    [{ kind: 'text', path: 'donorEmail' } as const, /^donorEmail is not valid text: .*Unicode/],
    [{ kind: 'encoding', path: 'email' } as const, /^email is not valid text: .*percent-encoding/],
  ])('%j', (problem, message) => {
    expect(inputProblemMessage(problem)).toMatch(message);
  });
});
