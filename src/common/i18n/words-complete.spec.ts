import { getMetadataStorage } from 'class-validator';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_HTTP_STATUS } from '../errors/error-codes';
import { projectRoot } from '../paths';
import { messages, SUPPORTED_LOCALES } from './i18n';

/*
 * Every word a reader can be shown exists in both languages: the two locale files hold the same
 * keys, every error code has its generic text, every literal key the code and the templates name
 * has a text, and every check a DTO makes (and every field it names) reads as words.
 */

const root = projectRoot();

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, ext);
    return entry.name.endsWith(ext) ? [full] : [];
  });
}

const sources = filesUnder(path.join(root, 'src'), '.ts').filter((f) => !f.endsWith('.spec.ts'));
const templates = filesUnder(path.join(root, 'templates'), '.hbs');

/** Whether a key (or its plural forms) has a text in a locale. */
function has(locale: (typeof SUPPORTED_LOCALES)[number], key: string): boolean {
  const all = messages(locale);
  return all[key] !== undefined || all[`${key}_other`] !== undefined;
}

function missing(keys: Iterable<string>): string[] {
  return [...new Set(keys)]
    .flatMap((key) => SUPPORTED_LOCALES.filter((l) => !has(l, key)).map((l) => `${l}: ${key}`))
    .sort();
}

/** Every literal first argument of a call, for each pattern (a regexp capturing the key). */
function literalKeys(files: string[], patterns: RegExp[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        const key = match[1]!;
        if (!found.has(key)) found.set(key, path.relative(root, file));
      }
    }
  }
  return found;
}

describe('the locale files', () => {
  it('hold the same keys in both languages', () => {
    const zh = Object.keys(messages('zh-CN'));
    const en = Object.keys(messages('en'));
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
  });

  it('leave no text empty', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const empty = Object.entries(messages(locale)).filter(([, v]) => v.trim() === '');
      expect(empty.map(([k]) => `${locale}: ${k}`)).toEqual([]);
    }
  });

  it('give every error code a generic text (errors.code.<CODE>)', () => {
    expect(missing(Object.keys(ERROR_HTTP_STATUS).map((c) => `errors.code.${c}`))).toEqual([]);
  });

  it('no longer carry the old per-code fallback (admin.domainErrors)', () => {
    for (const locale of SUPPORTED_LOCALES) {
      expect(
        Object.keys(messages(locale)).filter((k) => k.startsWith('admin.domainErrors.')),
      ).toEqual([]);
    }
  });

  it('hold every literal key the code names (words, translate, a check message key)', () => {
    const keys = literalKeys(sources, [
      /\bwords\(\s*'([\w.-]+)'/g,
      /\btranslate\(\s*[\w.]+\s*,\s*'([\w.-]+)'/g,
      /\bmessage:\s*'([a-z]\w*\.[\w.]+)'/g,
    ]);
    expect(keys.size).toBeGreaterThan(50);
    expect(missing(keys.keys())).toEqual([]);
  });

  it('hold every literal key the templates name ({{t "…"}})', () => {
    const keys = literalKeys(templates, [/[{(]t\s+["']([\w.-]+)["']/g]);
    expect(keys.size).toBeGreaterThan(100);
    expect(missing(keys.keys())).toEqual([]);
  });
});

describe('validation words', () => {
  // Loading every file that declares checks registers its DTOs with class-validator.
  const withChecks = sources.filter(
    (f) =>
      !f.includes(`${path.sep}config${path.sep}`) &&
      /from 'class-validator'/.test(readFileSync(f, 'utf8')),
  );
  beforeAll(async () => {
    for (const file of withChecks) await import(file);
  });

  function checks() {
    const storage = getMetadataStorage() as unknown as {
      validationMetadatas: Map<unknown, { name?: string; type: string; propertyName: string }[]>;
    };
    return [...storage.validationMetadatas.values()].flat();
  }

  it('load the DTOs', () => {
    expect(withChecks.length).toBeGreaterThan(20);
    expect(checks().length).toBeGreaterThan(200);
  });

  it('give every check a DTO makes a text (validation.<constraint>)', () => {
    const constraints = checks()
      .filter((m) => m.type !== 'nestedValidation' && m.type !== 'conditionalValidation')
      .filter((m) => m.type !== 'whitelistValidation')
      .map((m) => m.name ?? m.type)
      .filter((n) => n !== 'isOptional' && n !== 'isDefined' && n !== 'allow');
    expect(missing(constraints.map((c) => `validation.${c}`))).toEqual([]);
  });

  it('give every field a DTO checks a label (fields.<property>)', () => {
    const properties = checks().map((m) => m.propertyName);
    expect(missing(properties.map((p) => `fields.${p}`))).toEqual([]);
  });
});
