-- mobius:replaces-checksum b666ba156e859ba93173a20ac1e4bbdb
-- mobius-user schema (database mobius_user), docs/contracts.md, "Tokens" and "The user database".
-- UUID keys default gen_random_uuid(); timestamps are `timestamp` without time
-- zone defaulting to now(). Adoption-safe: IF NOT EXISTS throughout,
-- constraints inline, seeds ON CONFLICT DO NOTHING.

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
CREATE INDEX IF NOT EXISTS idx_app_user_email ON app_user (email);
CREATE INDEX IF NOT EXISTS idx_app_user_tenant_id ON app_user (tenant_id);
-- Emails are unique per tenant, case-insensitively.
CREATE UNIQUE INDEX IF NOT EXISTS uq_app_user_tenant_lower_email ON app_user (tenant_id, lower(email));

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
CREATE INDEX IF NOT EXISTS idx_auth_provider_link_user_id ON auth_provider_link (user_id);

CREATE TABLE IF NOT EXISTS user_session (
    session_id         uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid      NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    refresh_token_hash text,                            -- sha256 hex of the refresh token
    device_info        jsonb     DEFAULT '{}'::jsonb,
    created_at         timestamp DEFAULT now(),
    expires_at         timestamp NOT NULL,
    revoked_at         timestamp
);
CREATE INDEX IF NOT EXISTS idx_user_session_user_id ON user_session (user_id);

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

-- The default tenant (docs/contracts.md, "Tokens") must exist for app_user.tenant_id.
INSERT INTO tenant (tenant_id, name)
VALUES ('00000000-0000-0000-0000-000000000001', 'Default')
ON CONFLICT (tenant_id) DO NOTHING;

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
