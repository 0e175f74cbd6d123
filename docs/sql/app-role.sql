-- Lianxin's database roles: an owner that runs the migrations and an app role that owns nothing.
--
-- The ledger's triggers stop UPDATE, DELETE and TRUNCATE of entries and postings, but the owner
-- of a table (or a superuser) can ALTER TABLE … DISABLE TRIGGER and then rewrite history. The web
-- processes, workers and CLI therefore connect as the app role, which may read and write rows and
-- nothing else: no DDL, no triggers, no TRUNCATE, no UPDATE or DELETE of the append-only tables.
--
-- Run as a superuser (or the database's owner with CREATEROLE), with psql, on the target database:
--   psql "postgres://postgres@db:5432/lianxin" -v ON_ERROR_STOP=1 \
--     -v owner=lianxin_owner -v app=lianxin_app \
--     -v owner_password="$OWNER_PASSWORD" -v app_password="$APP_PASSWORD" \
--     -f docs/sql/app-role.sql
-- owner and app default to lianxin_owner and lianxin_app; the passwords are optional (left as
-- they are when not given). It is idempotent: run it once before the first migration (roles,
-- schema, default privileges) and again after every migration run (grants on what the migrations
-- created, and the append-only tables' UPDATE and DELETE taken back). docs/operations.md, "A
-- database role that owns nothing", and test/integration/app-role.test.ts.

\set ON_ERROR_STOP 1
\if :{?owner}
\else
  \set owner lianxin_owner
\endif
\if :{?app}
\else
  \set app lianxin_app
\endif

-- The roles. Neither is a superuser, and neither may create roles or databases.
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'owner')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'app')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
\if :{?owner_password}
  ALTER ROLE :"owner" PASSWORD :'owner_password';
\endif
\if :{?app_password}
  ALTER ROLE :"app" PASSWORD :'app_password';
\endif

-- The database: both may connect, nobody else; the owner creates what the migrations create.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'app') \gexec
SELECT format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO %I', current_database(), :'owner') \gexec

-- The schema belongs to the owner; the app may only look names up in it.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- What the owner creates from now on (every later migration) is open to the app for rows only.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT EXECUTE ON FUNCTIONS TO :"app";

-- What exists already (tables a superuser's earlier migrations created are handed to the owner).
SELECT format('ALTER TABLE %I.%I OWNER TO %I', schemaname, tablename, :'owner')
  FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec
SELECT format('ALTER SEQUENCE %I.%I OWNER TO %I', schemaname, sequencename, :'owner')
  FROM pg_sequences
 WHERE schemaname = 'public' AND sequenceowner <> :'owner'
   -- A sequence owned by a column follows its table.
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.objid = format('%I.%I', schemaname, sequencename)::regclass
                      AND d.deptype IN ('a', 'i')) \gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p') AND pg_get_userbyid(p.proowner) <> :'owner'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') \gexec
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO :"app";

-- The append-only tables: rows are added, never changed or removed (the triggers say so too; a
-- missing privilege is a second wall that no trigger setting can lower).
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %I', t, :'app')
  FROM unnest(ARRAY['journal_entries', 'postings', 'audit_log']) AS t
 WHERE to_regclass(format('public.%I', t)) IS NOT NULL \gexec
-- One exception, column by column: erasure redacts personal data in audit rows (the person's
-- email or name in actor_label, ip, before, after) and stamps redacted_at; who did what and when
-- (action, entity, at, actor id) stays out of the app's reach, and the trigger checks the rest.
SELECT format('GRANT UPDATE (actor_label, ip, before, after, redacted_at) ON audit_log TO %I', :'app')
 WHERE EXISTS (SELECT 1 FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = 'audit_log'
                  AND column_name = 'redacted_at') \gexec
