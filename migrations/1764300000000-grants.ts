import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Money out (以奖代补): grant rounds, applications, reviews, awards with their tranches, grantee
 * reports, acceptance inspections, resident evaluations, and fund expenses; fund reservations (a
 * round's budget set aside so other rounds and expenses cannot spend it); the PLANNER role
 * (community planners, scoped to communities like a community leader).
 *
 * The database refuses what would break the rules whatever the code does: a decision by the person
 * who asked, a paid tranche or expense without its ledger entry, a second response on one
 * evaluator code, a score outside 0–1000 (the rubric's own range is checked by the service).
 */
export class Grants1764300000000 implements MigrationInterface {
  name = 'Grants1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
      ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
        CHECK (role IN ('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER', 'COMMUNITY_LEADER', 'PLANNER'));

      -- Money set aside in a fund for a purpose (a round's budget): the fund's available balance is
      -- its ledger balance less its open reservations. Drawn down as the round pays; released when
      -- the round closes.
      CREATE TABLE fund_reservations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fund_id uuid NOT NULL REFERENCES funds (id),
        source text NOT NULL UNIQUE CHECK (length(source) BETWEEN 1 AND 120),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
        reserved_minor bigint NOT NULL CHECK (reserved_minor >= 0),
        drawn_minor bigint NOT NULL DEFAULT 0 CHECK (drawn_minor >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        CONSTRAINT fund_reservations_drawn CHECK (drawn_minor <= reserved_minor)
      );
      CREATE INDEX fund_reservations_open ON fund_reservations (fund_id) WHERE released_at IS NULL;

      CREATE TABLE grant_rounds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name_zh text NOT NULL CHECK (length(btrim(name_zh)) BETWEEN 1 AND 200),
        name_en text NOT NULL CHECK (length(btrim(name_en)) BETWEEN 1 AND 200),
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        source_fund_id uuid NOT NULL REFERENCES funds (id),
        currency char(3) NOT NULL,
        status text NOT NULL DEFAULT 'DRAFT'
          CHECK (status IN ('DRAFT', 'OPEN', 'REVIEWING', 'AWARDING', 'CLOSED')),
        applications_open_at timestamptz NOT NULL,
        applications_close_at timestamptz NOT NULL,
        review_close_at timestamptz NOT NULL,
        -- [{ key, nameZh, nameEn, amountMinor, count }], highest first
        tiers jsonb NOT NULL,
        -- total construction funding the round may award beside the design awards
        construction_budget_minor bigint NOT NULL DEFAULT 0 CHECK (construction_budget_minor >= 0),
        -- [{ key, nameZh, nameEn, weight, min, max }]
        rubric jsonb NOT NULL,
        satisfaction_threshold_pct integer NOT NULL DEFAULT 80
          CHECK (satisfaction_threshold_pct BETWEEN 1 AND 100),
        min_evaluators integer NOT NULL DEFAULT 10 CHECK (min_evaluators BETWEEN 1 AND 1000),
        second_approval_above_minor bigint NOT NULL CHECK (second_approval_above_minor >= 0),
        -- [{ key, percent, unlock: 'AWARD' | 'START' | 'MIDTERM' | 'COMPLETION' }], percents sum to 100
        tranche_schedule jsonb NOT NULL,
        -- { review, decision, payment, report }: days each step may take
        target_days jsonb NOT NULL,
        budget_minor bigint NOT NULL CHECK (budget_minor > 0),
        reservation_id uuid REFERENCES fund_reservations (id),
        created_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT grant_rounds_windows CHECK (
          applications_open_at < applications_close_at AND applications_close_at <= review_close_at),
        CONSTRAINT grant_rounds_reserved CHECK (status = 'DRAFT' OR reservation_id IS NOT NULL)
      );
      CREATE INDEX grant_rounds_year ON grant_rounds (year DESC, created_at DESC);

      CREATE TABLE grant_applications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        round_id uuid NOT NULL REFERENCES grant_rounds (id),
        community_id uuid NOT NULL REFERENCES communities (id),
        applicant_id uuid NOT NULL REFERENCES users (id),
        title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
        summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 10000),
        -- [{ item, amountMinor }]
        budget_lines jsonb NOT NULL DEFAULT '[]',
        budget_total_minor bigint NOT NULL DEFAULT 0 CHECK (budget_total_minor >= 0),
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN
          ('DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'SHORTLISTED', 'AWARDED', 'DECLINED')),
        submitted_at timestamptz,
        decision_due_at timestamptz,
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT grant_applications_submitted CHECK ((status = 'DRAFT') = (submitted_at IS NULL))
      );
      CREATE INDEX grant_applications_round ON grant_applications (round_id, status);
      CREATE INDEX grant_applications_applicant ON grant_applications (applicant_id);

      -- Files (PDF, JPEG, PNG, WebP) attached to an application, a report or an expense; the bytes
      -- live under DATA_DIR/attachments/<storage_key>.
      CREATE TABLE grant_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_type text NOT NULL CHECK (owner_type IN ('APPLICATION', 'REPORT', 'EXPENSE')),
        owner_id uuid NOT NULL,
        file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
        content_type text NOT NULL
          CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')),
        size_bytes integer NOT NULL CHECK (size_bytes > 0),
        sha256 char(64) NOT NULL,
        storage_key text NOT NULL UNIQUE,
        is_public boolean NOT NULL DEFAULT false,
        uploaded_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX grant_attachments_owner ON grant_attachments (owner_type, owner_id);

      CREATE TABLE grant_review_assignments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        application_id uuid NOT NULL REFERENCES grant_applications (id),
        reviewer_id uuid NOT NULL REFERENCES users (id),
        status text NOT NULL DEFAULT 'ASSIGNED' CHECK (status IN ('ASSIGNED', 'SUBMITTED', 'RECUSED')),
        assigned_by uuid NOT NULL REFERENCES users (id),
        assigned_at timestamptz NOT NULL DEFAULT now(),
        due_at timestamptz NOT NULL,
        -- { criterionKey: score }
        scores jsonb,
        weighted_score numeric(12, 4),
        comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 5000),
        recusal_reason text CHECK (length(recusal_reason) <= 1000),
        submitted_at timestamptz,
        UNIQUE (application_id, reviewer_id),
        CONSTRAINT grant_reviews_scored CHECK ((status = 'SUBMITTED') = (scores IS NOT NULL)),
        CONSTRAINT grant_reviews_recused CHECK ((status = 'RECUSED') = (recusal_reason IS NOT NULL))
      );
      CREATE INDEX grant_review_assignments_reviewer ON grant_review_assignments (reviewer_id, status);

      CREATE TABLE grant_awards (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        round_id uuid NOT NULL REFERENCES grant_rounds (id),
        application_id uuid NOT NULL UNIQUE REFERENCES grant_applications (id),
        tier_key text NOT NULL,
        design_award_minor bigint NOT NULL CHECK (design_award_minor > 0),
        construction_minor bigint NOT NULL DEFAULT 0 CHECK (construction_minor >= 0),
        currency char(3) NOT NULL,
        status text NOT NULL DEFAULT 'PROPOSED'
          CHECK (status IN ('PROPOSED', 'APPROVED', 'REJECTED')),
        needs_second_approval boolean NOT NULL,
        proposed_by uuid NOT NULL REFERENCES users (id),
        proposed_at timestamptz NOT NULL DEFAULT now(),
        decision_due_at timestamptz NOT NULL,
        first_approved_by uuid REFERENCES users (id),
        first_approved_at timestamptz,
        second_approved_by uuid REFERENCES users (id),
        second_approved_at timestamptz,
        rejected_by uuid REFERENCES users (id),
        rejected_at timestamptz,
        decision_note text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 1000),
        design_entry_id uuid UNIQUE REFERENCES journal_entries (id),
        project_status text NOT NULL DEFAULT 'NOT_STARTED' CHECK (project_status IN
          ('NOT_STARTED', 'IN_PROGRESS', 'COMPLETED', 'RECTIFICATION_REQUIRED', 'EVALUATED', 'CLOSED')),
        project_status_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT grant_awards_four_eyes CHECK (
          first_approved_by IS DISTINCT FROM proposed_by
          AND second_approved_by IS DISTINCT FROM proposed_by
          AND (second_approved_by IS NULL OR second_approved_by <> first_approved_by)),
        CONSTRAINT grant_awards_paid CHECK (status = 'APPROVED' OR design_entry_id IS NULL)
      );
      CREATE INDEX grant_awards_round ON grant_awards (round_id, status);

      CREATE TABLE grant_tranches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        award_id uuid NOT NULL REFERENCES grant_awards (id),
        seq integer NOT NULL CHECK (seq >= 1),
        key text NOT NULL,
        percent integer NOT NULL CHECK (percent BETWEEN 1 AND 100),
        unlock text NOT NULL CHECK (unlock IN ('AWARD', 'START', 'MIDTERM', 'COMPLETION')),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        status text NOT NULL DEFAULT 'SCHEDULED'
          CHECK (status IN ('SCHEDULED', 'REQUESTED', 'PAID', 'REJECTED')),
        requested_by uuid REFERENCES users (id),
        requested_at timestamptz,
        payment_due_at timestamptz,
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        decision_note text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 1000),
        entry_id uuid UNIQUE REFERENCES journal_entries (id),
        UNIQUE (award_id, seq),
        CONSTRAINT grant_tranches_paid CHECK ((status = 'PAID') = (entry_id IS NOT NULL)),
        CONSTRAINT grant_tranches_four_eyes CHECK (status <> 'PAID' OR decided_by <> requested_by)
      );
      CREATE INDEX grant_tranches_requested ON grant_tranches (requested_at) WHERE status = 'REQUESTED';

      CREATE TABLE grant_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        award_id uuid NOT NULL REFERENCES grant_awards (id),
        kind text NOT NULL CHECK (kind IN ('START', 'MIDTERM', 'COMPLETION', 'RECTIFICATION')),
        body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
        public_summary text NOT NULL DEFAULT '' CHECK (length(public_summary) <= 2000),
        status text NOT NULL DEFAULT 'SUBMITTED' CHECK (status IN ('SUBMITTED', 'ACCEPTED', 'RETURNED')),
        submitted_by uuid NOT NULL REFERENCES users (id),
        submitted_at timestamptz NOT NULL DEFAULT now(),
        decision_due_at timestamptz NOT NULL,
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        decision_note text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 1000),
        CONSTRAINT grant_reports_four_eyes CHECK (decided_by IS DISTINCT FROM submitted_by)
      );
      CREATE INDEX grant_reports_award ON grant_reports (award_id, kind, submitted_at);

      -- 验收: the acceptance inspection by a professional body or department.
      CREATE TABLE grant_inspections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        award_id uuid NOT NULL REFERENCES grant_awards (id),
        inspecting_body text NOT NULL CHECK (length(btrim(inspecting_body)) BETWEEN 1 AND 200),
        result text NOT NULL CHECK (result IN ('PASSED', 'FAILED')),
        notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
        inspected_on date NOT NULL,
        recorded_by uuid NOT NULL REFERENCES users (id),
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX grant_inspections_award ON grant_inspections (award_id, recorded_at);

      CREATE TABLE grant_evaluations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        award_id uuid NOT NULL REFERENCES grant_awards (id),
        seq integer NOT NULL CHECK (seq >= 1),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'PASSED', 'FAILED', 'CANCELLED')),
        threshold_pct integer NOT NULL CHECK (threshold_pct BETWEEN 1 AND 100),
        min_responses integer NOT NULL CHECK (min_responses >= 1),
        -- the counted result, written when the evaluation closes (the responses table is the truth)
        result_responses integer CHECK (result_responses >= 0),
        result_satisfied integer CHECK (result_satisfied >= 0 AND result_satisfied <= result_responses),
        result_mean_score numeric(4, 2),
        opened_by uuid NOT NULL REFERENCES users (id),
        opened_at timestamptz NOT NULL DEFAULT now(),
        closes_at timestamptz NOT NULL,
        closed_at timestamptz,
        UNIQUE (award_id, seq)
      );
      CREATE UNIQUE INDEX grant_evaluations_one_open ON grant_evaluations (award_id) WHERE status = 'OPEN';

      CREATE TABLE grant_evaluator_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        evaluation_id uuid NOT NULL REFERENCES grant_evaluations (id),
        code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z2-9]{8,16}$'),
        label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
        panel text NOT NULL CHECK (panel IN ('RESIDENT', 'STAKEHOLDER')),
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX grant_evaluator_codes_evaluation ON grant_evaluator_codes (evaluation_id);

      CREATE TABLE grant_evaluation_responses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        evaluation_id uuid NOT NULL REFERENCES grant_evaluations (id),
        code_id uuid NOT NULL UNIQUE REFERENCES grant_evaluator_codes (id),
        satisfied boolean NOT NULL,
        score integer NOT NULL CHECK (score BETWEEN 1 AND 5),
        comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX grant_evaluation_responses_evaluation ON grant_evaluation_responses (evaluation_id);

      -- Smaller spending from a fund (not a project): requested, then approved and paid by FINANCE.
      CREATE TABLE fund_expenses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fund_id uuid NOT NULL REFERENCES funds (id),
        payee text NOT NULL CHECK (length(btrim(payee)) BETWEEN 1 AND 200),
        purpose text NOT NULL CHECK (length(btrim(purpose)) BETWEEN 1 AND 1000),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL,
        status text NOT NULL DEFAULT 'REQUESTED'
          CHECK (status IN ('REQUESTED', 'PAID', 'REJECTED', 'WITHDRAWN')),
        request_key text UNIQUE CHECK (length(request_key) BETWEEN 1 AND 120),
        requested_by uuid NOT NULL REFERENCES users (id),
        requested_at timestamptz NOT NULL DEFAULT now(),
        payment_due_at timestamptz NOT NULL,
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        decision_note text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 1000),
        entry_id uuid UNIQUE REFERENCES journal_entries (id),
        CONSTRAINT fund_expenses_paid CHECK ((status = 'PAID') = (entry_id IS NOT NULL)),
        CONSTRAINT fund_expenses_four_eyes CHECK (decided_by IS DISTINCT FROM requested_by OR status = 'WITHDRAWN')
      );
      CREATE INDEX fund_expenses_fund ON fund_expenses (fund_id, requested_at DESC);
      CREATE INDEX fund_expenses_open ON fund_expenses (requested_at) WHERE status = 'REQUESTED';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE fund_expenses, grant_evaluation_responses, grant_evaluator_codes, grant_evaluations,
        grant_inspections, grant_reports, grant_tranches, grant_awards, grant_review_assignments,
        grant_attachments, grant_applications, grant_rounds, fund_reservations;
      DELETE FROM user_roles WHERE role = 'PLANNER';
      ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
      ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
        CHECK (role IN ('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER', 'COMMUNITY_LEADER'));
    `);
  }
}
