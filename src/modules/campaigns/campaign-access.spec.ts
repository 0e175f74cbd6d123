import type { Role } from '../../common/auth/roles';
import type { Actor } from '../../common/context/request-context';
import {
  actorUserId,
  assertCampaignAccess,
  campaignAccess,
  type CampaignAccess,
} from './campaign-access';

const FUND = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

const user = (roles: Role[], fundIds: string[] = []): Actor => ({
  kind: 'user',
  userId: 'u1',
  email: 'u1@example.org',
  name: 'U',
  roles,
  fundIds,
  communityIds: [],
  via: 'session',
});

const system: Actor = { kind: 'system', label: 'cli' };
const donor: Actor = { kind: 'donor', email: 'd@example.org', sessionId: 's' };
const leader = user(['COMMUNITY_LEADER'], [FUND]);

describe('campaign access', () => {
  const edit: CampaignAccess = { action: 'edit', fundId: FUND };
  const editOther: CampaignAccess = { action: 'edit', fundId: OTHER };
  const publish: CampaignAccess = { action: 'publish' };
  const seeDraft: CampaignAccess = { action: 'see-draft', fundId: FUND };
  const listDrafts: CampaignAccess = { action: 'list-drafts' };

  // actor, access, allowed, editor kind
  const cases: [string, Actor | undefined, CampaignAccess, boolean, string | undefined][] = [
    ['the CLI edits', system, edit, true, 'staff'],
    ['ADMIN edits', user(['ADMIN']), edit, true, 'staff'],
    ['GRANTS_OFFICER edits', user(['GRANTS_OFFICER']), edit, true, 'staff'],
    ['a leader edits their fund', leader, edit, true, 'leader'],
    ['a leader edits another fund', leader, editOther, false, undefined],
    ['a REVIEWER edits', user(['REVIEWER']), edit, false, undefined],
    ['nobody edits', undefined, edit, false, undefined],
    ['a donor edits', donor, edit, false, undefined],
    ['FINANCE publishes', user(['FINANCE']), publish, true, undefined],
    ['the CLI publishes', system, publish, true, undefined],
    ['GRANTS_OFFICER publishes', user(['GRANTS_OFFICER']), publish, false, undefined],
    ['a leader publishes', leader, publish, false, undefined],
    ['a leader sees their draft', leader, seeDraft, true, 'leader'],
    ['nobody sees a draft', undefined, seeDraft, false, undefined],
    ['staff list drafts', user(['ADMIN']), listDrafts, true, undefined],
    ['a leader lists drafts', leader, listDrafts, true, undefined],
    ['a donor lists drafts', donor, listDrafts, false, undefined],
  ];

  it.each(cases)('%s', (_name, actor, access, allowed, editor) => {
    const answer = campaignAccess(actor, access);
    expect(answer.allowed).toBe(allowed);
    expect(answer.allowed ? answer.editor : undefined).toBe(editor);
  });

  it('scopes a leader’s drafts to their funds; staff to none', () => {
    expect(campaignAccess(leader, listDrafts)).toEqual({ allowed: true, fundIds: [FUND] });
    expect(campaignAccess(user(['ADMIN']), listDrafts)).toEqual({ allowed: true });
  });

  it.each([
    ['a signed-in user', leader, 'FORBIDDEN'],
    ['nobody', undefined, 'UNAUTHENTICATED'],
    ['a donor', donor, 'UNAUTHENTICATED'],
  ] as const)('refuses %s with %s', (_name, actor, code) => {
    expect(() => assertCampaignAccess(actor, publish)).toThrow(
      expect.objectContaining({ code }) as Error,
    );
  });

  it.each([
    [user(['ADMIN']), 'u1'],
    [system, null],
    [undefined, null],
  ] as const)('names the creator: %j → %s', (actor, id) => {
    expect(actorUserId(actor)).toBe(id);
  });
});
