import { TransactionService } from '../../src/database/transaction.service';
import { ConsentService } from '../../src/modules/privacy/policy/consent.service';
import { PrivacyPolicyService } from '../../src/modules/privacy/policy/privacy-policy.service';
import { createUser } from '../factories/accounts.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

describe('privacy policy versions and consent records', () => {
  let t: TestApp;
  let consent: ConsentService;
  let policy: PrivacyPolicyService;
  let tx: TransactionService;
  beforeAll(async () => {
    t = await createTestApp();
    consent = t.get(ConsentService);
    policy = t.get(PrivacyPolicyService);
    tx = t.get(TransactionService);
  });
  afterAll(() => t.close());

  const countPolicies = async () =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM privacy_policies`))[0].n as number;

  it('stamps each consent with the policy version in force, and a new version on later ones', async () => {
    const before = (await policy.current()).version;
    await tx.run((m) =>
      consent.record(m, { subject: ' Mei@Example.CN ', purpose: 'PORTAL_SIGN_IN', locale: 'en' }),
    );
    const admin = await createUser(t, ['ADMIN']);
    const published = await policy.publish(
      '# 新政策\n\n内容',
      '# New policy\r\n\r\nText',
      admin.id,
    );
    expect(published.version).toBe(before + 1);
    expect(published.bodyEn).toBe('# New policy\n\nText');
    expect((await policy.current()).version).toBe(before + 1);
    await tx.run((m) =>
      consent.record(m, { subject: 'mei@example.cn', purpose: 'DONATION', locale: 'zh-CN' }),
    );

    const records = await consent.forSubject('MEI@example.cn');
    expect(records.map((r) => [r.purpose, r.policyVersion, r.locale, r.donationId])).toEqual([
      ['PORTAL_SIGN_IN', before, 'en', null],
      ['DONATION', before + 1, 'zh-CN', null],
    ]);
    expect(records[0]!.createdAt).toBeInstanceOf(Date);

    const audit = await t.dataSource.query(
      `SELECT actor_user_id AS "actorUserId", entity_type AS "entityType", entity_id AS "entityId"
         FROM audit_log WHERE action = 'privacy.policy_published'`,
    );
    expect(audit).toEqual([
      { actorUserId: null, entityType: 'privacy_policy', entityId: String(before + 1) },
    ]);
    const versions = await policy.versions();
    expect(versions.map((v) => v.version)).toEqual([before + 1, before]);
    expect(versions[0]!.publishedBy).toBe(admin.id);
  });

  it('rolls a consent back with the transaction that collected the data', async () => {
    await expect(
      tx.run(async (m) => {
        await consent.record(m, { subject: 'gone@example.cn', purpose: 'DONATION', locale: 'en' });
        throw new Error('the gift failed');
      }),
    ).rejects.toThrow('the gift failed');
    expect(await consent.forSubject('gone@example.cn')).toEqual([]);
  });

  it('refuses a version missing a language or too long, in the reader’s words, writing nothing', async () => {
    const n = await countPolicies();
    await expect(policy.publish('内容', '   ', null)).rejects.toMatchObject({
      code: 'PRIVACY_POLICY_INVALID',
      details: { field: 'bodyEn', reason: 'empty' },
    });
    await expect(policy.publish('', 'Text', null)).rejects.toMatchObject({
      details: { field: 'bodyZh', reason: 'empty' },
    });
    await expect(policy.publish('长'.repeat(20001), 'Text', null)).rejects.toMatchObject({
      details: { field: 'bodyZh', reason: 'tooLong' },
    });
    expect(await countPolicies()).toBe(n);
  });

  it('moves an erased email’s consents to erased:<no>, leaving others alone', async () => {
    await tx.run(async (m) => {
      await consent.record(m, {
        subject: 'erase-me@example.cn',
        purpose: 'DONATION',
        locale: 'en',
      });
      await consent.record(m, {
        subject: 'erase-me@example.cn',
        purpose: 'RECEIPT_TAX',
        locale: 'en',
      });
      await consent.record(m, { subject: 'keep@example.cn', purpose: 'DONATION', locale: 'en' });
      await consent.record(m, { subject: 'evaluator:x1', purpose: 'EVALUATION', locale: 'zh-CN' });
    });
    const [{ no }] = await t.dataSource.query(
      `INSERT INTO erased_people (kind, reason) VALUES ('DONOR', 'REQUEST') RETURNING no`,
    );
    const moved = await tx.run((m) => consent.eraseSubject(m, 'Erase-Me@example.cn', no));
    expect(moved).toBe(2);
    expect(await consent.forSubject('erase-me@example.cn')).toEqual([]);
    expect((await consent.forSubject(`erased:${no}`)).map((r) => r.purpose)).toEqual([
      'DONATION',
      'RECEIPT_TAX',
    ]);
    expect(await consent.forSubject('keep@example.cn')).toHaveLength(1);
    expect(await consent.forSubject('evaluator:x1')).toHaveLength(1);
  });
});
