/** Why a person's data was collected: one consent record per purpose and occasion. */
export const CONSENT_PURPOSES = [
  'DONATION',
  'RECEIPT_TAX',
  'PORTAL_SIGN_IN',
  'EVALUATION',
] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** The consent subject of a resident evaluator: their code's id, never a name. */
export const evaluatorSubject = (codeId: string) => `evaluator:${codeId}`;

/** Emails are stored lower-cased and trimmed, so a subject matches however it was typed. */
export function consentSubject(subject: string): string {
  return subject.trim().toLowerCase();
}
