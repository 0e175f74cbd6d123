import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { FeeProcessor } from '../../src/modules/donations/fee.processor';
import { FundsService } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { SandboxProcessor } from '../../src/modules/payments/sandbox/sandbox-processor';
import type { OutboxMessage } from '../../src/queue/outbox.entity';
import { createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { waitUntil } from '../utils/wait';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * A monthly gift end to end through the sandbox, whose invoices are in the pinned API version's
 * format (no top-level `subscription` / `payment_intent`): the renewal is booked as its own gift
 * with its PaymentIntent, its fee is found, and its refund reaches the provider and comes back.
 */
describe('donations: monthly renewals through the sandbox', () => {
  let t: TestApp;
  let finance: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    await createFoundation(t);
    finance = (await createUser(t, ['FINANCE'])).auth;
  });
  afterAll(() => t.close());

  const gift = (id: string) => t.get(DonationsService).get(id);
  const runFeeJob = async (donationId: string) => {
    const [job] = await t.dataSource.query(
      `SELECT id, kind, payload FROM outbox WHERE dedupe_key = $1`,
      [`donation-fee:${donationId}`],
    );
    await t.get(FeeProcessor).handle(job as OutboxMessage<'DONATION_FEE'>);
  };

  it('books a renewal with its PaymentIntent, its fee, and a refund of it', async () => {
    const campaign = await createCampaign(t);
    const started = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor: 4_000,
        donorName: '月捐人',
        donorEmail: `m-${randomUUID().slice(0, 8)}@example.org`,
        monthly: true,
      },
      {},
    );
    const sandbox = t.get(SandboxProcessor);
    const paid = await sandbox.pay(started.checkoutUrl.split('/').pop()!);
    const first = await gift(started.id);
    expect(first).toMatchObject({
      status: 'SUCCEEDED',
      providerPaymentId: paid.firstPayment!.id,
      providerInvoiceId: paid.firstPayment!.invoiceId,
    });

    const renewal = await sandbox.simulateRenewal(paid.subscriptionId!);
    expect(renewal.status).toBe(200);
    const [row] = await t.dataSource.query(
      `SELECT id FROM donations WHERE parent_donation_id = $1`,
      [started.id],
    );
    expect(row).toBeDefined();
    const renewalId = String(row.id);
    expect(await gift(renewalId)).toMatchObject({
      status: 'SUCCEEDED',
      amountMinor: 4_000,
      providerPaymentId: renewal.paymentId,
      providerInvoiceId: renewal.invoiceId,
    });
    await runFeeJob(renewalId);
    expect((await gift(renewalId)).feeMinor).toBe(24); // 0.6 % in the sandbox

    await request(t.server)
      .post(`/api/v1/donations/${renewalId}/refunds`)
      .set(finance)
      .send({ amountMinor: 4_000 })
      .expect(202);
    await sandbox.idle();
    const refunded = await waitUntil(async () => {
      const d = await gift(renewalId);
      return d.status === 'REFUNDED' ? d : null;
    }, 'the renewal’s charge.refunded to be booked');
    expect(refunded.refundedMinor).toBe(4_000);
    await runFeeJob(started.id);
    expect((await t.get(FundsService).get(campaign.fundId)).balanceMinor).toBe(
      4_000 - 24 + 4_000 - 24 - 4_000,
    );
    expect(await t.get(CampaignsService).totals(campaign.id)).toMatchObject({
      raisedMinor: 4_000,
    });
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });
});
