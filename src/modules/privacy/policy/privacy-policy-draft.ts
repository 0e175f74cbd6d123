/** What a policy version must be before it is published. Pure. */

/** The table's CHECK on each language's text (trimmed). */
export const POLICY_BODY_MAX = 20000;

export interface PolicyDraft {
  bodyZh: string;
  bodyEn: string;
}

/** Which language of a draft is refused, and why (pure: the form shows it beside its field). */
export function policyDraftProblem(
  draft: PolicyDraft,
): { field: 'bodyZh' | 'bodyEn'; reason: 'empty' | 'tooLong' } | null {
  for (const field of ['bodyZh', 'bodyEn'] as const) {
    const text = (draft[field] ?? '').trim();
    if (text.length === 0) return { field, reason: 'empty' };
    if (text.length > POLICY_BODY_MAX) return { field, reason: 'tooLong' };
  }
  return null;
}
