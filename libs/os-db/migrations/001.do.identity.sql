-- mobius:replaces-checksum a1d4890a2911b6b6a3e026e21c91d489
-- os database, migration 001: Identity: the user database's 8 tables with the same shapes (docs/contracts.md, "The user database"), plus application and policy_config.
-- Safe to run against the production os database whose tables already exist (created before these
-- migrations, without a tracking table): every statement is IF NOT EXISTS / ON CONFLICT DO NOTHING,
-- nothing is dropped or altered. Timestamps are 'timestamp' without time zone, in UTC.

-- Index helper for this file (a session-local function in pg_temp, gone when the connection closes).
-- It runs CREATE INDEX IF NOT EXISTS only when the table has every named column: the production os
-- database created these tables before these migrations existed, and CREATE TABLE IF NOT EXISTS keeps
-- its tables as they are, so a column designed here may be missing there; the index is then skipped
-- (with a NOTICE) instead of failing the migration.
CREATE OR REPLACE FUNCTION pg_temp.ensure_index(index_name text, table_name text, VARIADIC columns text[])
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT count(*) FROM information_schema.columns c
       WHERE c.table_schema = current_schema()
         AND c.table_name = ensure_index.table_name
         AND c.column_name = ANY (ensure_index.columns)) = cardinality(ensure_index.columns) THEN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (%s)', index_name, table_name,
                   (SELECT string_agg(format('%I', col), ', ') FROM unnest(ensure_index.columns) AS col));
  ELSE
    RAISE NOTICE 'os migration: index % skipped, table % lacks one of the columns %', index_name, table_name, columns;
  END IF;
END
$fn$;

-- The user database's 8 identity tables, statement for statement as in
-- services/user/migrations/001.do.user_schema.sql: os repeats the user database's shapes.
CREATE TABLE IF NOT EXISTS tenant (
    tenant_id  uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text      NOT NULL,
    created_at timestamp DEFAULT now()
);

CREATE TABLE IF NOT EXISTS role (
    role_id    uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text      NOT NULL UNIQUE,
    created_at timestamp DEFAULT now()
);

CREATE TABLE IF NOT EXISTS app_user (
    user_id                 uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               uuid      NOT NULL REFERENCES tenant (tenant_id),
    role_id                 uuid      REFERENCES role (role_id),
    email                   text      NOT NULL,
    display_name            text,
    status                  text      DEFAULT 'active',
    created_at              timestamp DEFAULT now(),
    last_login_at           timestamp,
    password_hash           text,                       -- bcrypt (cost 12); NULL for Google-only users
    first_name              text,
    preferred_name          text,
    timezone                text      DEFAULT 'America/New_York',
    locale                  text      DEFAULT 'en-US',
    onboarding_completed_at timestamp,
    avatar_url              text
);

CREATE TABLE IF NOT EXISTS auth_provider_link (
    link_id          uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid      NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    provider         text      NOT NULL CHECK (provider IN ('email', 'google')),
    provider_user_id text      NOT NULL,
    email            text,
    created_at       timestamp DEFAULT now(),
    last_used_at     timestamp,
    UNIQUE (provider, provider_user_id)
);

CREATE TABLE IF NOT EXISTS user_session (
    session_id         uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid      NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    refresh_token_hash text,                            -- sha256 hex of the refresh token
    device_info        jsonb     DEFAULT '{}'::jsonb,
    created_at         timestamp DEFAULT now(),
    expires_at         timestamp NOT NULL,
    revoked_at         timestamp
);

CREATE TABLE IF NOT EXISTS activity (
    activity_id          uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    activity_code        text      NOT NULL UNIQUE,
    label                text      NOT NULL,
    description          text,
    quick_actions        jsonb     DEFAULT '[]'::jsonb,
    relevant_data_fields jsonb     DEFAULT '[]'::jsonb,
    display_order        integer   DEFAULT 0,
    is_active            boolean   DEFAULT true,
    created_at           timestamp DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_activity (
    user_id     uuid      NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    activity_id uuid      NOT NULL REFERENCES activity (activity_id) ON DELETE CASCADE,
    is_primary  boolean   DEFAULT false,
    added_at    timestamp DEFAULT now(),
    PRIMARY KEY (user_id, activity_id)
);

CREATE TABLE IF NOT EXISTS user_preference (
    preference_id            uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                  uuid      NOT NULL UNIQUE REFERENCES app_user (user_id) ON DELETE CASCADE,
    always_require_oversight boolean   DEFAULT false,
    notification_preferences jsonb     DEFAULT '{}'::jsonb,
    tone                     text      DEFAULT 'professional',
    greeting_enabled         boolean   DEFAULT true,
    ai_experience_level      text      DEFAULT 'beginner',
    autonomy_routine_tasks   text      DEFAULT 'confirm_first',
    autonomy_sensitive_tasks text      DEFAULT 'confirm_first',
    display_preferences_json jsonb     DEFAULT '{}'::jsonb,
    created_at               timestamp DEFAULT now(),
    updated_at               timestamp DEFAULT now()
);

-- A client application the os serves (e.g. the sidecar in an EHR or practice-management system); tenant_id NULL = available to all tenants.
CREATE TABLE IF NOT EXISTS application (
  application_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid REFERENCES tenant (tenant_id) ON DELETE CASCADE,
  application_code varchar(100) NOT NULL UNIQUE,
  name             varchar(255) NOT NULL,
  description      text,
  url_patterns     jsonb NOT NULL DEFAULT '[]'::jsonb,
  settings         jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_active        boolean NOT NULL DEFAULT true,
  created_at       timestamp NOT NULL DEFAULT now(),
  updated_at       timestamp NOT NULL DEFAULT now()
);

-- One version of a tenant's decision policy (rules as jsonb); the highest active version is in force.
CREATE TABLE IF NOT EXISTS policy_config (
  tenant_id   uuid NOT NULL REFERENCES tenant (tenant_id) ON DELETE CASCADE,
  version     integer NOT NULL,
  rules       jsonb NOT NULL DEFAULT '{}'::jsonb,
  description text,
  is_active   boolean NOT NULL DEFAULT true,
  created_by  uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at  timestamp NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, version)
);

