import { POLICY_BODY_MAX, policyDraftProblem } from './privacy-policy-draft';

describe('policyDraftProblem', () => {
  it.each([
    [{ bodyZh: '政策', bodyEn: 'Policy' }, null],
    [
      { bodyZh: '', bodyEn: 'Policy' },
      { field: 'bodyZh', reason: 'empty' },
    ],
    [
      { bodyZh: '政策', bodyEn: ' \n\t ' },
      { field: 'bodyEn', reason: 'empty' },
    ],
    [
      { bodyZh: '长'.repeat(POLICY_BODY_MAX + 1), bodyEn: 'x' },
      { field: 'bodyZh', reason: 'tooLong' },
    ],
    [{ bodyZh: `  ${'长'.repeat(POLICY_BODY_MAX)}  `, bodyEn: 'x' }, null],
    [
      { bodyZh: 'x', bodyEn: 'e'.repeat(POLICY_BODY_MAX + 1) },
      { field: 'bodyEn', reason: 'tooLong' },
    ],
  ])('%j → %j', (draft, expected) => expect(policyDraftProblem(draft)).toEqual(expected));
});
