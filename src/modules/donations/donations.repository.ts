import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows, rowsOf } from '../../database/query-result';
import { toSafeInteger } from '../../common/money';
import { col, defineTable, type RowOf } from '../../database/table-map';
import type { TransactionOptions } from '../../database/transaction.service';
import type { SupportedLocale } from '../../common/i18n/i18n';
import type { DonationStatus } from './donation-status';
import type { Donation, DonorKind } from './donations.types';

/** What a donor link is for: stopping a monthly gift (emails), or the form again after checkout. */
export type DonorLinkPurpose = 'STOP_MONTHLY' | 'RETURN_TO_FORM';

/** The donations table, mapped once: SELECT list, typed rows, columns for patches. */
export const DONATIONS = defineTable('donations', {
  id: col.uuid('id'),
  campaignId: col.uuid.nullable('campaign_id'),
  fundId: col.uuid('fund_id'),
  amountMinor: col.bigint('amount_minor'),
  feeCoverMinor: col.bigint('fee_cover_minor'),
  currency: col.char('currency'),
  donorName: col.text('donor_name'),
  donorEmail: col.text.nullable('donor_email'),
  donorKind: col.text<DonorKind>('donor_kind'),
  anonymous: col.bool('anonymous'),
  message: col.text('message'),
  dedication: col.text('dedication'),
  monthly: col.bool('monthly'),
  locale: col.text<SupportedLocale>('locale'),
  status: col.text<DonationStatus>('status'),
  provider: col.text<Donation['provider']>('provider'),
  providerSessionId: col.text.nullable('provider_session_id'),
  providerPaymentId: col.text.nullable('provider_payment_id'),
  providerSubscriptionId: col.text.nullable('provider_subscription_id'),
  providerInvoiceId: col.text.nullable('provider_invoice_id'),
  providerChargeId: col.text.nullable('provider_charge_id'),
  providerDisputeId: col.text.nullable('provider_dispute_id'),
  disputeHeldMinor: col.bigint('dispute_held_minor'),
  disputeFeeMinor: col.bigint('dispute_fee_minor'),
  parentDonationId: col.uuid.nullable('parent_donation_id'),
  checkoutUrl: col.text.nullable('checkout_url'),
  checkoutQr: col.text.nullable('checkout_qr'),
  checkoutInvoke: col.jsonb.nullable<Record<string, string>>('checkout_invoke'),
  feeMinor: col.bigint.nullable('fee_minor'),
  matchedMinor: col.bigint('matched_minor'),
  matchReturnedMinor: col.bigint('match_returned_minor'),
  refundedMinor: col.bigint('refunded_minor'),
  paymentFingerprint: col.text.nullable('payment_fingerprint'),
  matchWithheldReason: col.text.nullable<'VELOCITY'>('match_withheld_reason'),
  matchReleasedAt: col.timestamptz.nullable('match_released_at'),
  ip: col.text.nullable('ip'),
  receiptAddress: col.text.nullable('receipt_address'),
  receiptTaxId: col.text.nullable('receipt_tax_id'),
  createdAt: col.timestamptz('created_at'),
  succeededAt: col.timestamptz.nullable('succeeded_at'),
  subscriptionCancelledAt: col.timestamptz.nullable('subscription_cancelled_at'),
  updatedAt: col.timestamptz('updated_at'),
});

const COLUMNS = DONATIONS.select();

/** Why each refund was made (donation_refunds): one row per refund request. */
export const DONATION_REFUNDS = defineTable('donation_refunds', {
  id: col.uuid('id'),
  donationId: col.uuid('donation_id'),
  amountMinor: col.bigint('amount_minor'),
  currency: col.char('currency'),
  reason: col.text('reason'),
  refundRef: col.text('refund_ref'),
  requestedBy: col.uuid.nullable('requested_by'),
  createdAt: col.timestamptz('created_at'),
});

export type DonationRefund = RowOf<typeof DONATION_REFUNDS>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toDonation(row: Record<string, unknown>): Donation {
  return DONATIONS.map(row);
}