SELECT pg_temp.ensure_index('idx_app_user_email', 'app_user', 'email');
SELECT pg_temp.ensure_index('idx_app_user_tenant_id', 'app_user', 'tenant_id');
SELECT pg_temp.ensure_index('idx_app_user_role_id', 'app_user', 'role_id');
SELECT pg_temp.ensure_index('idx_auth_provider_link_user_id', 'auth_provider_link', 'user_id');
SELECT pg_temp.ensure_index('idx_auth_provider_link_provider_user', 'auth_provider_link', 'provider', 'provider_user_id');
SELECT pg_temp.ensure_index('idx_user_session_user_id', 'user_session', 'user_id');
SELECT pg_temp.ensure_index('idx_user_session_refresh_token_hash', 'user_session', 'refresh_token_hash');
SELECT pg_temp.ensure_index('idx_user_activity_activity_id', 'user_activity', 'activity_id');
SELECT pg_temp.ensure_index('idx_application_tenant_id', 'application', 'tenant_id');
SELECT pg_temp.ensure_index('idx_policy_config_created_by', 'policy_config', 'created_by');

-- The 9 activities of the user database, same codes. Re-running inserts nothing.
INSERT INTO activity (activity_code, label, description, quick_actions, relevant_data_fields, display_order, is_active)
SELECT v.activity_code, v.label, v.description, v.quick_actions::jsonb, v.relevant_data_fields::jsonb, v.display_order, true
FROM (VALUES
  ('schedule_appointments', 'Schedule appointments', 'Book, reschedule and confirm patient appointments',
   '["find_open_slot", "book_appointment", "send_reminder"]', '["appointment_date", "provider", "visit_type"]', 1),
  ('check_in_patients', 'Check in patients', 'Check patients in on arrival and collect intake forms',
   '["check_in", "send_intake_form", "collect_copay"]', '["appointment_time", "intake_status", "copay_amount"]', 2),
  ('verify_eligibility', 'Verify eligibility', 'Confirm insurance coverage and benefits before the visit',
   '["run_eligibility_check", "update_insurance", "flag_coverage_issue"]', '["payer", "member_id", "coverage_status"]', 3),
  ('submit_claims', 'Submit claims', 'Prepare and submit claims to payers',
   '["review_claim", "submit_claim", "check_claim_status"]', '["claim_status", "total_charge", "payer"]', 4),
  ('rework_denials', 'Rework denials', 'Investigate denied claims, correct and resubmit or appeal',
   '["view_denial", "correct_claim", "start_appeal"]', '["denial_code", "denied_amount", "appeal_deadline"]', 5),
  ('prior_authorization', 'Prior authorization', 'Request and track prior authorizations with payers',
   '["request_authorization", "check_authorization_status", "attach_documents"]', '["authorization_status", "authorization_number", "payer"]', 6),
  ('patient_outreach', 'Patient outreach', 'Contact patients about appointments, balances and missing information',
   '["send_message", "call_patient", "send_statement"]', '["phone", "email", "balance_due"]', 7),
  ('document_notes', 'Document notes', 'Record and review notes on patients and visits',
   '["add_note", "review_notes"]', '["last_note", "note_author"]', 8),
  ('coordinate_referrals', 'Coordinate referrals', 'Send, track and close the loop on referrals',
   '["create_referral", "send_referral", "track_referral"]', '["referral_status", "referred_to", "specialty"]', 9)
) AS v (activity_code, label, description, quick_actions, relevant_data_fields, display_order)
WHERE NOT EXISTS (SELECT 1 FROM activity a WHERE a.activity_code = v.activity_code)
ON CONFLICT DO NOTHING;
