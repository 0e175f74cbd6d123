import type pg from 'pg';

/** A donation to confirm: its id and amount in minor units. */
export type PendingGift = [id: string, amountMinor: number];

/**
 * Inserts `count` PENDING donations straight into the table (the intake API would also open a
 * checkout per gift), filling every NOT NULL column as intake does: distinct donors
 * (`<prefix>-<i>@bench.example.org`), each from its own IP address, created in the last ten
 * minutes, 10.00 to 99.99 yuan.
 */
export async function createPendingDonations(
  side: pg.Client,
  batch: {
    campaignId: string;
    fundId: string;
    currency: string;
    prefix: string;
    from: number;
    count: number;
  },
): Promise<PendingGift[]> {
  const { rows } = await side.query<{ id: string; amount: number }>(
    `INSERT INTO donations (id, campaign_id, fund_id, amount_minor, fee_cover_minor, currency, donor_name,
       donor_email, anonymous, message, dedication, monthly, status, provider, matched_minor,
       refunded_minor, ip, created_at, updated_at)
     SELECT gen_random_uuid(), $1, $2, 1000 + (i * 7919) % 9000, 0, $3, '捐赠人 ' || i,
            $4 || '-' || i || '@bench.example.org', false, '', '', false, 'PENDING', 'SANDBOX', 0,
            0, '10.' || (i / 65536) % 256 || '.' || (i / 256) % 256 || '.' || i % 256,
            now() - (i % 600) * interval '1 second', now()
       FROM generate_series($5::int, $5::int + $6::int - 1) AS i
     RETURNING id, amount_minor::int AS amount`,
    [batch.campaignId, batch.fundId, batch.currency, batch.prefix, batch.from, batch.count],
  );
  return rows.map((r): PendingGift => [r.id, r.amount]);
}
