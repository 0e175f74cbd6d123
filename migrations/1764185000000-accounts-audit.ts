import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users with roles and scopes, browser sessions, personal access tokens, one-time tokens (invites,
 * password resets, donor magic links) and the append-only audit log. Secrets are stored only as
 * SHA-256 hashes; passwords as argon2id hashes.
 */
export class AccountsAudit1764185000000 implements MigrationInterface {
  name = 'AccountsAudit1764185000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        password_hash text,
        status text NOT NULL CHECK (status IN ('INVITED', 'ACTIVE', 'DEACTIVATED')),
        locale text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
        failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
        locked_until timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_active_has_password CHECK (status <> 'ACTIVE' OR password_hash IS NOT NULL)
      );
      CREATE UNIQUE INDEX users_email_key ON users (email);

      CREATE TABLE user_roles (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER', 'COMMUNITY_LEADER')),
        PRIMARY KEY (user_id, role)
      );

      -- A community leader's scope: whole communities (all their funds) or single funds.
      CREATE TABLE user_scopes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        community_id uuid REFERENCES communities (id),
        fund_id uuid REFERENCES funds (id),
        CONSTRAINT user_scopes_one_target CHECK ((community_id IS NULL) <> (fund_id IS NULL))
      );
      CREATE UNIQUE INDEX user_scopes_community ON user_scopes (user_id, community_id) WHERE community_id IS NOT NULL;
      CREATE UNIQUE INDEX user_scopes_fund ON user_scopes (user_id, fund_id) WHERE fund_id IS NOT NULL;

      CREATE TABLE sessions (
        id text PRIMARY KEY,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        donor_email text CHECK (donor_email = lower(donor_email)),
        ip text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT sessions_one_subject CHECK ((user_id IS NULL) <> (donor_email IS NULL))
      );
      CREATE INDEX sessions_user_id ON sessions (user_id);
      CREATE INDEX sessions_expires_at ON sessions (expires_at);

      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        token_hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_used_at timestamptz
      );
      CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

      CREATE TABLE one_time_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        purpose text NOT NULL CHECK (purpose IN ('INVITE', 'PASSWORD_RESET', 'DONOR_LOGIN')),
        token_hash text NOT NULL UNIQUE,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX one_time_tokens_user_purpose ON one_time_tokens (user_id, purpose);

      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_user_id uuid,
        actor_label text NOT NULL,
        ip text,
        request_id text,
        action text NOT NULL CHECK (action ~ '^[a-z_]+\\.[a-z_.]+$'),
        entity_type text NOT NULL,
        entity_id text,
        before jsonb,
        after jsonb
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE INDEX audit_log_actor ON audit_log (actor_user_id, at);
      CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
      CREATE INDEX audit_log_action ON audit_log (action, at);

      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP USING ERRCODE = 'LX002';
      END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_log;
      DROP FUNCTION audit_log_append_only();
      DROP TABLE one_time_tokens;
      DROP TABLE api_tokens;
      DROP TABLE sessions;
      DROP TABLE user_scopes;
      DROP TABLE user_roles;
      DROP TABLE users;
    `);
  }
}
