import { DomainError } from '../../common/errors';
import { say, words, type SupportedLocale, type Words } from '../../common/i18n/i18n';
import type { RuleProblem } from './matching-rule';

/** A rule's problem as Words (`matching.problems.<key>`, amounts as money). */
export function problemWords(problem: RuleProblem, currency: string): Words {
  const vars = Object.fromEntries(
    Object.entries(problem.amounts ?? {}).map(([k, v]) => [k, { amountMinor: v, currency }]),
  );
  return words(`matching.problems.${problem.key}`, vars);
}

/** A rule's problem in words, in the reader's language (amounts as money). */
export function problemText(
  problem: RuleProblem,
  locale: SupportedLocale,
  currency: string,
): string {
  return say(locale, problemWords(problem, currency));
}

export class InvalidMatchingRuleError extends DomainError {
  constructor(
    readonly problems: RuleProblem[],
    readonly currency: string,
  ) {
    super(
      'INVALID_MATCHING_RULE',
      words('errors.matching.invalidRule', {
        problems: problems.map((p) =>
          words('errors.matching.fieldProblem', {
            name: p.field,
            label: words(`fields.${p.field}`),
            problem: problemWords(p, currency),
          }),
        ),
      }),
      {
        problems: problems.map((p) => ({
          field: p.field,
          problem: p.key,
          message: problemText(p, 'en', currency),
        })),
      },
    );
  }
}

export class MatchingRuleEndedError extends DomainError {
  constructor() {
    super('MATCHING_RULE_ENDED', words('errors.matching.ended'));
  }
}

export class MatchingRuleNotFoundError extends DomainError {
  constructor(slug: string) {
    super('MATCHING_RULE_NOT_FOUND', words('errors.matching.notFound', { slug }));
  }
}

/** A rule's pool that is not a MATCHING fund. */
export class NotAMatchingPoolError extends DomainError {
  constructor(code: string, kind: string) {
    super('INVALID_FUND', words('errors.matching.notAPool', { code }), { kind });
  }
}
