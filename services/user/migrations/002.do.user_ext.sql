-- mobius:replaces-checksum f213215a8f7eea84022f4190d3765f6f
-- What the user service stores beyond the eight tables of docs/contracts.md, "The user database", in its own schema
-- `user_ext` so the contract's public schema stays exactly those eight (the os identity tables
-- mirror them). Names and columns follow the existing mobius-user's later migrations (its
-- user_preference_audit, user_org_membership, user_capability, auth_token), so a reader of either
-- recognises them. Adoption-safe: IF NOT EXISTS throughout.

CREATE SCHEMA IF NOT EXISTS user_ext;

-- Tenancy: registering (or first Google sign-in) into a tenant other than the default needs
-- open_registration = true here; no row means closed. Stricter than the original, which let anyone
-- register into any existing tenant by naming it.
CREATE TABLE IF NOT EXISTS user_ext.tenant_settings (
    tenant_id         uuid      PRIMARY KEY REFERENCES public.tenant (tenant_id) ON DELETE CASCADE,
    open_registration boolean   NOT NULL DEFAULT false,
    updated_at        timestamp NOT NULL DEFAULT now()
);

-- Append-only per-field change log of PUT /api/v1/auth/preferences and the admin routes
-- (account_status, membership_status), as the original's user_preference_audit.
CREATE TABLE IF NOT EXISTS user_ext.user_preference_audit (
    audit_id   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL REFERENCES public.app_user (user_id) ON DELETE CASCADE,
    field      varchar(50) NOT NULL,
    old_value  text,
    new_value  text,
    source     varchar(30),
    changed_at timestamp   NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ix_user_preference_audit_user_changed ON user_ext.user_preference_audit (user_id, changed_at);

-- The onboarding's hesitation chips (the original keeps them on user_preference; the contract's
-- user_preference has no such column).
CREATE TABLE IF NOT EXISTS user_ext.user_hesitations (
    user_id     uuid           PRIMARY KEY REFERENCES public.app_user (user_id) ON DELETE CASCADE,
    hesitations varchar(50)[]  NOT NULL DEFAULT '{}'
);

-- Org memberships by canonical slug: status active | pending (self-claimed) | removed.
CREATE TABLE IF NOT EXISTS user_ext.user_org_membership (
    user_id          uuid          NOT NULL REFERENCES public.app_user (user_id) ON DELETE CASCADE,
    org_slug         varchar(255)  NOT NULL,
    org_display_name varchar(255),
    roles            varchar(100)[] NOT NULL DEFAULT '{}',
    status           varchar(20)   NOT NULL DEFAULT 'active',
    approved_by      varchar(255),
    approved_at      timestamp,
    removed_by       varchar(255),
    removed_at       timestamp,
    created_at       timestamp     NOT NULL DEFAULT now(),
    updated_at       timestamp     NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, org_slug)
);
CREATE INDEX IF NOT EXISTS ix_user_org_membership_org_status ON user_ext.user_org_membership (org_slug, status);

-- Admin-granted authorities, read on every profile; revoked by stamping, never deleted.
CREATE TABLE IF NOT EXISTS user_ext.user_capability (
    capability_id uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid         NOT NULL REFERENCES public.app_user (user_id) ON DELETE CASCADE,
    capability    varchar(50)  NOT NULL,
    org_slug      varchar(255),
    granted_by    varchar(255),
    granted_at    timestamp    NOT NULL DEFAULT now(),
    revoked_by    varchar(255),
    revoked_at    timestamp
);
CREATE INDEX IF NOT EXISTS ix_user_capability_user ON user_ext.user_capability (user_id);

-- Single-use password-reset tokens: only the sha256 hex of the token is stored.
CREATE TABLE IF NOT EXISTS user_ext.auth_token (
    token_id    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL REFERENCES public.app_user (user_id) ON DELETE CASCADE,
    purpose     varchar(20) NOT NULL,
    token_hash  varchar(64) NOT NULL UNIQUE,
    expires_at  timestamp   NOT NULL,
    consumed_at timestamp,
    created_at  timestamp   NOT NULL DEFAULT now(),
    created_by  varchar(255)
);
CREATE INDEX IF NOT EXISTS ix_auth_token_user_purpose ON user_ext.auth_token (user_id, purpose);
