import { randomUUID } from 'node:crypto';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { EmailAttachments } from '../../src/modules/notifications/email-attachments';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import type { Receipt } from '../../src/modules/receipts/receipts.types';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { pdfText } from '../utils/pdf-text';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';

/** A received gift gets a numbered receipt, carried by the thank-you; a refund voids and corrects it. */
describe('issuing gift receipts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t, { receiptPrefix: 'LX' });
  });
  afterAll(() => t.close());

  async function paidGift(amountMinor: number, donorName = '张三丰') {
    const campaign = await createCampaign(t);
    const email = `r-${randomUUID().slice(0, 8)}@example.org`;
    const gift = await t
      .get(DonationsService)
      .start(campaign.slug, { amountMinor, donorName, donorEmail: email }, {});
    await deliver(
      t.server,
      stripeEvent(
        `evt_r_${gift.id}`,
        'checkout.session.completed',
        paidSession(gift.id, amountMinor),
      ),
    ).expect(200);
    return { gift, email, campaign };
  }

  const receiptsOf = (donationId: string) => t.get(ReceiptsService).listForDonation(donationId);
  const liveReceipt = (donationId: string) =>
    waitUntil(
      async () => (await receiptsOf(donationId)).find((r) => r.voidedAt === null),
      'a live receipt',
    );

  it('issues LX-<year>-nnnnnn once the gift commits, and the thank-you attaches its PDF', async () => {
    const { gift, email } = await paidGift(123_450);
    const receipt = await liveReceipt(gift.id);
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    expect(receipt).toMatchObject({ kind: 'GIFT', amountMinor: 123_450, donorEmail: email });
    expect(receipt.number).toMatch(new RegExp(`^LX-${year}-\\d{6}$`));

    const thanks = await waitUntil(async () => {
      const [row] = await t.dataSource.query(`SELECT payload FROM outbox WHERE dedupe_key = $1`, [
        `donation-thanks:${gift.id}`,
      ]);
      return row as { payload: { data: Record<string, unknown>; attachments?: unknown[] } };
    }, 'the thank-you');
    expect(thanks.payload.data.receiptNumber).toBe(receipt.number);
    expect(thanks.payload.attachments).toEqual([{ source: 'receipt-pdf', id: receipt.id }]);

    const [pdf] = await t
      .get(EmailAttachments)
      .produce([{ source: 'receipt-pdf', id: receipt.id }]);
    expect(pdf!.filename).toBe(`${receipt.number}.pdf`);
    const text = await pdfText(pdf!.content);
    expect(text).toContain('张三丰');
    expect(text).toContain(receipt.number);
    expect(text).toContain('壹仟贰佰叁拾肆元伍角整');
  });

  it('voids the receipt after a partial refund and issues a correction that names it', async () => {
    const { gift } = await paidGift(10_000);
    const first = await liveReceipt(gift.id);
    await deliver(
      t.server,
      stripeEvent(`evt_rf_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 4_000)),
    ).expect(200);
    const correction = await waitUntil(async () => {
      const live = (await receiptsOf(gift.id)).find((r) => r.voidedAt === null);
      return live && live.id !== first.id ? live : undefined;
    }, 'the correction');
    expect(correction).toMatchObject({
      kind: 'CORRECTION',
      amountMinor: 6_000,
      replacesId: first.id,
    });
    expect(correction.content.replaces?.number).toBe(first.number);
    const voided = (await receiptsOf(gift.id)).find((r) => r.id === first.id) as Receipt;
    expect(voided.voidReason).toBe('PARTIALLY_REFUNDED');

    await deliver(
      t.server,
      stripeEvent(`evt_rf2_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 10_000)),
    ).expect(200);
    await waitUntil(
      async () => (await receiptsOf(gift.id)).every((r) => r.voidedAt !== null),
      'every receipt void',
    );
    const all = await receiptsOf(gift.id);
    expect(all).toHaveLength(2);
    expect(all.find((r) => r.id === correction.id)?.voidReason).toBe('REFUNDED');
  });

  it('numbers a bank transfer recorded after New Year in the year the money arrived', async () => {
    const campaign = await createCampaign(t);
    // Set up before the gift was received (30 December 2025).
    await t.dataSource.query(`UPDATE funds SET created_at = '2025-01-02T00:00:00Z' WHERE id = $1`, [
      campaign.fundId,
    ]);
    const { donation } = await t.get(OfflineGiftsService).record({
      campaignSlug: campaign.slug,
      amountMinor: 20_000,
      donorName: '李建国',
      donorEmail: `bank-${randomUUID().slice(0, 8)}@example.org`,
      method: 'BANK',
      reference: `BANK-${randomUUID().slice(0, 8)}`,
      receivedAt: new Date('2025-12-30T04:00:00Z'),
    });
    expect(donation.succeededAt).toEqual(new Date('2025-12-30T04:00:00Z'));
    const receipt = await liveReceipt(donation.id);
    expect(receipt.number).toMatch(/^LX-2025-\d{6}$/);
    expect(receipt.content.gift?.receivedAt).toBe('2025-12-30T04:00:00.000Z');
  });

  it('refuses to change an issued receipt in the database', async () => {
    const { gift } = await paidGift(5_000);
    const receipt = await liveReceipt(gift.id);
    await expect(
      t.dataSource.query(`UPDATE receipts SET amount_minor = 1 WHERE id = $1`, [receipt.id]),
    ).rejects.toThrow(/cannot change/);
    await expect(
      t.dataSource.query(`DELETE FROM receipts WHERE id = $1`, [receipt.id]),
    ).rejects.toThrow(/cannot be deleted/);
  });
});
