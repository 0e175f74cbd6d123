import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { deliver, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';

/** Matching rules set, paused, resumed and ended by staff through /api/v1. */
describe('matching rules API', () => {
  let t: TestApp;
  let finance: { auth: { Authorization: string } };
  let admin: { auth: { Authorization: string } };
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    finance = await createUser(t, ['FINANCE']);
    admin = await createUser(t, ['ADMIN']);
  });
  afterAll(() => t.close());

  const api = () => request(t.server);
  const rulePath = (ref: string) => `/api/v1/campaigns/${ref}/matching-rule`;
  const put = (ref: string, body: object, who = finance) =>
    api().put(rulePath(ref)).set(who.auth).send(body);
  const action = (ref: string, what: string, who = finance) =>
    api()
      .post(`${rulePath(ref)}/${what}`)
      .set(who.auth)
      .send();
  const audit = async (campaignId: string) =>
    (
      await t.dataSource.query(
        `SELECT action FROM audit_log WHERE entity_type = 'campaign' AND entity_id = $1
           AND action LIKE 'matching.%' ORDER BY id`,
        [campaignId],
      )
    ).map((r: { action: string }) => r.action);

  const fundedPool = async (amountMinor = 100_000) => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, amountMinor);
    return pool;
  };

  const give = async (slug: string, amountMinor: number) => {
    const gift = await t.get(DonationsService).start(
      slug,
      {
        amountMinor,
        donorName: '捐赠人',
        donorEmail: `donor-${randomUUID().slice(0, 8)}@example.org`,
      },
      {},
    );
    await deliver(
      t.server,
      stripeEvent(
        `evt_${gift.id}`,
        'checkout.session.completed',
        paidSession(gift.id, amountMinor),
      ),
    ).expect(200);
    return t.get(DonationsService).get(gift.id);
  };

  it('creates, edits, pauses, resumes and ends a rule, audited, with the public page following', async () => {
    const pool = await fundedPool();
    const campaign = await createCampaign(t);
    expect((await api().get(rulePath(campaign.slug)).set(finance.auth)).status).toBe(404);

    const body = { poolFundId: pool.id, mode: 'RATIO', ratioBp: 10_000, capPerGiftMinor: 5_000 };
    const created = await put(campaign.slug, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      campaignId: campaign.id,
      status: 'ACTIVE',
      mode: 'RATIO',
      ratioBp: 10_000,
      minGiftMinor: 1,
      capPerGiftMinor: 5_000,
      totalCapMinor: null,
      matchFeeCover: false,
      matchedMinor: 0,
      currency: 'CNY',
      pool: { id: pool.id, code: pool.code, balanceMinor: 100_000 },
    });
    // The same rule again (a double submit) changes and records nothing.
    const again = await put(campaign.slug, body);
    expect(again.status).toBe(200);
    expect(await audit(campaign.id)).toEqual(['matching.rule_created']);

    expect((await give(campaign.slug, 2_000)).matchedMinor).toBe(2_000);
    const page = await api().get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    expect(page.text).toMatch(/id="matching-active">Every gift is matched at 100%/);

    // Edited by id: half the ratio, a total cap, the fee cover matched.
    const edited = await put(campaign.id, {
      ...body,
      ratioBp: 5_000,
      totalCapMinor: 3_000,
      matchFeeCover: true,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      ratioBp: 5_000,
      totalCapMinor: 3_000,
      matchedMinor: 2_000,
    });
    expect((await give(campaign.slug, 4_000)).matchedMinor).toBe(1_000); // the cap left 1,000

    const paused = await action(campaign.slug, 'pause');
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'PAUSED', active: false });
    expect((await action(campaign.slug, 'pause')).status).toBe(200); // already paused: no-op
    const whilePaused = await api().get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    expect(whilePaused.text).not.toContain('id="matching-active"');
    expect(whilePaused.text).not.toContain('id="matching-exhausted"');
    // Edits keep it paused.
    expect((await put(campaign.slug, { ...body, ratioBp: 5_000 })).body).toMatchObject({
      status: 'PAUSED',
      ratioBp: 5_000,
      totalCapMinor: null,
    });
    expect((await give(campaign.slug, 1_000)).matchedMinor).toBe(0);

    expect((await action(campaign.slug, 'resume', admin)).body).toMatchObject({
      status: 'ACTIVE',
    });
    const matched = await give(campaign.slug, 1_000);
    expect(matched.matchedMinor).toBe(500);

    const ended = await action(campaign.slug, 'end');
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'ENDED', active: false, matchedMinor: 3_500 });
    expect(ended.body.endedAt).toEqual(expect.any(String));
    expect((await action(campaign.slug, 'end')).status).toBe(200); // already ended: no-op
    expect((await give(campaign.slug, 1_000)).matchedMinor).toBe(0);
    const afterEnd = await api().get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    expect(afterEnd.text).not.toContain('id="matching-active"');
    for (const refused of [
      await action(campaign.slug, 'resume'),
      await action(campaign.slug, 'pause'),
      await put(campaign.slug, body),
    ]) {
      expect({ status: refused.status, code: refused.body.code }).toEqual({
        status: 409,
        code: 'MATCHING_RULE_ENDED',
      });
    }

    // Ending keeps the history: the sponsor report, the totals, and give-backs on refunds.
    const report = await api()
      .get(`/api/v1/matching/pools/${pool.id}/report`)
      .set(finance.auth)
      .expect(200);
    expect(report.body).toMatchObject({ matchedMinor: 3_500, balanceMinor: 100_000 - 3_500 });
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      matchedMinor: 3_500,
    });
    await deliver(
      t.server,
      stripeEvent(`evt_r_${matched.id}`, 'charge.refunded', refundedCharge(matched.id, 1_000)),
    ).expect(200);
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(100_000 - 3_000);
    expect((await api().get(rulePath(campaign.slug)).set(finance.auth)).body).toMatchObject({
      status: 'ENDED',
      matchedMinor: 3_000,
    });

    expect(await audit(campaign.id)).toEqual([
      'matching.rule_created',
      'matching.rule_changed',
      'matching.rule_paused',
      'matching.rule_changed',
      'matching.rule_resumed',
      'matching.rule_ended',
    ]);
    const [endRow] = await t.dataSource.query(
      `SELECT actor_label, before, after FROM audit_log WHERE entity_id = $1 AND action = 'matching.rule_ended'`,
      [campaign.id],
    );
    expect(endRow).toMatchObject({
      before: { status: 'ACTIVE', endedAt: null },
      after: { status: 'ENDED', matchedMinor: 3_500 },
    });
    expect(endRow.actor_label).toMatch(/^finance\./);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('answers every invalid field with a message naming it', async () => {
    const pool = await fundedPool();
    const campaign = await createCampaign(t, {
      startsAt: new Date('2026-01-01T00:00:00+08:00'),
      endsAt: new Date('2099-01-01T00:00:00+08:00'),
    });
    const valid = { poolFundId: pool.id, mode: 'RATIO', ratioBp: 10_000 };
    const shape: [object, RegExp][] = [
      [{ ...valid, poolFundId: 'pool' }, /poolFundId must be a matching fund id/],
      [{ ...valid, mode: 'DOUBLE' }, /mode must be RATIO or RANDOM/],
      [{ ...valid, ratioBp: 1.5 }, /ratioBp must be a whole number/],
      [{ ...valid, ratioBp: 0 }, /ratioBp must be at least 1/],
      [{ ...valid, ratioBp: 100_001 }, /ratioBp must be at most 100000/],
      [{ ...valid, ratioBp: '10000' }, /ratioBp must be a whole number/],
      [{ ...valid, capPerGiftMinor: 0 }, /capPerGiftMinor must be greater than zero/],
      [{ ...valid, capPerDonorDayMinor: -5 }, /capPerDonorDayMinor must be greater than zero/],
      [{ ...valid, totalCapMinor: 10.5 }, /totalCapMinor must be a whole number/],
      [{ ...valid, minGiftMinor: '1' }, /minGiftMinor must be a whole number/],
      [{ ...valid, startsAt: 'soon' }, /startsAt must be a date-time/],
      [{ ...valid, matchFeeCover: 'yes' }, /matchFeeCover must be true or false/],
      [{ ...valid, active: false }, /property active should not exist/],
      [{ ...valid, totalCapMinor: null }, /totalCapMinor must not be null/],
    ];
    for (const [body, message] of shape) {
      const res = await put(campaign.slug, body);
      expect({ status: res.status, code: res.body.code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(res.body.message.join(' ')).toMatch(message);
    }

    const community = await createFund(t, { kind: 'PROGRAM' });
    const empty = await createFund(t, { kind: 'MATCHING' });
    const preparing = await t.get(FundsService).create({
      kind: 'MATCHING',
      nameZh: '筹备中的配捐池',
      nameEn: 'Preparing pool',
    });
    const rules: [object, string, string, RegExp][] = [
      [{ ...valid, poolFundId: randomUUID() }, 'poolFundId', 'poolNotFound', /Choose a matching/],
      [{ ...valid, poolFundId: community.id }, 'poolFundId', 'poolNotMatching', /not a sponsor/],
      [{ ...valid, poolFundId: empty.id }, 'poolFundId', 'poolEmpty', /no money/],
      [{ ...valid, poolFundId: preparing.id }, 'poolFundId', 'poolNotActive', /not active/],
      [{ poolFundId: pool.id, mode: 'RATIO' }, 'ratioBp', 'ratioMissing', /Enter the ratio/],
      [
        { poolFundId: pool.id, mode: 'RANDOM', randomMinMinor: 300, randomMaxMinor: 200 },
        'randomMaxMinor',
        'randomOrder',
        /must not be below the smallest/,
      ],
      [
        { poolFundId: pool.id, mode: 'RANDOM', randomMaxMinor: 200 },
        'randomMinMinor',
        'randomMinMissing',
        /smallest random match/,
      ],
      [
        { ...valid, startsAt: '2025-12-31T23:59:00+08:00' },
        'startsAt',
        'startsBeforeCampaign',
        /cannot start before the campaign/,
      ],
      [
        { ...valid, endsAt: '2099-01-02T00:00:00+08:00' },
        'endsAt',
        'endsAfterCampaign',
        /cannot end after the campaign/,
      ],
      [
        { ...valid, startsAt: '2026-03-02T00:00:00+08:00', endsAt: '2026-03-01T00:00:00+08:00' },
        'endsAt',
        'windowOrder',
        /must end after it starts/,
      ],
    ];
    for (const [body, field, problem, message] of rules) {
      const res = await put(campaign.slug, body);
      expect({ status: res.status, code: res.body.code }).toEqual({
        status: 422,
        code: 'INVALID_MATCHING_RULE',
      });
      expect(res.body.details.problems).toEqual([
        { field, problem, message: expect.stringMatching(message) },
      ]);
      expect(res.body.message).toContain(`${field}: `);
    }
    expect(await audit(campaign.id)).toEqual([]);

    // A total cap below what the rule matched already; a rule on an ended campaign.
    await put(campaign.slug, valid).expect(201);
    await give(campaign.slug, 5_000);
    const capped = await put(campaign.slug, { ...valid, totalCapMinor: 4_999 });
    expect(capped.status).toBe(422);
    expect(capped.body.details.problems).toEqual([
      {
        field: 'totalCapMinor',
        problem: 'totalCapBelowMatched',
        message: 'The total cap cannot be below the ¥50.00 this rule has matched already.',
      },
    ]);
    const ended = await createCampaign(t, { status: 'ENDED' });
    const late = await put(ended.slug, valid);
    expect(late.status).toBe(422);
    expect(late.body.details.problems[0]).toMatchObject({ field: 'campaign' });
    expect((await put('no-such-campaign', valid)).status).toBe(404);
  });

  it('lets FINANCE and ADMIN change rules, community leaders read their own campaigns’ only', async () => {
    const pool = await fundedPool();
    const ownFund = await createFund(t, { kind: 'PROGRAM' });
    const own = await createCampaign(t, { fundId: ownFund.id });
    const other = await createCampaign(t);
    const body = { poolFundId: pool.id, mode: 'RATIO', ratioBp: 10_000 };
    await put(own.slug, body).expect(201);
    await put(other.slug, body, admin).expect(201);

    const leader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [ownFund.id] });
    expect((await api().get(rulePath(own.slug)).set(leader.auth)).body).toMatchObject({
      status: 'ACTIVE',
      ratioBp: 10_000,
    });
    expect((await api().get(rulePath(other.slug)).set(leader.auth)).status).toBe(403);
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    expect((await api().get(rulePath(own.slug)).set(officer.auth)).status).toBe(200);
    for (const who of [leader, officer]) {
      expect((await put(own.slug, { ...body, ratioBp: 1 }, who)).status).toBe(403);
      for (const what of ['pause', 'resume', 'end'])
        expect((await action(own.slug, what, who)).status).toBe(403);
    }
    const reviewer = await createUser(t, ['REVIEWER']);
    expect((await api().get(rulePath(own.slug)).set(reviewer.auth)).status).toBe(403);
    expect((await api().get(rulePath(own.slug))).status).toBe(401);
    expect((await api().put(rulePath(own.slug)).send(body)).status).toBe(401);
    expect(await t.get(MatchingService).getRule(own.id)).toMatchObject({
      ratioBp: 10_000,
      active: true,
    });
    expect(await audit(own.id)).toEqual(['matching.rule_created']);
  });

  it('creates one rule from two simultaneous identical submits, audited once', async () => {
    const pool = await fundedPool();
    const campaign = await createCampaign(t);
    const body = { poolFundId: pool.id, mode: 'RATIO', ratioBp: 10_000 };
    const answers = await Promise.all([put(campaign.slug, body), put(campaign.slug, body)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(await audit(campaign.id)).toEqual(['matching.rule_created']);
  });

  it('promises no match on the public page outside the rule’s window', async () => {
    const pool = await fundedPool();
    const campaign = await createCampaign(t);
    const matching = t.get(MatchingService);
    const rule = {
      poolFundId: pool.id,
      mode: 'RATIO' as const,
      ratioBp: 10_000,
      randomMinMinor: null,
      randomMaxMinor: null,
      minGiftMinor: 1,
      capPerGiftMinor: null,
      capPerDonorDayMinor: null,
      totalCapMinor: null,
      active: true,
    };
    const promised = async () =>
      (await api().get(`/campaigns/${campaign.slug}?lang=en`).expect(200)).text.includes(
        'id="matching-active"',
      );
    await matching.setRule(campaign.id, {
      ...rule,
      startsAt: null,
      endsAt: new Date(Date.now() - 1),
    });
    expect(await promised()).toBe(false);
    await matching.setRule(campaign.id, {
      ...rule,
      startsAt: new Date(Date.now() + 86_400_000),
      endsAt: null,
    });
    expect(await promised()).toBe(false);
    await matching.setRule(campaign.id, { ...rule, startsAt: null, endsAt: null });
    expect(await promised()).toBe(true);
  });

  it('documents the routes and the body in OpenAPI', async () => {
    const doc = (await api().get('/api/docs-json').expect(200)).body;
    const path = doc.paths['/api/v1/campaigns/{slug}/matching-rule'];
    expect(Object.keys(path).sort()).toEqual(['get', 'put']);
    for (const what of ['pause', 'resume', 'end'])
      expect(doc.paths[`/api/v1/campaigns/{slug}/matching-rule/${what}`]).toHaveProperty('post');
    const schema = doc.components.schemas.MatchingRuleDto;
    expect(schema.required.sort()).toEqual(['mode', 'poolFundId']);
    expect(schema.properties.ratioBp).toMatchObject({ minimum: 1, maximum: 100_000 });
    expect(schema.properties).toHaveProperty('matchFeeCover');
  });

  it('never overspends the pool while the rule is edited, paused and resumed as gifts settle', async () => {
    const pool = await fundedPool(30_000);
    const spare = await fundedPool(30_000);
    const campaign = await createCampaign(t);
    const body = { poolFundId: pool.id, mode: 'RATIO', ratioBp: 10_000 };
    await put(campaign.slug, body).expect(201);
    const gifts = [];
    for (let i = 0; i < 120; i++)
      gifts.push(
        await t.get(DonationsService).start(
          campaign.slug,
          {
            amountMinor: 1_000,
            donorName: '捐赠人',
            donorEmail: `race-${i}-${randomUUID().slice(0, 6)}@example.org`,
          },
          {},
        ),
      );
    const edits = [
      () => put(campaign.slug, { ...body, ratioBp: 5_000 }),
      () => put(campaign.slug, { ...body, ratioBp: 20_000, capPerGiftMinor: 1_500 }),
      () => action(campaign.slug, 'pause'),
      () => put(campaign.slug, { ...body, poolFundId: spare.id }),
      () => action(campaign.slug, 'resume'),
      () => put(campaign.slug, { ...body, totalCapMinor: 40_000 }),
      () => put(campaign.slug, { ...body, ratioBp: 10_000, matchFeeCover: true }),
      () => put(campaign.slug, { ...body, poolFundId: spare.id, ratioBp: 30_000 }),
    ];
    const statuses: number[] = [];
    const editing = (async () => {
      for (let round = 0; round < 3; round++)
        for (const edit of edits) statuses.push((await edit()).status);
    })();
    for (let i = 0; i < gifts.length; i += 20)
      await Promise.all(
        gifts
          .slice(i, i + 20)
          .map((g) =>
            deliver(
              t.server,
              stripeEvent(
                `evt_race_${g.id}`,
                'checkout.session.completed',
                paidSession(g.id, 1_000),
              ),
            ).expect(200),
          ),
      );
    await editing;
    // Every edit either applied or was refused for a reason (never a 500).
    expect(statuses.every((s) => s === 200 || s === 422)).toBe(true);

    const [sums] = await t.dataSource.query(
      `SELECT coalesce(sum(matched_minor), 0)::int AS matched, count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS settled
       FROM donations WHERE campaign_id = $1`,
      [campaign.id],
    );
    expect(sums.settled).toBe(120);
    const funds = t.get(FundsService);
    const poolLeft = (await funds.get(pool.id)).balanceMinor;
    const spareLeft = (await funds.get(spare.id)).balanceMinor;
    expect(poolLeft).toBeGreaterThanOrEqual(0);
    expect(spareLeft).toBeGreaterThanOrEqual(0);
    expect(sums.matched).toBeGreaterThan(0);
    expect(30_000 - poolLeft + (30_000 - spareLeft)).toBe(sums.matched);
    const rule = await t.get(MatchingService).getRule(campaign.id);
    expect(rule!.matchedMinor).toBe(sums.matched);
    expect(rule!.matchedMinor).toBeLessThanOrEqual(rule!.totalCapMinor ?? Number.MAX_SAFE_INTEGER);
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 120_000,
      matchedMinor: sums.matched,
    });
    // No gift was matched more than any version of the rule allowed (1:3 capped by the pool).
    const [most] = await t.dataSource.query(
      `SELECT max(matched_minor)::int AS most FROM donations WHERE campaign_id = $1`,
      [campaign.id],
    );
    expect(most.most).toBeLessThanOrEqual(3_000);
    // The edits landed between the gifts: they were matched under several versions of the rule.
    const amounts = await t.dataSource.query(
      `SELECT DISTINCT matched_minor::int AS m FROM donations WHERE campaign_id = $1`,
      [campaign.id],
    );
    expect(amounts.length).toBeGreaterThan(2);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });
});
