import {
  checkAwardApproval,
  checkAwardRejection,
  checkTierCapacity,
  isPayoutBlocked,
  isTrancheUnlocked,
  needsSecondApproval,
  nextTrancheStatus,
  parseTargetDays,
  parseTiers,
  parseTrancheSchedule,
  projectStatusAfterInspection,
  projectStatusAfterReport,
  reportAllowed,
  RoundSettingsError,
  shouldCloseProject,
  trancheAmounts,
  type AwardForApproval,
  type UnlockFacts,
} from './award-rules';

const officer = { userId: 'officer', roles: ['GRANTS_OFFICER'] as const };
const finance = { userId: 'finance', roles: ['FINANCE'] as const };
const admin = { userId: 'admin', roles: ['ADMIN'] as const };
const parties = { applicantId: 'planner', reviewerIds: ['reviewer'] };
const proposed = (over: Partial<AwardForApproval> = {}): AwardForApproval => ({
  status: 'PROPOSED',
  proposedBy: 'officer',
  firstApprovedBy: null,
  needsSecondApproval: false,
  ...over,
});

describe('award approval (four eyes)', () => {
  it('lets a different approver approve; one approval completes below the threshold', () => {
    expect(checkAwardApproval(proposed(), finance, parties)).toEqual({
      allowed: true,
      step: 'FIRST',
      complete: true,
    });
  });

  it('needs a second, different approver above the threshold', () => {
    const award = proposed({ needsSecondApproval: true });
    expect(checkAwardApproval(award, finance, parties)).toMatchObject({
      step: 'FIRST',
      complete: false,
    });
    const after = { ...award, firstApprovedBy: 'finance' };
    expect(checkAwardApproval(after, finance, parties)).toMatchObject({
      allowed: false,
      code: 'GRANT_SAME_APPROVER',
    });
    expect(checkAwardApproval(after, admin, parties)).toEqual({
      allowed: true,
      step: 'SECOND',
      complete: true,
    });
  });

  it.each([
    ['the proposer', officer, 'SELF_APPROVAL'],
    [
      'a reviewer',
      { userId: 'reviewer', roles: ['GRANTS_OFFICER'] as const },
      'GRANT_REVIEWER_APPROVAL',
    ],
    ['the applicant', { userId: 'planner', roles: ['ADMIN'] as const }, 'GRANT_APPLICANT_APPROVAL'],
    ['a planner', { userId: 'other', roles: ['PLANNER'] as const }, 'GRANT_APPROVER_ROLE'],
  ])('refuses %s', (_who, person, code) => {
    expect(checkAwardApproval(proposed(), person, parties)).toMatchObject({ allowed: false, code });
    expect(checkAwardRejection(proposed(), person, parties)).toMatchObject({
      allowed: false,
      code,
    });
  });

  it('refuses deciding an award that is not PROPOSED', () => {
    expect(checkAwardApproval(proposed({ status: 'APPROVED' }), finance, parties)).toMatchObject({
      code: 'GRANT_AWARD_NOT_PROPOSED',
    });
    expect(checkAwardRejection(proposed({ status: 'REJECTED' }), finance, parties)).toMatchObject({
      code: 'GRANT_AWARD_NOT_PROPOSED',
    });
  });

  it('asks for a second approval strictly above the threshold', () => {
    expect(needsSecondApproval(100, 100, 200)).toBe(false);
    expect(needsSecondApproval(100, 101, 200)).toBe(true);
  });
});

