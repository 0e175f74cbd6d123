import { getMetadataStorage, type ValidationError } from 'class-validator';
import { hasText, translate, words, type SupportedLocale, type Words } from './i18n';

/*
 * What a failed class-validator check says, in the reader's language.
 *
 * A check's message is a locale key (`validation.fundId`, `admin.errors.amount`) or, for a few
 * API-only checks, English written for API clients, which an English API answer keeps. Every
 * reader gets the locale text: the message's key, the key a decorator names in its
 * `context: { key }`, else the check's own (`validation.<constraint>`), with the field's label
 * (`fields.<property>`) and the check's limits as values: "捐赠人邮箱须是邮箱地址，例如 name@example.com".
 */

/** One failed check: where, which check, its English message and its limits. */
export interface Problem {
  /** The property path: `donorEmail`, `tranches.0.amountMinor`. */
  field: string;
  /** The last property name: what `fields.<property>` labels. */
  property: string;
  constraint: string;
  /** The DTO's own (English, API) message. */
  message: string;
  /** The locale key a decorator chose (`context: { key }`), if any. */
  key?: string;
  /** The check's arguments (a length, a list of allowed values…). */
  limits: readonly unknown[];
}

/** Every failed check in a tree of class-validator errors, first problem per property first. */
export function problemsOf(errors: readonly ValidationError[], prefix = ''): Problem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([constraint, message]): Problem => ({
      field,
      property: e.property,
      constraint,
      message: hasText(message) ? message : message.replace(e.property, field),
      key: contextKey(e.contexts?.[constraint]),
      limits: limitsOf(e.target, e.property, constraint),
    }));
    return [...own, ...problemsOf(e.children ?? [], field)];
  });
}

function contextKey(context: unknown): string | undefined {
  const key = (context as { key?: unknown } | undefined)?.key;
  return typeof key === 'string' ? key : undefined;
}

/** The arguments the decorator was given (Length(1, 200) → [1, 200]), read from its metadata. */
function limitsOf(target: object | undefined, property: string, constraint: string): unknown[] {
  if (!target) return [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    target.constructor,
    '',
    true,
    false,
  );
  const found = metadata.find((m) => m.propertyName === property && m.name === constraint);
  return found?.constraints ?? [];
}

/** A field's name as the reader knows it: `fields.<property>`, else the property itself. */
export function fieldLabel(locale: SupportedLocale, property: string): string {
  const key = `fields.${property}`;
  const text = translate(locale, key);
  return text === key ? property : text;
}

/**
 * A problem in the reader's words. `api` English readers get the DTO's message (field names as
 * the API spells them); everyone else the locale text.
 */
export function problemText(
  problem: Problem,
  locale: SupportedLocale,
  audience: 'api' | 'page',
): string {
  const ownKey = hasText(problem.message) ? problem.message : undefined;
  if (audience === 'api' && locale === 'en' && !ownKey && !problem.key) return problem.message;
  const key = problem.key ?? ownKey ?? `validation.${problem.constraint}`;
  const [first, second] = problem.limits;
  const list = (v: unknown): string =>
    Array.isArray(v)
      ? v.map((x) => list(x)).join(locale === 'en' ? ', ' : '、')
      : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : '';
  // English API clients read fields as the API spells them (`tranches.0.amountMinor`).
  const englishApi = audience === 'api' && locale === 'en';
  const text = translate(locale, key, {
    field: englishApi ? problem.field : fieldLabel(locale, problem.property),
    limit: list(first),
    limit2: list(second),
  });
  // A check the locale files do not know yet: its English message rather than a bare key.
  return text === key ? problem.message : text;
}

/**
 * A problem as Words, for a domain error that carries failed checks (a CSV row): the check's
 * text with the field's label (or, `byName`, the field as the data names it), shown later in
 * whichever language the reader reads.
 */
export function problemWords(problem: Problem, byName = false): Words {
  const ownKey = hasText(problem.message) ? problem.message : undefined;
  const key = problem.key ?? ownKey ?? `validation.${problem.constraint}`;
  const label = `fields.${problem.property}`;
  const [first, second] = problem.limits;
  const plain = (v: unknown): unknown =>
    Array.isArray(v) || typeof v === 'string' || typeof v === 'number' ? v : '';
  return words(key, {
    field: byName || !hasText(label) ? problem.field : words(label),
    limit: plain(first),
    limit2: plain(second),
  });
}
