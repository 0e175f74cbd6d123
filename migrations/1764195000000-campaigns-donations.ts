import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns, donations, matching rules and the payment webhook inbox. Campaign totals use slots
 * like ledger balances, so a hot campaign on a giving day does not queue on one row.
 */
export class CampaignsDonations1764195000000 implements MigrationInterface {
  name = 'CampaignsDonations1764195000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
        fund_id uuid NOT NULL REFERENCES funds (id),
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'LIVE', 'ENDED')),
        title_zh text NOT NULL CHECK (length(title_zh) BETWEEN 1 AND 120),
        title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 120),
        story_zh text NOT NULL DEFAULT '' CHECK (length(story_zh) <= 20000),
        story_en text NOT NULL DEFAULT '' CHECK (length(story_en) <= 20000),
        currency char(3) NOT NULL,
        goal_minor bigint CHECK (goal_minor > 0),
        min_amount_minor bigint NOT NULL DEFAULT 100 CHECK (min_amount_minor >= 1),
        preset_amounts_minor bigint[] NOT NULL DEFAULT '{}',
        starts_at timestamptz,
        ends_at timestamptz,
        cover_image text,
        created_by uuid REFERENCES users (id),
        published_by uuid REFERENCES users (id),
        published_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT campaigns_dates CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
      );
      CREATE INDEX campaigns_fund_id ON campaigns (fund_id);
      CREATE INDEX campaigns_status ON campaigns (status);

      CREATE TABLE campaign_updates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns (id),
        title_zh text NOT NULL CHECK (length(title_zh) BETWEEN 1 AND 120),
        title_en text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 120),
        body_zh text NOT NULL CHECK (length(body_zh) <= 20000),
        body_en text NOT NULL CHECK (length(body_en) <= 20000),
        created_by uuid REFERENCES users (id),
        published_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX campaign_updates_campaign ON campaign_updates (campaign_id, published_at);

      -- Totals in slots (summed on read), like ledger balances: a hot campaign spreads its writes.
      CREATE TABLE campaign_totals (
        campaign_id uuid NOT NULL REFERENCES campaigns (id),
        slot smallint NOT NULL,
        raised_minor bigint NOT NULL DEFAULT 0,
        matched_minor bigint NOT NULL DEFAULT 0,
        gifts integer NOT NULL DEFAULT 0,
        donors integer NOT NULL DEFAULT 0,
        PRIMARY KEY (campaign_id, slot)
      );
      -- One row per (campaign, donor) makes the donor count exact under concurrency.
      CREATE TABLE campaign_donors (
        campaign_id uuid NOT NULL REFERENCES campaigns (id),
        donor_key text NOT NULL,
        PRIMARY KEY (campaign_id, donor_key)
      );

      CREATE TABLE matching_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL UNIQUE REFERENCES campaigns (id),
        pool_fund_id uuid NOT NULL REFERENCES funds (id),
        mode text NOT NULL CHECK (mode IN ('RATIO', 'RANDOM')),
        ratio_bp integer CHECK (ratio_bp BETWEEN 1 AND 100000),
        random_min_minor bigint CHECK (random_min_minor >= 1),
        random_max_minor bigint,
        min_gift_minor bigint NOT NULL DEFAULT 1 CHECK (min_gift_minor >= 1),
        cap_per_gift_minor bigint CHECK (cap_per_gift_minor >= 1),
        cap_per_donor_day_minor bigint CHECK (cap_per_donor_day_minor >= 1),
        total_cap_minor bigint CHECK (total_cap_minor >= 1),
        matched_minor bigint NOT NULL DEFAULT 0 CHECK (matched_minor >= 0),
        starts_at timestamptz,
        ends_at timestamptz,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT matching_rules_mode CHECK (
          (mode = 'RATIO' AND ratio_bp IS NOT NULL AND random_min_minor IS NULL AND random_max_minor IS NULL)
          OR (mode = 'RANDOM' AND ratio_bp IS NULL AND random_min_minor IS NOT NULL
              AND random_max_minor >= random_min_minor)),
        CONSTRAINT matching_rules_total_cap CHECK (total_cap_minor IS NULL OR matched_minor <= total_cap_minor)
      );

      CREATE TABLE donations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns (id),
        fund_id uuid NOT NULL REFERENCES funds (id),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        fee_cover_minor bigint NOT NULL DEFAULT 0 CHECK (fee_cover_minor >= 0 AND fee_cover_minor < amount_minor),
        currency char(3) NOT NULL,
        donor_name text NOT NULL CHECK (length(donor_name) BETWEEN 1 AND 100),
        donor_email text NOT NULL CHECK (donor_email = lower(donor_email) AND length(donor_email) <= 254),
        anonymous boolean NOT NULL DEFAULT false,
        message text NOT NULL DEFAULT '' CHECK (length(message) <= 500),
        dedication text NOT NULL DEFAULT '' CHECK (length(dedication) <= 200),
        monthly boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'PENDING'
          CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'EXPIRED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'DISPUTED')),
        provider text NOT NULL CHECK (provider IN ('STRIPE', 'SANDBOX', 'OFFLINE')),
        provider_session_id text UNIQUE,
        provider_payment_id text,
        provider_subscription_id text,
        parent_donation_id uuid REFERENCES donations (id),
        checkout_url text,
        fee_minor bigint CHECK (fee_minor >= 0),
        matched_minor bigint NOT NULL DEFAULT 0 CHECK (matched_minor >= 0),
        refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
        ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        succeeded_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX donations_campaign_status ON donations (campaign_id, status);
      CREATE INDEX donations_donor_email ON donations (donor_email, created_at);
      CREATE INDEX donations_payment ON donations (provider_payment_id) WHERE provider_payment_id IS NOT NULL;
      CREATE INDEX donations_subscription ON donations (provider_subscription_id) WHERE provider_subscription_id IS NOT NULL;

      -- The webhook inbox: a provider event is stored (durably, once) before it is answered.
      CREATE TABLE payment_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        provider text NOT NULL CHECK (provider IN ('STRIPE', 'SANDBOX')),
        event_id text NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        CONSTRAINT payment_events_once UNIQUE (provider, event_id)
      );
      CREATE INDEX payment_events_due ON payment_events (next_attempt_at) WHERE processed_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE payment_events;
      DROP TABLE donations;
      DROP TABLE matching_rules;
      DROP TABLE campaign_donors;
      DROP TABLE campaign_totals;
      DROP TABLE campaign_updates;
      DROP TABLE campaigns;
    `);
  }
}