describe('tiers and tranches', () => {
  it('fills a tier up to its count', () => {
    const tier = { key: 'first', nameZh: '一等', nameEn: 'First', amountMinor: 1, count: 2 };
    expect(checkTierCapacity(tier, 1)).toEqual({ allowed: true });
    expect(checkTierCapacity(tier, 2)).toMatchObject({ allowed: false, code: 'GRANT_TIER_FULL' });
  });

  it('splits construction money by percent, floored, the last taking the remainder', () => {
    const schedule = parseTrancheSchedule([
      { key: 'start', percent: 40, unlock: 'START' },
      { key: 'mid', percent: 40, unlock: 'MIDTERM' },
      { key: 'end', percent: 20, unlock: 'COMPLETION' },
    ]);
    expect(trancheAmounts(1_000_001, schedule)).toEqual([400_000, 400_000, 200_001]);
    expect(
      trancheAmounts(
        333,
        parseTrancheSchedule([
          { key: 'a', percent: 33, unlock: 'AWARD' },
          { key: 'b', percent: 33, unlock: 'START' },
          { key: 'c', percent: 34, unlock: 'COMPLETION' },
        ]),
      ),
    ).toEqual([109, 109, 115]);
    expect(trancheAmounts(0, schedule)).toEqual([]);
  });

  it('unlocks each tranche after its event, never while rectification is required', () => {
    const facts: UnlockFacts = {
      awardStatus: 'APPROVED',
      projectStatus: 'NOT_STARTED',
      startAccepted: false,
      midtermAccepted: false,
    };
    expect(isTrancheUnlocked('AWARD', facts)).toBe(true);
    expect(isTrancheUnlocked('START', facts)).toBe(false);
    expect(isTrancheUnlocked('START', { ...facts, startAccepted: true })).toBe(true);
    expect(isTrancheUnlocked('MIDTERM', { ...facts, startAccepted: true })).toBe(false);
    expect(isTrancheUnlocked('MIDTERM', { ...facts, midtermAccepted: true })).toBe(true);
    // Completed without a midterm report: the midterm money is not stranded.
    expect(isTrancheUnlocked('MIDTERM', { ...facts, projectStatus: 'COMPLETED' })).toBe(true);
    expect(isTrancheUnlocked('MIDTERM', { ...facts, projectStatus: 'IN_PROGRESS' })).toBe(false);
    expect(isTrancheUnlocked('COMPLETION', { ...facts, projectStatus: 'COMPLETED' })).toBe(false);
    expect(isTrancheUnlocked('COMPLETION', { ...facts, projectStatus: 'EVALUATED' })).toBe(true);
    expect(isTrancheUnlocked('AWARD', { ...facts, awardStatus: 'PROPOSED' })).toBe(false);
    expect(isPayoutBlocked('RECTIFICATION_REQUIRED')).toBe(true);
    expect(isPayoutBlocked('IN_PROGRESS')).toBe(false);
  });

  it('moves tranches SCHEDULED → REQUESTED → PAID, or back to SCHEDULED when rejected', () => {
    expect(nextTrancheStatus('SCHEDULED', 'request')).toBe('REQUESTED');
    expect(nextTrancheStatus('REQUESTED', 'pay')).toBe('PAID');
    expect(nextTrancheStatus('REQUESTED', 'reject')).toBe('SCHEDULED');
    expect(nextTrancheStatus('SCHEDULED', 'pay')).toBeNull();
    expect(nextTrancheStatus('PAID', 'request')).toBeNull();
  });

  it('closes an evaluated project once every tranche is paid', () => {
    expect(shouldCloseProject('EVALUATED', ['PAID', 'PAID'])).toBe(true);
    expect(shouldCloseProject('EVALUATED', ['PAID', 'REQUESTED'])).toBe(false);
    expect(shouldCloseProject('COMPLETED', ['PAID'])).toBe(false);
  });
});

describe('reports and inspections', () => {
  it('allows each report kind in its project status', () => {
    expect(reportAllowed('START', 'NOT_STARTED')).toBe(true);
    expect(reportAllowed('MIDTERM', 'NOT_STARTED')).toBe(false);
    expect(reportAllowed('COMPLETION', 'IN_PROGRESS')).toBe(true);
    expect(reportAllowed('RECTIFICATION', 'RECTIFICATION_REQUIRED')).toBe(true);
    expect(reportAllowed('RECTIFICATION', 'IN_PROGRESS')).toBe(false);
  });

  it('starts on an accepted START report and completes on COMPLETION + a passed inspection', () => {
    expect(projectStatusAfterReport('NOT_STARTED', 'START', null)).toBe('IN_PROGRESS');
    expect(projectStatusAfterReport('IN_PROGRESS', 'MIDTERM', null)).toBeNull();
    expect(projectStatusAfterReport('IN_PROGRESS', 'COMPLETION', null)).toBeNull();
    expect(projectStatusAfterReport('IN_PROGRESS', 'COMPLETION', 'FAILED')).toBeNull();
    expect(projectStatusAfterReport('IN_PROGRESS', 'COMPLETION', 'PASSED')).toBe('COMPLETED');
    expect(projectStatusAfterInspection('IN_PROGRESS', 'PASSED', true)).toBe('COMPLETED');
    expect(projectStatusAfterInspection('IN_PROGRESS', 'PASSED', false)).toBeNull();
    expect(projectStatusAfterInspection('IN_PROGRESS', 'FAILED', true)).toBeNull();
  });
});

describe('round settings parser', () => {
  it('reads tiers, schedule and target days and refuses malformed ones', () => {
    expect(
      parseTiers([{ key: 'first', nameZh: '一等奖', nameEn: 'First', amountMinor: 300, count: 3 }]),
    ).toHaveLength(1);
    expect(() => parseTiers([{ key: 'x', amountMinor: -1, count: 1 }])).toThrow(RoundSettingsError);
    expect(() => parseTrancheSchedule([{ key: 'a', percent: 50, unlock: 'AWARD' }])).toThrow(
      RoundSettingsError,
    );
    expect(() => parseTrancheSchedule([{ key: 'a', percent: 100, unlock: 'LATER' }])).toThrow(
      RoundSettingsError,
    );
    expect(parseTargetDays({ review: 10, decision: 5, payment: 5, report: 7 })).toEqual({
      review: 10,
      decision: 5,
      payment: 5,
      report: 7,
    });
    expect(() => parseTargetDays({ review: 10 })).toThrow(RoundSettingsError);
  });
});
