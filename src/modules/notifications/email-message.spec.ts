import { DomainError } from '../../common/errors';
import {
  emailMessageProblems,
  parseEmailPayload,
  toEmailPayload,
  type EmailMessage,
} from './email-message';

const invite: EmailMessage = {
  template: 'user-invite',
  to: 'li.wei@example.org',
  locale: 'zh-CN',
  data: {
    inviteeName: '李伟',
    inviterName: 'Admin',
    url: 'https://give.example.org/invite/abc',
    expiresAt: new Date('2026-12-01T08:00:00Z'),
  },
};

describe('email messages', () => {
  it('turns a valid message into a JSON payload, dates as ISO strings', () => {
    expect(toEmailPayload({ ...invite, dedupeKey: 'invite:1' })).toEqual({
      template: 'user-invite',
      to: 'li.wei@example.org',
      locale: 'zh-CN',
      data: { ...invite.data, expiresAt: '2026-12-01T08:00:00.000Z' },
    });
  });

  it.each([
    [{ template: 'nope' }, 'template must be one of user-invite, password-reset'],
    [{ to: 'not an address' }, 'to must be one email address'],
    [{ to: 'a@b.org, c@d.org' }, 'to must be one email address'],
    [{ locale: 'fr' }, 'locale must be one of zh-CN, en'],
    [{ data: { ...invite.data, inviterName: '' } }, 'data.inviterName is required'],
    [{ data: { ...invite.data, url: 'javascript:alert(1)' } }, 'data.url must be an http(s) URL'],
    [{ data: { ...invite.data, expiresAt: 'soon' } }, 'data.expiresAt must be a date'],
    [{ data: [] }, 'data must be an object'],
  ])('refuses %j', (change, problem) => {
    const message = { ...invite, ...change } as EmailMessage;
    expect(emailMessageProblems(message).join('; ')).toContain(problem);
    expect(() => toEmailPayload(message)).toThrow(DomainError);
  });

  it('refuses an over-long dedupe key', () => {
    expect(() => toEmailPayload({ ...invite, dedupeKey: 'k'.repeat(201) })).toThrow(
      /dedupeKey must be 1 to 200 characters/,
    );
  });

  it('lets the test template carry anything', () => {
    expect(emailMessageProblems({ ...invite, template: 'test', data: { note: 1 } })).toEqual([]);
  });

  it('refuses a stored payload that no longer validates', () => {
    expect(() => parseEmailPayload({ ...invite, template: 'gone' })).toThrow(
      /invalid email payload/,
    );
  });
});
