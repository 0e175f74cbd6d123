/** A review's states: assigned to a reviewer, scored and submitted, or recused. Pure. */
export const REVIEW_STATUSES = ['ASSIGNED', 'SUBMITTED', 'RECUSED'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
