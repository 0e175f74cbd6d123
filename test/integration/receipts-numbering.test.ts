import { randomUUID } from 'node:crypto';
import { RequestContext } from '../../src/common/context/request-context';
import { TransactionService } from '../../src/database/transaction.service';
import type { CampaignView } from '../../src/modules/campaigns/campaigns.types';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { shanghaiYear } from '../../src/modules/receipts/receipt-number';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * Receipt numbers are gapless and unique per year (Asia/Shanghai) under concurrency: 1,000 gifts
 * settled at once, their syncs run by the queue's workers and, at the same time, called directly,
 * get exactly 1..1000; a rolled-back issue gives its number back; the year is Beijing's.
 */
describe('receipt numbering', () => {
  let t: TestApp;
  let campaign: CampaignView;
  const system = { kind: 'system', label: 'test' } as const;
  const GIFTS = 1_000;
  const CONCURRENCY = 24;

  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t, { receiptPrefix: 'NB' });
    campaign = await createCampaign(t);
  });
  afterAll(() => t.close());

  /** Runs `fn` over `items`, `limit` at a time. */
  async function inParallel<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>) {
    const results: R[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        while (next < items.length) {
          const i = next++;
          results[i] = await fn(items[i]!);
        }
      }),
    );
    return results;
  }

  const counter = async (series: string, year: number): Promise<number> => {
    const [row] = await t.dataSource.query(
      `SELECT last_seq FROM receipt_counters WHERE series = $1 AND year = $2`,
      [series, year],
    );
    return (row as { last_seq: number } | undefined)?.last_seq ?? 0;
  };

  /** A gift recorded as received (offline: settled in its own transaction, synced after commit). */
  const recordGift = (email: string, reference: string, amountMinor = 1_000) =>
    RequestContext.run({ actor: system }, () =>
      t.get(OfflineGiftsService).record({
        campaignSlug: campaign.slug,
        amountMinor,
        donorName: '王五',
        donorEmail: email,
        method: 'BANK',
        reference,
      }),
    );

  const liveReceiptOf = (donationId: string) =>
    waitUntil(
      async () =>
        (await t.get(ReceiptsService).listForDonation(donationId)).find((r) => !r.voidedAt),
      `the receipt of ${donationId}`,
    );

  it('numbers 1,000 gifts settling at once 1..1000, without gaps or duplicates', async () => {
    // Donors who chose the annual statement: their thank-yous carry the number but no PDF, so the
    // run measures numbering, not PDF rendering.
    const donors = Array.from({ length: 10 }, (_, i) => `numbering-${i}@example.org`);
    for (const email of donors) {
      await t.dataSource.query(
        `INSERT INTO receipt_preferences (donor_email, mode) VALUES ($1, 'ANNUAL_ONLY')`,
        [email],
      );
    }
    const year = shanghaiYear(new Date());
    const gifts = await inParallel(
      Array.from({ length: GIFTS }, (_, i) => i),
      CONCURRENCY,
      async (i) => (await recordGift(donors[i % donors.length]!, `NUM-${i}`)).donation,
    );
    expect(new Set(gifts.map((g) => g.id)).size).toBe(GIFTS);
    // The queue's workers sync them as they commit; these direct calls race with them.
    await inParallel(gifts, CONCURRENCY, (g) => t.get(ReceiptsService).syncGift(g.id));
    await waitUntil(
      async () => {
        const [row] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox WHERE kind = 'RECEIPT_SYNC' AND status <> 'SENT'`,
        );
        return (row as { n: number }).n === 0;
      },
      'every RECEIPT_SYNC job done',
      { timeoutMs: 60_000 },
    );

    const rows: { seq: number; number: string; donation_id: string; year: number }[] =
      await t.dataSource.query(
        `SELECT seq, number, donation_id, year FROM receipts WHERE series = 'GIFT' ORDER BY seq`,
      );
    expect(rows).toHaveLength(GIFTS);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: GIFTS }, (_, i) => i + 1));
    expect(rows.every((r) => r.year === year)).toBe(true);
    expect(new Set(rows.map((r) => r.number)).size).toBe(GIFTS);
    expect(rows[0]!.number).toBe(`NB-${year}-000001`);
    expect(rows.at(-1)!.number).toBe(`NB-${year}-001000`);
    // One receipt per gift: each of the 1,000 gifts, none twice.
    expect(new Set(rows.map((r) => r.donation_id))).toEqual(new Set(gifts.map((g) => g.id)));
    expect(await counter('GIFT', year)).toBe(GIFTS);
  }, 180_000);

  it('gives a rolled-back issue’s number back: the next receipt takes it', async () => {
    const year = shanghaiYear(new Date());
    const before = await counter('GIFT', year);
    // A gift not received yet: inserting its receipt by hand, then rolling back.
    const pending = await t
      .get(DonationsService)
      .start(
        campaign.slug,
        { amountMinor: 2_000, donorName: '赵六', donorEmail: 'rollback@example.org' },
        {},
      );
    let taken = 0;
    await expect(
      t.get(TransactionService).run(async (m) => {
        const receipt = await t.get(ReceiptsService).insertNumbered(m, {
          series: 'GIFT',
          year,
          kind: 'GIFT',
          issueKey: `test:rolled-back:${randomUUID()}`,
          donationId: pending.id,
          replacesId: null,
          donorEmail: 'rollback@example.org',
          amountMinor: 2_000,
          currency: 'CNY',
          locale: 'zh-CN',
          content: {
            version: 1,
            ...(await t.get(ReceiptsService).issuerContent(m)),
            donor: { name: '赵六', address: null, taxId: null },
          },
        });
        taken = receipt.seq;
        throw new Error('the gift’s transaction failed');
      }),
    ).rejects.toThrow('the gift’s transaction failed');
    expect(taken).toBe(before + 1);
    expect(await counter('GIFT', year)).toBe(before);

    const { donation } = await recordGift('after-rollback@example.org', `ROLLBACK-${randomUUID()}`);
    const receipt = await liveReceiptOf(donation.id);
    expect(receipt.seq).toBe(before + 1);
    expect(await counter('GIFT', year)).toBe(before + 1);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM receipts WHERE donation_id = $1`,
      [pending.id],
    );
    expect(n).toBe(0);
  });

  it('numbers a gift in the year it was received in Beijing time', async () => {
    /** A gift received at `at` (set in the database before its receipt is synced). */
    async function receivedAt(at: string) {
      const gift = await t
        .get(DonationsService)
        .start(
          campaign.slug,
          { amountMinor: 3_000, donorName: '孙七', donorEmail: 'boundary@example.org' },
          {},
        );
      await t.dataSource.query(
        `UPDATE donations SET status = 'SUCCEEDED', succeeded_at = $2 WHERE id = $1`,
        [gift.id, at],
      );
      return gift.id;
    }
    const lastOf2026 = await receivedAt('2026-12-31T15:59:59Z'); // 23:59:59 on 31 Dec in Beijing
    const firstOf2027 = await receivedAt('2026-12-31T16:00:00Z'); // 00:00:00 on 1 Jan in Beijing
    const before2026 = await counter('GIFT', 2026);
    const before2027 = await counter('GIFT', 2027);

    expect(await t.get(ReceiptsService).syncGift(lastOf2026)).toBe('issued');
    expect(await t.get(ReceiptsService).syncGift(firstOf2027)).toBe('issued');
    const [r2026] = await t.get(ReceiptsService).listForDonation(lastOf2026);
    const [r2027] = await t.get(ReceiptsService).listForDonation(firstOf2027);
    expect(r2026).toMatchObject({ year: 2026, seq: before2026 + 1 });
    expect(r2026!.number).toBe(`NB-2026-${String(before2026 + 1).padStart(6, '0')}`);
    expect(r2027).toMatchObject({ year: 2027, seq: before2027 + 1 });
    expect(r2027!.number).toBe(`NB-2027-${String(before2027 + 1).padStart(6, '0')}`);
    expect(shanghaiYear(new Date('2026-12-31T15:59:59.999Z'))).toBe(2026);
    expect(shanghaiYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027);
  });
});
