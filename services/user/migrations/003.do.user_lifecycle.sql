-- Account lifecycle and the rest of the identity directory (docs/user-api.md), in the user service's
-- own schema `user_ext` (the contract's public schema stays its eight tables). Names follow the
-- existing mobius-user's later migrations (user_alias, user_access_event; is_agent/canonical_handle
-- live here instead of on app_user). Adoption-safe: IF NOT EXISTS throughout.

-- The outbox mailer's table (src/mail/outbox-mailer.ts): every mail the service sends (password
-- reset, invite) when USER_MAILER=outbox, for operators and tests to read. A reset mail holds its
-- single-use link; the link dies with its token (60 minutes, or at its first use).
CREATE TABLE IF NOT EXISTS user_ext.mail_outbox (
    mail_id         uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    recipient       varchar(254) NOT NULL,
    subject         text         NOT NULL,
    body            text         NOT NULL,
    intent          varchar(40)  NOT NULL,
    idempotency_key varchar(120) NOT NULL UNIQUE,
    created_at      timestamp    NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ix_mail_outbox_recipient ON user_ext.mail_outbox (recipient, created_at);

-- Natural-language handles for a user ("sam"), read by /api/v1/users/resolve.
CREATE TABLE IF NOT EXISTS user_ext.user_alias (
    user_id    uuid         NOT NULL REFERENCES public.app_user (user_id) ON DELETE CASCADE,
    alias      varchar(255) NOT NULL,
    weight     integer      NOT NULL DEFAULT 0,
    created_at timestamp    NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, alias)
);
CREATE INDEX IF NOT EXISTS ix_user_alias_lower ON user_ext.user_alias (lower(alias));

-- Agent principals (POST /api/v1/users/agents): their assignee handle `agent:{name}`.
CREATE TABLE IF NOT EXISTS user_ext.agent_principal (
    user_id          uuid         PRIMARY KEY REFERENCES public.app_user (user_id) ON DELETE CASCADE,
    canonical_handle varchar(255) NOT NULL UNIQUE,
    created_at       timestamp    NOT NULL DEFAULT now()
);

-- Append-only usage ledger of POST /api/v1/users/access-beacon.
CREATE TABLE IF NOT EXISTS user_ext.user_access_event (
    event_id    uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid         REFERENCES public.app_user (user_id) ON DELETE SET NULL,
    surface     varchar(40)  NOT NULL,
    org_slug    varchar(255),
    action      varchar(40),
    occurred_at timestamp    NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ix_user_access_event_user ON user_ext.user_access_event (user_id, occurred_at);
