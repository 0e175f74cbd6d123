import type { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY_ZH = `# 个人信息保护政策

本基金会依照《中华人民共和国个人信息保护法》处理您的个人信息。

## 我们收集什么、为什么
- **捐赠时**：姓名（或"匿名"）、电子邮箱，用于确认捐赠、发送感谢信与捐赠票据；留言与献词仅在您选择公开时显示。
- **开具报税票据时**（可选）：地址与身份证号或统一社会信用代码，仅用于开具票据。
- **登录捐赠人中心时**：电子邮箱，用于发送登录链接。
- **满意度测评时**：测评码与您的评分、意见，用于项目验收；我们不收集您的姓名。

## 保存多久
登录会话与一次性链接在到期后短期删除；支付通知在结算后保存一段时间；邮件正文在发送后保存一段时间；捐赠人联系方式在最后一次捐赠后保存若干年。具体期限见各收集页面的说明。财务记录（金额、账目、票据编号）依法长期保存，但可与您的身份分离。

## 您的权利
您可在捐赠人中心下载我们保存的关于您的全部信息，或申请删除。删除后，您的姓名改为"已删除的捐赠人"，邮箱、地址与证件号被清除，留言从公开页面撤下；捐赠金额、账目与票据编号保持不变。

## 联系我们
如有疑问，请联系本基金会。`;

const POLICY_EN = `# Privacy policy

The foundation handles your personal information under China's Personal Information Protection Law.

## What we collect, and why
- **When you give**: your name (or "anonymous") and email address, to confirm the gift and send thanks and receipts. A message or dedication is shown only if you choose to make it public.
- **For a tax receipt** (optional): your address and ID number or unified social credit code, used only to issue the receipt.
- **When you sign in to the donor portal**: your email address, to send the sign-in link.
- **When you evaluate a project**: your evaluator code, score and comment, for the project's acceptance; we do not ask for your name.

## How long we keep it
Sign-in sessions and one-time links are deleted soon after they expire; payment notifications are kept for a period after settlement; email bodies for a period after sending; donors' contact details for some years after their last gift. Each form states its period. Financial records (amounts, the books, receipt numbers) are kept as the law requires, but can be separated from who you are.

## Your rights
In the donor portal you can download everything we hold about you, or ask us to delete it. After deletion your name becomes "Erased donor", your email, address and ID number are removed, and your messages leave the public pages; amounts, the books and receipt numbers stay as they were.

## Contact
Questions: contact the foundation.`;

/**
 * Personal data (PIPL): the privacy policy the foundation edits (each published version kept, so a
 * consent names the text it was given under), consent records, retention settings and the report
 * of each retention run, erasure requests, and the people erased. Erasure pseudonymises: a person
 * becomes `erased_people.no`, shown as "已删除的捐赠人 #n", and their contact data is removed while
 * amounts, ledger entries and receipt numbers stay. Three guards learn one narrow exception each:
 * an issued receipt may lose its donor's contact data once (`donor_erased_no` set, nothing else
 * changed but `donor_email`, which becomes '' as for a gift given without one, and `content`); an audit row may be redacted (`redacted_at` set, who
 * did what and when unchanged); a donation without an email may be an erased donor's.
 */
export class PersonalData1765000000000 implements MigrationInterface {
  name = 'PersonalData1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE privacy_policies (
        version integer PRIMARY KEY CHECK (version > 0),
        body_zh text NOT NULL CHECK (char_length(btrim(body_zh)) BETWEEN 1 AND 20000),
        body_en text NOT NULL CHECK (char_length(btrim(body_en)) BETWEEN 1 AND 20000),
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by uuid NULL REFERENCES users (id)
      );

      -- One row: how long each kind of personal data is kept, and the erasure deadline.
      CREATE TABLE privacy_settings (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        erasure_due_days integer NOT NULL DEFAULT 15 CHECK (erasure_due_days BETWEEN 1 AND 60),
        session_days integer NOT NULL DEFAULT 30 CHECK (session_days BETWEEN 1 AND 3650),
        link_days integer NOT NULL DEFAULT 7 CHECK (link_days BETWEEN 1 AND 3650),
        payment_payload_days integer NOT NULL DEFAULT 180 CHECK (payment_payload_days BETWEEN 30 AND 3650),
        email_body_days integer NOT NULL DEFAULT 90 CHECK (email_body_days BETWEEN 1 AND 3650),
        donation_ip_days integer NOT NULL DEFAULT 30 CHECK (donation_ip_days BETWEEN 1 AND 3650),
        donor_contact_years integer NOT NULL DEFAULT 5 CHECK (donor_contact_years BETWEEN 1 AND 30),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid NULL REFERENCES users (id)
      );
      INSERT INTO privacy_settings (id) VALUES (1);

      -- What a person was told and agreed to, when, under which published policy.
      -- subject: a lower-cased email, 'evaluator:<code id>', or 'erased:<no>' after erasure.
      CREATE TABLE consent_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 254),
        purpose text NOT NULL CHECK (purpose IN ('DONATION', 'RECEIPT_TAX', 'PORTAL_SIGN_IN', 'EVALUATION')),
        policy_version integer NOT NULL REFERENCES privacy_policies (version),
        locale text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
        donation_id uuid NULL REFERENCES donations (id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX consent_records_subject ON consent_records (subject, created_at);
      CREATE INDEX consent_records_donation ON consent_records (donation_id) WHERE donation_id IS NOT NULL;

      -- Each person erased (by request, by retention, or a removed staff account): the n of
      -- "已删除的捐赠人 #n", and how many rows of each kind lost their personal data.
      CREATE TABLE erased_people (
        no integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('DONOR', 'STAFF')),
        reason text NOT NULL CHECK (reason IN ('REQUEST', 'RETENTION', 'STAFF_REMOVED')),
        erased_at timestamptz NOT NULL DEFAULT now(),
        erased_by uuid NULL REFERENCES users (id),
        removed jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(removed) = 'object')
      );

      CREATE TABLE erasure_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
        status text NOT NULL CHECK (status IN ('AWAITING_CONFIRMATION', 'CONFIRMED', 'COMPLETED', 'CANCELLED', 'EXPIRED')),
        locale text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
        requested_at timestamptz NOT NULL DEFAULT now(),
        confirm_by timestamptz NOT NULL,
        confirmed_at timestamptz NULL,
        due_at timestamptz NULL,
        completed_at timestamptz NULL,
        completed_by uuid NULL REFERENCES users (id),
        erased_no integer NULL UNIQUE REFERENCES erased_people (no),
        CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL)),
        CHECK ((status = 'COMPLETED') = (erased_no IS NOT NULL)),
        CHECK (status <> 'COMPLETED' OR email IS NULL),
        CHECK (status = 'COMPLETED' OR email IS NOT NULL),
        CHECK ((confirmed_at IS NULL) = (due_at IS NULL)),
        CHECK (status NOT IN ('CONFIRMED', 'COMPLETED') OR confirmed_at IS NOT NULL)
      );
      CREATE UNIQUE INDEX erasure_requests_one_open ON erasure_requests (email)
        WHERE status IN ('AWAITING_CONFIRMATION', 'CONFIRMED');
      CREATE INDEX erasure_requests_status ON erasure_requests (status, due_at);

      CREATE TABLE retention_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trigger text NOT NULL CHECK (trigger IN ('SCHEDULED', 'MANUAL')),
        started_by uuid NULL REFERENCES users (id),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz NULL,
        cutoffs jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(cutoffs) = 'object'),
        removed jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(removed) = 'object'),
        error text NULL CHECK (char_length(error) <= 2000)
      );
      CREATE INDEX retention_runs_started ON retention_runs (started_at DESC);

      ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check,
        ADD CONSTRAINT one_time_tokens_purpose_check
          CHECK (purpose IN ('INVITE', 'PASSWORD_RESET', 'DONOR_LOGIN', 'ERASURE_CONFIRM'));

      ALTER TABLE donations ADD COLUMN donor_erased_no integer NULL REFERENCES erased_people (no),
        DROP CONSTRAINT donations_email_or_offline,
        ADD CONSTRAINT donations_email_or_offline
          CHECK (donor_email IS NOT NULL OR provider = 'OFFLINE' OR donor_erased_no IS NOT NULL);
      CREATE INDEX donations_donor_erased ON donations (donor_erased_no) WHERE donor_erased_no IS NOT NULL;

      ALTER TABLE users ADD COLUMN erased_no integer NULL UNIQUE REFERENCES erased_people (no),
        DROP CONSTRAINT users_status_check,
        ADD CONSTRAINT users_status_check CHECK (status IN ('INVITED', 'ACTIVE', 'DEACTIVATED', 'REMOVED')),
        ADD CONSTRAINT users_removed_erased CHECK ((status = 'REMOVED') = (erased_no IS NOT NULL));

      ALTER TABLE payment_events ADD COLUMN payload_redacted_at timestamptz NULL;
      ALTER TABLE outbox ADD COLUMN payload_redacted_at timestamptz NULL;

      ALTER TABLE receipts ADD COLUMN donor_erased_no integer NULL REFERENCES erased_people (no);

      -- Issued receipts stay immutable, with one exception: once, the donor's contact data may be
      -- taken out (donor_erased_no set; only donor_email and content change with it).
      CREATE OR REPLACE FUNCTION receipts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        erasing boolean;
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'receipts are kept: receipt % cannot be deleted', OLD.number;
        END IF;
        erasing := OLD.donor_erased_no IS NULL AND NEW.donor_erased_no IS NOT NULL;
        IF NOT erasing AND NEW.donor_erased_no IS DISTINCT FROM OLD.donor_erased_no THEN
          RAISE EXCEPTION 'receipt % already belongs to an erased donor', OLD.number;
        END IF;
        IF (NEW.id, NEW.number, NEW.series, NEW.year, NEW.seq, NEW.kind, NEW.issue_key,
            NEW.donation_id, NEW.replaces_id, NEW.amount_minor, NEW.currency,
            NEW.locale, NEW.verify_code, NEW.issued_at)
           IS DISTINCT FROM
           (OLD.id, OLD.number, OLD.series, OLD.year, OLD.seq, OLD.kind, OLD.issue_key,
            OLD.donation_id, OLD.replaces_id, OLD.amount_minor, OLD.currency,
            OLD.locale, OLD.verify_code, OLD.issued_at)
           OR (NOT erasing AND (NEW.donor_email, NEW.content) IS DISTINCT FROM (OLD.donor_email, OLD.content)) THEN
          RAISE EXCEPTION 'receipt % is issued and cannot change', OLD.number;
        END IF;
        IF OLD.voided_at IS NOT NULL AND (NEW.voided_at, NEW.void_reason, NEW.void_note, NEW.voided_by)
             IS DISTINCT FROM (OLD.voided_at, OLD.void_reason, OLD.void_note, OLD.voided_by) THEN
          RAISE EXCEPTION 'receipt % is already void', OLD.number;
        END IF;
        IF OLD.official_number IS NOT NULL AND (NEW.official_number, NEW.official_url, NEW.official_issued_at)
             IS DISTINCT FROM (OLD.official_number, OLD.official_url, OLD.official_issued_at) THEN
          RAISE EXCEPTION 'receipt % already has its official e-receipt', OLD.number;
        END IF;
        RETURN NEW;
      END $$;

      -- The audit log stays append-only, with one exception: a row may be redacted (personal data
      -- in actor_label, ip, before, after replaced) while who did what, and when, stays.
      ALTER TABLE audit_log ADD COLUMN redacted_at timestamptz NULL;
      CREATE FUNCTION audit_log_row_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.redacted_at IS NOT NULL
           AND NEW.redacted_at IS DISTINCT FROM OLD.redacted_at
           AND (NEW.id, NEW.at, NEW.actor_user_id, NEW.request_id, NEW.action, NEW.entity_type, NEW.entity_id)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.at, OLD.actor_user_id, OLD.request_id, OLD.action, OLD.entity_type, OLD.entity_id) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP USING ERRCODE = 'LX002';
      END $$;
      DROP TRIGGER audit_log_append_only ON audit_log;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_row_guard();
    `);
    await q.query(`INSERT INTO privacy_policies (version, body_zh, body_en) VALUES (1, $1, $2)`, [
      POLICY_ZH,
      POLICY_EN,
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER audit_log_append_only ON audit_log;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      DROP FUNCTION audit_log_row_guard();
      ALTER TABLE audit_log DROP COLUMN redacted_at;

      CREATE OR REPLACE FUNCTION receipts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'receipts are kept: receipt % cannot be deleted', OLD.number;
        END IF;
        IF (NEW.id, NEW.number, NEW.series, NEW.year, NEW.seq, NEW.kind, NEW.issue_key,
            NEW.donation_id, NEW.replaces_id, NEW.donor_email, NEW.amount_minor, NEW.currency,
            NEW.locale, NEW.verify_code, NEW.content, NEW.issued_at)
           IS DISTINCT FROM
           (OLD.id, OLD.number, OLD.series, OLD.year, OLD.seq, OLD.kind, OLD.issue_key,
            OLD.donation_id, OLD.replaces_id, OLD.donor_email, OLD.amount_minor, OLD.currency,
            OLD.locale, OLD.verify_code, OLD.content, OLD.issued_at) THEN
          RAISE EXCEPTION 'receipt % is issued and cannot change', OLD.number;
        END IF;
        IF OLD.voided_at IS NOT NULL AND (NEW.voided_at, NEW.void_reason, NEW.void_note, NEW.voided_by)
             IS DISTINCT FROM (OLD.voided_at, OLD.void_reason, OLD.void_note, OLD.voided_by) THEN
          RAISE EXCEPTION 'receipt % is already void', OLD.number;
        END IF;
        IF OLD.official_number IS NOT NULL AND (NEW.official_number, NEW.official_url, NEW.official_issued_at)
             IS DISTINCT FROM (OLD.official_number, OLD.official_url, OLD.official_issued_at) THEN
          RAISE EXCEPTION 'receipt % already has its official e-receipt', OLD.number;
        END IF;
        RETURN NEW;
      END $$;
      ALTER TABLE receipts DROP COLUMN donor_erased_no;

      ALTER TABLE outbox DROP COLUMN payload_redacted_at;
      ALTER TABLE payment_events DROP COLUMN payload_redacted_at;

      ALTER TABLE users DROP CONSTRAINT users_removed_erased,
        DROP CONSTRAINT users_status_check,
        ADD CONSTRAINT users_status_check CHECK (status IN ('INVITED', 'ACTIVE', 'DEACTIVATED')),
        DROP COLUMN erased_no;

      DROP INDEX donations_donor_erased;
      ALTER TABLE donations DROP CONSTRAINT donations_email_or_offline,
        ADD CONSTRAINT donations_email_or_offline CHECK (donor_email IS NOT NULL OR provider = 'OFFLINE'),
        DROP COLUMN donor_erased_no;

      DELETE FROM one_time_tokens WHERE purpose = 'ERASURE_CONFIRM';
      ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check,
        ADD CONSTRAINT one_time_tokens_purpose_check
          CHECK (purpose IN ('INVITE', 'PASSWORD_RESET', 'DONOR_LOGIN'));

      DROP TABLE retention_runs;
      DROP TABLE erasure_requests;
      DROP TABLE erased_people;
      DROP TABLE consent_records;
      DROP TABLE privacy_settings;
      DROP TABLE privacy_policies;
    `);
  }
}