export type DonationPatch = Partial<
  Pick<
    Donation,
    | 'status'
    | 'providerSessionId'
    | 'providerPaymentId'
    | 'providerSubscriptionId'
    | 'providerInvoiceId'
    | 'providerChargeId'
    | 'providerDisputeId'
    | 'disputeHeldMinor'
    | 'disputeFeeMinor'
    | 'checkoutUrl'
    | 'checkoutQr'
    | 'checkoutInvoke'
    | 'feeMinor'
    | 'matchedMinor'
    | 'matchReturnedMinor'
    | 'refundedMinor'
    | 'succeededAt'
    | 'paymentFingerprint'
    | 'matchWithheldReason'
    | 'matchReleasedAt'
  >
>;

/** The only place that queries donations. */
@Injectable()
export class DonationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    d: Pick<
      Donation,
      | 'campaignId'
      | 'fundId'
      | 'amountMinor'
      | 'feeCoverMinor'
      | 'currency'
      | 'donorName'
      | 'donorEmail'
      | 'anonymous'
      | 'message'
      | 'dedication'
      | 'monthly'
      | 'provider'
      | 'ip'
    > & {
      status?: Donation['status'];
      locale?: Donation['locale'];
      parentDonationId?: string;
      providerSubscriptionId?: string;
      providerPaymentId?: string;
      providerInvoiceId?: string;
      receiptAddress?: string | null;
      receiptTaxId?: string | null;
      donorKind?: DonorKind;
    },
  ): Promise<Donation> {
    const rows = await manager.query(
      `INSERT INTO donations (campaign_id, fund_id, amount_minor, fee_cover_minor, currency, donor_name, donor_email,
         anonymous, message, dedication, monthly, provider, ip, status, parent_donation_id, provider_subscription_id,
         provider_payment_id, locale, provider_invoice_id, receipt_address, receipt_tax_id, donor_kind)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
       RETURNING ${COLUMNS}`,
      [
        d.campaignId,
        d.fundId,
        d.amountMinor,
        d.feeCoverMinor,
        d.currency,
        d.donorName,
        d.donorEmail,
        d.anonymous,
        d.message,
        d.dedication,
        d.monthly,
        d.provider,
        d.ip,
        d.status ?? 'PENDING',
        d.parentDonationId ?? null,
        d.providerSubscriptionId ?? null,
        d.providerPaymentId ?? null,
        d.locale ?? 'zh-CN',
        d.providerInvoiceId ?? null,
        d.receiptAddress || null,
        d.receiptTaxId || null,
        d.donorKind ?? 'PERSON',
      ],
    );
    return toDonation(rows[0]);
  }

  /** Records why a refund was made; the same refund (by its reference) is kept once. */
  async insertRefund(
    manager: EntityManager,
    r: Omit<DonationRefund, 'id' | 'createdAt'>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO donation_refunds (donation_id, amount_minor, currency, reason, refund_ref, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (refund_ref) DO NOTHING`,
      [r.donationId, r.amountMinor, r.currency, r.reason, r.refundRef, r.requestedBy],
    );
  }

  /**
   * Records one refund a provider reported on its own (WeChat Pay), once per (gift, refund
   * reference), in the caller's transaction; false when it was recorded before.
   */
  async insertPaymentRefund(
    manager: EntityManager,
    donationId: string,
    refund: { ref: string; amountMinor: number },
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO payment_refunds (donation_id, refund_ref, amount_minor) VALUES ($1, $2, $3)
       ON CONFLICT (donation_id, refund_ref) DO NOTHING RETURNING donation_id`,
      [donationId, refund.ref, refund.amountMinor],
    );
    return rows.length > 0;
  }

  /** The sum of the refunds a provider reported one by one for a gift. */
  async paymentRefundsTotal(manager: EntityManager, donationId: string): Promise<number> {
    const rows: { total: string }[] = await manager.query(
      `SELECT COALESCE(sum(amount_minor), 0)::text AS total FROM payment_refunds WHERE donation_id = $1`,
      [donationId],
    );
    return Number(rows[0]?.total ?? 0);
  }

  /** The refunds of a gift with their reasons, oldest first. */
  async refundsOf(donationId: string): Promise<DonationRefund[]> {
    const rows = await this.dataSource.query(
      `SELECT ${DONATION_REFUNDS.select()} FROM donation_refunds
       WHERE donation_id = $1 ORDER BY created_at, id`,
      [donationId],
    );
    return rowsOf(rows).map((row) => DONATION_REFUNDS.map(row));
  }

  /**
   * Forgets up to `limit` links of a kind that have expired (they are refused already), skipping
   * rows another request is deleting: many gifts at once never wait on each other's cleanup.
   */
  async deleteExpiredLinks(
    manager: EntityManager,
    purpose: DonorLinkPurpose,
    limit = 50,
  ): Promise<void> {
    await manager.query(
      `DELETE FROM donor_links WHERE token_hash IN (
         SELECT token_hash FROM donor_links WHERE purpose = $1 AND expires_at < now()
         LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [purpose, limit],
    );
  }

  /** Keeps a donor link (only its hash) to one donation, for one purpose, until it expires. */
  async insertLink(
    manager: EntityManager,
    link: { tokenHash: string; purpose: DonorLinkPurpose; donationId: string; expiresAt: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO donor_links (token_hash, purpose, donation_id, expires_at) VALUES ($1, $2, $3, $4)`,
      [link.tokenHash, link.purpose, link.donationId, link.expiresAt],
    );
  }

  /** The donation a live link points to, or null (unknown or expired). */
  async findByLink(tokenHash: string, purpose: DonorLinkPurpose): Promise<Donation | null> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM donations WHERE id = (
         SELECT donation_id FROM donor_links
         WHERE token_hash = $1 AND purpose = $2 AND expires_at > now())`,
      [tokenHash, purpose],
    );
    return rows[0] ? toDonation(rows[0]) : null;
  }

  /** Several gifts by id in one query; unknown ids are left out. */
  async findMany(ids: readonly string[]): Promise<Donation[]> {
    if (ids.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.dataSource.manager.query(
      `SELECT ${COLUMNS} FROM donations WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toDonation);
  }

  async find(id: string, opts: TransactionOptions = {}): Promise<Donation | null> {
    const rows = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM donations WHERE id = $1`,
      [id],
    );
    return rows[0] ? toDonation(rows[0]) : null;
  }

  /**
   * The donation row locked: one donation's events are processed one at a time. By payment, the
   * PaymentIntent (or an offline gift's reference) is looked up first, then the charge (a dispute
   * may name only the charge).
   */
  async lock(
    manager: EntityManager,
    by: { id?: string; paymentId?: string; chargeId?: string; sessionId?: string },
  ): Promise<Donation | null> {
    const tries: [string, string | undefined][] = by.id
      ? [['id', by.id]]
      : by.paymentId || by.chargeId
        ? [
            ['provider_payment_id', by.paymentId],
            ['provider_charge_id', by.chargeId],
          ]
        : [['provider_session_id', by.sessionId]];
    for (const [column, value] of tries) {
      if (!value) continue;
      // An id from a provider's payload that is not a UUID names no gift (and must not fail the query).
      if (column === 'id' && !UUID.test(value)) return null;
      const rows = await manager.query(
        `SELECT ${COLUMNS} FROM donations WHERE ${column} = $1 FOR UPDATE`,
        [value],
      );
      if (rows[0]) return toDonation(rows[0]);
    }
    return null;
  }

  async update(manager: EntityManager, id: string, patch: DonationPatch): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [
      keyof DonationPatch,
      unknown,
    ][];
    if (entries.length === 0) return;
    const sets = entries.map(([k], i) => `${DONATIONS.column(k)} = $${i + 2}`);
    await manager.query(
      `UPDATE donations SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`,
      [id, ...entries.map(([, v]) => v)],
    );
  }

  /** The gift of a subscription paid by one invoice (its first, or a renewal), if recorded. */
  async findRenewal(
    manager: EntityManager,
    subscriptionId: string,
    invoiceId: string,
  ): Promise<Donation | null> {
    const rows = await manager.query(
      `SELECT ${COLUMNS} FROM donations WHERE provider_subscription_id = $1 AND provider_invoice_id = $2`,
      [subscriptionId, invoiceId],
    );
    return rows[0] ? toDonation(rows[0]) : null;
  }

  /**
   * A provider's online gifts created since a time that are not settled (PENDING, or also FAILED
   * and EXPIRED), with an order at the provider, oldest first: what reconciliation asks about.
   */
  async unsettledSince(
    provider: string,
    since: Date,
    statuses: readonly string[],
    limit: number,
    after?: { createdAt: Date; id: string },
  ): Promise<Donation[]> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM donations
       WHERE provider = $1 AND created_at >= $2 AND status = ANY($3::text[])
         AND provider_session_id IS NOT NULL
         AND ($5::timestamptz IS NULL OR (created_at, id) > ($5, $6::uuid))
       ORDER BY created_at, id LIMIT $4`,
      [provider, since, statuses, limit, after?.createdAt ?? null, after?.id ?? null],
    );
    return rowsOf(rows).map(toDonation);
  }

  async firstOfSubscription(
    manager: EntityManager,
    subscriptionId: string,
  ): Promise<Donation | null> {
    const rows = await manager.query(
      `SELECT ${COLUMNS} FROM donations WHERE provider_subscription_id = $1 AND parent_donation_id IS NULL
       ORDER BY created_at LIMIT 1`,
      [subscriptionId],
    );
    return rows[0] ? toDonation(rows[0]) : null;
  }

  /** Marks every gift of a monthly subscription as stopped (once). */
  async markSubscriptionCancelled(manager: EntityManager, subscriptionId: string): Promise<number> {
    const rows = rowsOf(
      await manager.query(
        `UPDATE donations SET subscription_cancelled_at = now(), updated_at = now()
         WHERE provider_subscription_id = $1 AND subscription_cancelled_at IS NULL RETURNING id`,
        [subscriptionId],
      ),
    );
    return rows.length;
  }

  /**
   * Paid gifts from the same donor email, or paid with the same payment method (fingerprint), in
   * the minute up to `at`, not counting `excludeId`: the bot-like-giving check. Two index lookups
   * (email, then fingerprint) rather than one OR that would scan the table.
   */
  async paidRecently(
    manager: EntityManager,
    gift: { email: string | null; fingerprint: string | null; at: Date; excludeId: string },
  ): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM (
         SELECT id FROM donations WHERE donor_email = $1 AND succeeded_at IS NOT NULL
           AND succeeded_at > $3::timestamptz - interval '1 minute' AND succeeded_at <= $3::timestamptz
         UNION
         SELECT id FROM donations WHERE $2::text IS NOT NULL AND payment_fingerprint = $2
           AND succeeded_at IS NOT NULL
           AND succeeded_at > $3::timestamptz - interval '1 minute' AND succeeded_at <= $3::timestamptz
       ) recent WHERE id <> $4`,
      [gift.email, gift.fingerprint, gift.at, gift.excludeId],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Locks a donor's email and payment method until the transaction ends (advisory locks, the
   * email's first), so that gifts of one donor settling together count each other for the bot
   * check and the daily matching cap, while gifts of other donors do not wait. Emails are
   * compared as stored, as `paidRecently` counts them.
   */
  async lockDonor(
    manager: EntityManager,
    donor: { email: string | null; fingerprint: string | null },
  ): Promise<void> {
    const keys = [
      donor.email === null ? null : `gift-donor:email:${donor.email}`,
      donor.fingerprint === null ? null : `gift-donor:payment:${donor.fingerprint}`,
    ].filter((k): k is string => k !== null);
    if (keys.length === 0) return;
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n)`,
      [keys],
    );
  }

  /** What a donor's gifts to one campaign were matched since `since` (the day's start). */
  async matchedForDonorSince(
    manager: EntityManager,
    campaignId: string,
    email: string,
    since: Date,
  ): Promise<number> {
    const rows: { total: string }[] = await manager.query(
      `SELECT coalesce(sum(matched_minor), 0) AS total FROM donations
       WHERE campaign_id = $1 AND donor_email = $2 AND succeeded_at >= $3`,
      [campaignId, email, since],
    );
    return toSafeInteger(rows[0]?.total ?? '0') ?? 0;
  }

  /** A campaign's latest received gifts (refunded ones left out), for its public page. */
  async recentForCampaign(campaignId: string, limit: number): Promise<Donation[]> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM donations
       WHERE campaign_id = $1 AND succeeded_at IS NOT NULL
         AND status IN ('SUCCEEDED', 'PARTIALLY_REFUNDED')
       ORDER BY succeeded_at DESC LIMIT $2`,
      [campaignId, limit],
    );
    return rows.map(toDonation);
  }

  /** Newest first, for staff: by campaign, status and donor email, keyset-paged. */
  async listForStaff(query: {
    campaignId?: string;
    status?: string;
    email?: string;
    /** The last gift of the previous page: the next page starts after it. */
    afterId?: string;
    limit: number;
  }): Promise<Donation[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.campaignId) add('campaign_id = ?', query.campaignId);
    if (query.status) add('status = ?', query.status);
    if (query.email) add('donor_email = ?', query.email.toLowerCase());
    // Compared in the database at full (microsecond) precision: a JavaScript Date would round it.
    if (query.afterId)
      add('(created_at, id) < (SELECT created_at, id FROM donations WHERE id = ?)', query.afterId);
    params.push(query.limit);
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM donations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toDonation);
  }

  async listByEmail(email: string): Promise<Donation[]> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM donations WHERE donor_email = $1 AND status <> 'PENDING' ORDER BY created_at DESC LIMIT 500`,
      [email],
    );
    return rows.map(toDonation);
  }

  /**
   * Pseudonymises every gift of an address (erasure), whatever its status, in the caller's
   * transaction: the name becomes `donorName` (the erased person's stored pseudonym), the email,
   * messages, receipt address and ID code, network address and card fingerprint go, and a settled
   * gift's checkout links with them. Amounts, statuses, provider ids and dates are not touched.
   * Their donor links (stop-monthly, return-to-form) are deleted. Returns the gifts changed and
   * the personal texts they held (names, addresses, ID codes), for other records to look for.
   */
  async eraseDonor(
    manager: EntityManager,
    email: string,
    erased: { no: number; donorName: string },
  ): Promise<{
    gifts: { id: string; campaignId: string | null; fundId: string }[];
    personal: string[];
    donorLinks: number;
  }> {
    const held: { texts: string[] | null }[] = await manager.query(
      `SELECT array_agg(DISTINCT t) FILTER (WHERE t IS NOT NULL AND t <> '') AS texts
         FROM (SELECT id FROM donations WHERE donor_email = $1 FOR UPDATE) locked
         JOIN donations d USING (id),
         LATERAL unnest(ARRAY[d.donor_name, d.receipt_address, d.receipt_tax_id]) t`,
      [email],
    );
    const rows = rowsOf<{ id: string; campaign_id: string | null; fund_id: string }>(
      await manager.query(
        `UPDATE donations
            SET donor_name = $2, donor_email = NULL, message = '', dedication = '',
                receipt_address = NULL, receipt_tax_id = NULL, ip = NULL, payment_fingerprint = NULL,
                checkout_url = CASE WHEN status = 'PENDING' THEN checkout_url END,
                checkout_qr = CASE WHEN status = 'PENDING' THEN checkout_qr END,
                checkout_invoke = CASE WHEN status = 'PENDING' THEN checkout_invoke END,
                donor_erased_no = $3, updated_at = now()
          WHERE donor_email = $1
          RETURNING id, campaign_id, fund_id`,
        [email, erased.donorName, erased.no],
      ),
    );
    const donorLinks =
      rows.length === 0
        ? 0
        : affectedRows(
            await manager.query(
              `DELETE FROM donor_links WHERE donation_id = ANY ($1::uuid[]) RETURNING 1`,
              [rows.map((r) => r.id)],
            ),
          );
    return {
      gifts: rows.map((r) => ({ id: r.id, campaignId: r.campaign_id, fundId: r.fund_id })),
      personal: held[0]?.texts ?? [],
      donorLinks,
    };
  }

  /** Gifts of an address by status, and the first gifts of its monthly gifts still running. */
  async donorSummary(
    email: string,
  ): Promise<{ gifts: number; settled: number; runningMonthly: Donation[] }> {
    const [counts] = await this.dataSource.query<{ gifts: number; settled: number }[]>(
      `SELECT count(*)::int AS gifts, count(*) FILTER (WHERE succeeded_at IS NOT NULL)::int AS settled
         FROM donations WHERE donor_email = $1`,
      [email],
    );
    const running = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT ${COLUMNS} FROM donations
        WHERE donor_email = $1 AND monthly AND parent_donation_id IS NULL
          AND provider_subscription_id IS NOT NULL AND subscription_cancelled_at IS NULL
        ORDER BY created_at`,
      [email],
    );
    return {
      gifts: counts?.gifts ?? 0,
      settled: counts?.settled ?? 0,
      runningMonthly: running.map(toDonation),
    };
  }

  async countByStatus(campaignId: string): Promise<Record<string, number>> {
    const rows: { status: string; n: number }[] = await this.dataSource.query(
      `SELECT status, count(*)::int AS n FROM donations WHERE campaign_id = $1 GROUP BY status`,
      [campaignId],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
