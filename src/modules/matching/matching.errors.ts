import { DomainError } from '../../common/errors';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { formatMoney } from '../../common/money';
import type { RuleProblem } from './matching-rule';

/** A rule's problem in words, in the reader's language (amounts as money). */
export function problemText(
  problem: RuleProblem,
  locale: SupportedLocale,
  currency: string,
): string {
  const vars = Object.fromEntries(
    Object.entries(problem.amounts ?? {}).map(([k, v]) => [k, formatMoney(v, currency, locale)]),
  );
  return translate(locale, `matching.problems.${problem.key}`, vars);
}

export class InvalidMatchingRuleError extends DomainError {
  constructor(
    readonly problems: RuleProblem[],
    readonly currency: string,
  ) {
    super(
      'INVALID_MATCHING_RULE',
      problems.map((p) => `${p.field}: ${problemText(p, 'en', currency)}`).join(' '),
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
    super(
      'MATCHING_RULE_ENDED',
      'This matching rule has ended: it cannot be edited or resumed. Its matches and report stay.',
    );
  }
}

export class MatchingRuleNotFoundError extends DomainError {
  constructor(slug: string) {
    super('MATCHING_RULE_NOT_FOUND', `Campaign ${slug} has no matching rule.`);
  }
}

/** A rule's pool that is not a MATCHING fund. */
export class NotAMatchingPoolError extends DomainError {
  constructor(code: string, kind: string) {
    super('INVALID_FUND', `Fund ${code} is ${kind}; a matching rule draws on a MATCHING fund.`);
  }
}
