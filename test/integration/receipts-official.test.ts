import { randomUUID } from 'node:crypto';
import { DonationsService } from '../../src/modules/donations/donations.service';
import {
  OfficialReceipts,
  type OfficialReceiptPlatform,
} from '../../src/modules/receipts/official/official-receipts';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import type { Receipt } from '../../src/modules/receipts/receipts.types';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * The official e-receipt seam: with no platform configured nothing is asked; with one, each new
 * receipt asks it (retried while it fails) and keeps its number and link, once.
 */
describe('the official e-receipt seam', () => {
  let t: TestApp;
  const asked: string[] = [];
  let failuresLeft = 0;
  const platform: OfficialReceiptPlatform = {
    name: 'test-platform',
    request(receipt: Receipt) {
      asked.push(receipt.number);
      if (failuresLeft > 0) {
        failuresLeft--;
        return Promise.reject(new Error('the platform is down'));
      }
      return Promise.resolve({
        number: `OFFICIAL-${receipt.number}`,
        url: `https://einvoice.example.gov.cn/r/${receipt.number}`,
      });
    },
  };

  beforeAll(async () => {
    await createFileDatabase();
    t = await startConfiguredApp({
      queue: { prefix: fileQueuePrefix(), pollMs: 100, backoffMs: 50 },
    });
    await t.app.init();
    await createFoundation(t);
  });
  afterAll(async () => {
    await t.close();
    await dropFileDatabase();
  });

  async function receivedGift(): Promise<Receipt> {
    const campaign = await createCampaign(t);
    const gift = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor: 8_800,
        donorName: '王芳',
        donorEmail: `o-${randomUUID().slice(0, 8)}@example.org`,
      },
      {},
    );
    await deliver(
      t.server,
      stripeEvent(`evt_o_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 8_800)),
    ).expect(200);
    return waitUntil(
      async () => (await t.get(ReceiptsService).listForDonation(gift.id))[0],
      'the receipt',
    );
  }

  it('asks nothing when no platform is configured', async () => {
    const receipt = await receivedGift();
    const jobs = await t.dataSource.query(`SELECT id FROM outbox WHERE dedupe_key = $1`, [
      `official-receipt:${receipt.id}`,
    ]);
    expect(jobs).toEqual([]);
    expect(receipt.officialNumber).toBeNull();
  });

  it('stores the official number and link, asking again while the platform fails', async () => {
    t.get(OfficialReceipts).use(platform);
    failuresLeft = 2;
    try {
      const receipt = await receivedGift();
      const done = await waitUntil(async () => {
        const now = await t.get(ReceiptsService).get(receipt.id);
        return now.officialNumber ? now : undefined;
      }, 'the official number');
      expect(done.officialNumber).toBe(`OFFICIAL-${receipt.number}`);
      expect(done.officialUrl).toBe(`https://einvoice.example.gov.cn/r/${receipt.number}`);
      expect(asked.filter((n) => n === receipt.number)).toHaveLength(3);
      // Recorded once: the database refuses a second official number.
      await expect(
        t.dataSource.query(`UPDATE receipts SET official_number = 'X' WHERE id = $1`, [receipt.id]),
      ).rejects.toThrow(/already has its official e-receipt/);
    } finally {
      t.get(OfficialReceipts).use(null);
    }
  });
});
