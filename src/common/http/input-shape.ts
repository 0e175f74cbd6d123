/**
 * What every request value (JSON or form body, query string, route parameters) must be before
 * anything converts or validates it. Pure: no Nest, no Fastify.
 *
 * - At most MAX_INPUT_DEPTH levels of nesting and MAX_INPUT_VALUES values in all: class-transformer
 *   and class-validator recurse, and a 3 kB body of 1,500 nested arrays overflowed the stack.
 * - Well-formed Unicode in every string and key: a lone UTF-16 surrogate (`"\ud800"` in JSON) is
 *   not text; validators that call `encodeURI` throw on it, and PostgreSQL would store U+FFFD.
 * - Well-formed percent-encoding in query strings and form bodies: the parser keeps `%ED%A0%80`
 *   (an encoded surrogate) or `100%` as literal text when it cannot decode them, so a form field
 *   would silently hold something other than what was sent.
 * The walk is iterative, so the check itself cannot overflow the stack.
 */
import { say, words, type Words } from '../i18n/i18n';
export const MAX_INPUT_DEPTH = 32;
export const MAX_INPUT_VALUES = 10_000;

export type InputProblem =
  | { kind: 'depth' }
  | { kind: 'size' }
  | { kind: 'text'; path: string }
  | { kind: 'encoding'; path: string };

/** A lone surrogate: with the `u` flag, a paired surrogate is one code point and does not match. */
const LONE_SURROGATE = /\p{Cs}/u;

export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

export function inspectInput(
  value: unknown,
  rootPath = '',
  limits: { maxDepth: number; maxValues: number } = {
    maxDepth: MAX_INPUT_DEPTH,
    maxValues: MAX_INPUT_VALUES,
  },
): InputProblem | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value, path: rootPath, depth: 0 },
  ];
  let seen = 0;
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (++seen > limits.maxValues) return { kind: 'size' };
    if (typeof item.value === 'string') {
      if (!isWellFormedText(item.value)) return { kind: 'text', path: item.path || 'value' };
      continue;
    }
    // Raw bytes (an uploaded image, buffered by its own parser) are not text or structure.
    if (item.value === null || typeof item.value !== 'object' || ArrayBuffer.isView(item.value))
      continue;
    if (item.depth >= limits.maxDepth) return { kind: 'depth' };
    const entries = Array.isArray(item.value)
      ? item.value.map((v, i) => [String(i), v] as const)
      : Object.entries(item.value as Record<string, unknown>);
    for (const [key, inner] of entries) {
      const path = item.path ? `${item.path}.${key}` : key;
      if (!isWellFormedText(key)) return { kind: 'text', path: item.path || 'a field name' };
      stack.push({ value: inner, path, depth: item.depth + 1 });
    }
  }
  return null;
}

/**
 * The first field of a query string or urlencoded form (`a=1&b=%E4%B8%AD`) whose name or value
 * is not well-formed percent-encoded UTF-8; null when every one is.
 */
export function malformedEncoding(text: string): InputProblem | null {
  if (!text.includes('%')) return null;
  for (const pair of text.split('&')) {
    if (!pair.includes('%')) continue;
    const eq = pair.indexOf('=');
    const [key, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    const name = decodeOrNull(key);
    if (name === null) return { kind: 'encoding', path: 'a field name' };
    if (decodeOrNull(value) === null) return { kind: 'encoding', path: name || 'a field' };
  }
  return null;
}

function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** The problem in words, for a 400 answer or an error page. */
export function inputProblemMessage(problem: InputProblem): string {
  return say('en', inputProblemWords(problem));
}

/** The problem as Words, for the reader's language. */
export function inputProblemWords(problem: InputProblem): Words {
  switch (problem.kind) {
    case 'depth':
      return words('errors.input.depth', { max: MAX_INPUT_DEPTH });
    case 'size':
      return words('errors.input.size', { max: String(MAX_INPUT_VALUES) });
    case 'text':
      return words('errors.input.text', { field: problem.path });
    case 'encoding':
      return words('errors.input.encoding', { field: problem.path });
  }
}
