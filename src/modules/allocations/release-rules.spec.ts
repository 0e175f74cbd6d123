import { say } from '../../common/i18n/i18n';
import type { Role } from '../../common/auth/roles';
import {
  checkApproval,
  nextReleaseStatus,
  type ReleaseAction,
  type ReleaseStatus,
} from './release-rules';

describe('release lifecycle', () => {
  it.each<[ReleaseStatus, ReleaseAction, ReleaseStatus | null]>([
    ['PENDING', 'approve', 'POSTED'],
    ['PENDING', 'reject', 'REJECTED'],
    ['POSTED', 'approve', null],
    ['POSTED', 'reject', null],
    ['REJECTED', 'approve', null],
    ['REJECTED', 'reject', null],
  ])('%s --%s--> %s', (from, action, to) => {
    expect(nextReleaseStatus(from, action)).toBe(to);
  });
});

describe('who may approve a release', () => {
  const who = (userId: string, ...roles: Role[]) => ({ userId, roles });
  it.each<[string, ReturnType<typeof who>, ReturnType<typeof who>, string | null]>([
    ['FINANCE asks, ADMIN approves', who('a', 'FINANCE'), who('b', 'ADMIN'), null],
    ['ADMIN asks, FINANCE approves', who('a', 'ADMIN'), who('b', 'FINANCE'), null],
    [
      'ADMIN asks, another ADMIN approves',
      who('a', 'ADMIN'),
      who('b', 'ADMIN'),
      'SAME_ROLE_APPROVAL',
    ],
    [
      'FINANCE asks, another FINANCE approves',
      who('a', 'FINANCE'),
      who('b', 'FINANCE'),
      'SAME_ROLE_APPROVAL',
    ],
    ['the requester approves', who('a', 'FINANCE'), who('a', 'FINANCE'), 'SELF_APPROVAL'],
    [
      'the requester with both roles approves',
      who('a', 'ADMIN', 'FINANCE'),
      who('a', 'ADMIN', 'FINANCE'),
      'SELF_APPROVAL',
    ],
    ['both roles asks, FINANCE approves', who('a', 'ADMIN', 'FINANCE'), who('b', 'FINANCE'), null],
    [
      'FINANCE asks, a GRANTS_OFFICER approves',
      who('a', 'FINANCE'),
      who('b', 'GRANTS_OFFICER'),
      'SAME_ROLE_APPROVAL',
    ],
    [
      'FINANCE asks, someone with both roles approves',
      who('a', 'FINANCE'),
      who('b', 'ADMIN', 'FINANCE'),
      null,
    ],
  ])('%s', (_what, requester, approver, refusal) => {
    const verdict = checkApproval(requester, approver);
    expect(verdict.allowed ? null : verdict.code).toBe(refusal);
  });

  it('names the role that must approve', () => {
    const verdict = checkApproval(
      { userId: 'a', roles: ['FINANCE'] },
      { userId: 'b', roles: ['FINANCE'] },
    );
    expect(verdict.allowed ? '' : say('en', verdict.words)).toMatch(/an ADMIN user must approve/);
    expect(verdict.allowed ? '' : say('zh-CN', verdict.words)).toContain('须由管理员批准');
  });
});
