import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { FeeProcessor } from '../../src/modules/donations/fee.processor';
import { ReconciliationService } from '../../src/modules/donations/reconciliation.service';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { SandboxProcessor } from '../../src/modules/payments/sandbox/sandbox-processor';
import { createUser } from '../factories/accounts.factory';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { waitUntil } from '../utils/wait';
import { createTestApp, type TestApp } from '../utils/test-app';

/** FINANCE's side of gifts: offline gifts and CSV import, refunds, reconciliation, sponsor report. */
describe('donations: finance operations', () => {
  let t: TestApp;
  let finance: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    finance = (await createUser(t, ['FINANCE'])).auth;
  });
  afterAll(() => t.close());

  it('records an offline gift once per reference and imports a CSV with a row-by-row report', async () => {
    const campaign = await createCampaign(t);
    const body = {
      campaignSlug: campaign.slug,
      amountMinor: 50_000,
      donorName: '张伟',
      donorEmail: 'zhang.wei@example.org',
      method: 'BANK',
      reference: 'ICBC-20261120-001',
    };
    const first = await request(t.server)
      .post('/api/v1/donations/offline')
      .set(finance)
      .send(body)
      .expect(201);
    expect(first.body.donation).toMatchObject({
      status: 'SUCCEEDED',
      provider: 'OFFLINE',
      amountMinor: 50_000,
    });
    await request(t.server).post('/api/v1/donations/offline').set(finance).send(body).expect(200);
    const clash = await request(t.server)
      .post('/api/v1/donations/offline')
      .set(finance)
      .send({ ...body, amountMinor: 1 });
    expect(clash.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const csv = [
      'campaign_slug,amount,donor_name,donor_email,method,reference',
      `${campaign.slug},200.00,李娜,li.na@example.org,cash,RB-0001`,
      `${campaign.slug},12.345,王强,wang@example.org,BANK,RB-0002`,
      `no-such-campaign,10.00,赵敏,zhao@example.org,BANK,RB-0003`,
      `${campaign.slug},500.00,张伟,zhang.wei@example.org,BANK,ICBC-20261120-001`,
      `${campaign.slug},30,"孙, 先生",sun@example.org,WIRE,RB-0005`,
    ].join('\n');
    const report = await request(t.server)
      .post('/api/v1/donations/offline/import')
      .set(finance)
      .send({ csv })
      .expect(200);
    expect(report.body).toMatchObject({ recorded: 1, duplicates: 1, errors: 3 });
    expect(report.body.rows.map((r: { row: number; status: string }) => [r.row, r.status])).toEqual(
      [
        [2, 'recorded'],
        [3, 'error'],
        [4, 'error'],
        [5, 'duplicate'],
        [6, 'error'],
      ],
    );
    expect(report.body.rows[1].message).toContain('Use at most two decimals');
    expect(report.body.rows[4].message).toContain('Choose method from the list.');
    // Importing the same file again records nothing new.
    const again = await request(t.server)
      .post('/api/v1/donations/offline/import')
      .set(finance)
      .send({ csv })
      .expect(200);
    expect(again.body).toMatchObject({ recorded: 0, duplicates: 2 });
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(50_000 + 20_000);
  });

  it('repairs a gift whose completion webhook never arrived', async () => {
    const campaign = await createCampaign(t);
    const gift = await t
      .get(DonationsService)
      .start(
        campaign.slug,
        { amountMinor: 3_000, donorName: '捐赠人', donorEmail: 'lost-webhook@example.org' },
        {},
      );
    const sessionId = gift.checkoutUrl.split('/').pop()!;
    // The donor pays; the webhook cannot reach this (not yet listening) test server: it is lost.
    await expect(t.get(SandboxProcessor).pay(sessionId)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    expect((await t.get(DonationsService).get(gift.id)).status).toBe('PENDING');

    const report = await t.get(ReconciliationService).reconcile(new Date(Date.now() - 3_600_000));
    expect(report.repaired).toContain(gift.id);
    expect((await t.get(DonationsService).get(gift.id)).status).toBe('SUCCEEDED');
    // The gift, less the processor's fee once its job (queued by the settlement) has booked it.
    const { feeMinor } = await waitUntil(async () => {
      const d = await t.get(DonationsService).get(gift.id);
      return d.feeMinor !== null ? d : null;
    }, 'the fee job to book the fee');
    expect(feeMinor).toBe(18); // 0.6 % in the sandbox
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(3_000 - 18);
    // Safe to run again: nothing more to repair, nothing booked twice.
    const second = await t.get(ReconciliationService).reconcile(new Date(Date.now() - 3_600_000));
    expect(second.repaired).not.toContain(gift.id);
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(3_000 - 18);
  });

  it('refunds part of a card gift through the provider; its webhook books it and gives back the match share', async () => {
    // From here the server listens, so the sandbox's webhooks reach it as Stripe's would.
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 100_000);
    const campaign = await createCampaign(t);
    await t.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));
    const gift = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor: 10_000,
        donorName: '捐赠人',
        donorEmail: `r-${randomUUID().slice(0, 6)}@example.org`,
      },
      {},
    );
    await t.get(SandboxProcessor).pay(gift.checkoutUrl.split('/').pop()!);
    expect((await t.get(DonationsService).get(gift.id)).status).toBe('SUCCEEDED');

    const refund = await request(t.server)
      .post(`/api/v1/donations/${gift.id}/refunds`)
      .set(finance)
      .send({ amountMinor: 4_000 })
      .expect(202);
    expect(refund.body).toMatchObject({ amountMinor: 4_000, booked: false });
    const tooMuch = await request(t.server)
      .post(`/api/v1/donations/${gift.id}/refunds`)
      .set(finance)
      .send({ amountMinor: 20_000 });
    expect(tooMuch.body.code).toBe('DONATION_NOT_REFUNDABLE');
    const reviewer = (await createUser(t, ['REVIEWER'])).auth;
    await request(t.server)
      .post(`/api/v1/donations/${gift.id}/refunds`)
      .set(reviewer)
      .send({})
      .expect(403);

    // The provider confirms with charge.refunded, delivered to the webhook; the processor's fee
    // (0.6 % in the sandbox) is booked from the fund once its balance transaction is available.
    await t.get(SandboxProcessor).idle();
    await waitUntil(
      async () => (await t.get(DonationsService).get(gift.id)).refundedMinor === 4_000,
      'the refund to be booked',
    );
    // The fee job normally runs in the background; running it here as well makes the test
    // independent of the drainer's timing (it is idempotent: the fee is booked once).
    const [job] = await t.dataSource.query(`SELECT id, payload FROM outbox WHERE dedupe_key = $1`, [
      `donation-fee:${gift.id}`,
    ]);
    await t.get(FeeProcessor).handle(job);
    const donation = await t.get(DonationsService).get(gift.id);
    expect(donation).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedMinor: 4_000,
      matchedMinor: 6_000,
      feeMinor: 60,
    });
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(6_000 + 6_000 - 60);
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(100_000 - 6_000);

    const report = await request(t.server)
      .get(`/api/v1/matching/pools/${pool.id}/report`)
      .set(finance)
      .expect(200);
    expect(report.body).toMatchObject({ balanceMinor: 94_000, matchedMinor: 6_000 });
    expect(report.body.campaigns).toEqual([
      { campaignId: campaign.id, fundId: campaign.fundId, gifts: 1, matchedMinor: 6_000 },
    ]);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('lets the donor stop a monthly gift from the portal', async () => {
    const campaign = await createCampaign(t);
    const email = `monthly-${randomUUID().slice(0, 6)}@example.org`;
    const gift = await t
      .get(DonationsService)
      .start(
        campaign.slug,
        { amountMinor: 2_000, donorName: '月捐人', donorEmail: email, monthly: true },
        {},
      );
    await t.get(SandboxProcessor).pay(gift.checkoutUrl.split('/').pop()!);
    expect(await t.get(DonationsService).get(gift.id)).toMatchObject({
      status: 'SUCCEEDED',
      monthly: true,
    });

    const donorSession = async (address: string) => {
      const browser = formSession(t.server);
      await browser.post('/donor/login', { email: address });
      const [{ url }] = await t.dataSource.query(
        `SELECT payload->'data'->>'url' AS url FROM outbox WHERE payload->>'template' = 'donor-magic-link'
         AND payload->>'to' = $1 ORDER BY created_at DESC LIMIT 1`,
        [address],
      );
      expect(
        (await browser.post('/donor/verify', { token: new URL(url).searchParams.get('token')! }))
          .status,
      ).toBe(303);
      return browser;
    };
    const stranger = await donorSession('someone-else@example.org');
    expect((await stranger.post(`/donor/gifts/${gift.id}/stop-monthly`, {})).status).toBe(404);

    const donor = await donorSession(email);
    const portal = await donor.agent.get('/donor?lang=en').expect(200);
    expect(portal.text).toContain(`/donor/gifts/${gift.id}/stop-monthly`);
    expect((await donor.post(`/donor/gifts/${gift.id}/stop-monthly`, {})).status).toBe(303);
    await t.get(SandboxProcessor).idle();
    const stopped = await waitUntil(async () => {
      const d = await t.get(DonationsService).get(gift.id);
      return d.subscriptionCancelledAt ? d : null;
    }, 'customer.subscription.deleted to be booked');
    expect(stopped.subscriptionCancelledAt).toBeInstanceOf(Date);
    const after = await donor.agent.get('/donor?lang=en').expect(200);
    expect(after.text).not.toContain(`/donor/gifts/${gift.id}/stop-monthly`);
    expect(after.text).toContain('stopped');
    expect((await donor.post(`/donor/gifts/${gift.id}/stop-monthly`, {})).status).toBe(303);
  });
});
