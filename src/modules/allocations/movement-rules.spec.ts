import { say } from '../../common/i18n/i18n';
import { FUND_KINDS, type FundKind } from '../funds/fund-status';
import { checkMovement, MOVEMENT_RULES, type MovementWay } from './movement-rules';

const fund = (kind: FundKind) => ({ kind, code: `F-${kind}` });

describe('movement rules', () => {
  // The documented table, cell by cell (docs/money-and-ledger.md).
  const table: [FundKind, FundKind, MovementWay][] = [
    ['GENERAL', 'GENERAL', 'ALLOCATION'],
    ['GENERAL', 'COMMUNITY', 'ALLOCATION'],
    ['GENERAL', 'PROGRAM', 'ALLOCATION'],
    ['GENERAL', 'MATCHING', 'ALLOCATION'],
    ['COMMUNITY', 'GENERAL', 'RELEASE'],
    ['COMMUNITY', 'COMMUNITY', 'RELEASE'],
    ['COMMUNITY', 'PROGRAM', 'RELEASE'],
    ['COMMUNITY', 'MATCHING', 'NEVER'],
    ['PROGRAM', 'GENERAL', 'RELEASE'],
    ['PROGRAM', 'COMMUNITY', 'RELEASE'],
    ['PROGRAM', 'PROGRAM', 'RELEASE'],
    ['PROGRAM', 'MATCHING', 'NEVER'],
    ['MATCHING', 'GENERAL', 'NEVER'],
    ['MATCHING', 'COMMUNITY', 'NEVER'],
    ['MATCHING', 'PROGRAM', 'NEVER'],
    ['MATCHING', 'MATCHING', 'NEVER'],
  ];

  it('covers every pair of kinds once', () => {
    expect(table).toHaveLength(FUND_KINDS.length ** 2);
  });

  it.each(table)('%s → %s: %s', (from, to, way) => {
    expect(MOVEMENT_RULES[from][to]).toBe(way);
    const byAllocation = checkMovement(fund(from), fund(to), 'ALLOCATION');
    const byRelease = checkMovement(fund(from), fund(to), 'RELEASE');
    expect(byAllocation.allowed).toBe(way === 'ALLOCATION');
    expect(byRelease.allowed).toBe(way === 'RELEASE');
  });

  it.each<[FundKind, FundKind, 'ALLOCATION' | 'RELEASE', string, RegExp]>([
    ['COMMUNITY', 'GENERAL', 'ALLOCATION', 'RELEASE_REQUIRED', /Request a release/],
    ['PROGRAM', 'COMMUNITY', 'ALLOCATION', 'RELEASE_REQUIRED', /restricted fund/],
    ['GENERAL', 'COMMUNITY', 'RELEASE', 'RELEASE_NOT_NEEDED', /no release is needed/],
    ['MATCHING', 'GENERAL', 'ALLOCATION', 'MOVEMENT_NOT_ALLOWED', /only through matches/],
    ['MATCHING', 'PROGRAM', 'RELEASE', 'MOVEMENT_NOT_ALLOWED', /only through matches/],
    ['COMMUNITY', 'MATCHING', 'RELEASE', 'MOVEMENT_NOT_ALLOWED', /sponsor or by the general fund/],
  ])('%s → %s by %s is refused with %s', (from, to, way, code, message) => {
    const verdict = checkMovement(fund(from), fund(to), way);
    expect(verdict).toMatchObject({ allowed: false, code });
    const text = verdict.allowed ? '' : say('en', verdict.words);
    expect(text).toMatch(message);
    expect(text).toContain(`F-${from}`);
    expect(verdict.allowed ? '' : say('zh-CN', verdict.words)).toContain(`F-${from}`);
  });
});
