-- os database, migration 010: Messages: templates, threads, messages, attachments and recipients.
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

-- A reusable message text with {{variables}} (reminders, outreach, statements); tenant_id NULL = for all tenants.
CREATE TABLE IF NOT EXISTS message_template (
  template_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid REFERENCES tenant (tenant_id) ON DELETE CASCADE,
  template_code varchar(100) NOT NULL,
  name          varchar(255) NOT NULL,
  channel       varchar(20) NOT NULL DEFAULT 'in_app',
  activity_code varchar(50),
  subject       varchar(255),
  body          text NOT NULL,
  variables     jsonb NOT NULL DEFAULT '[]'::jsonb,
  is_active     boolean NOT NULL DEFAULT true,
  created_by    uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at    timestamp NOT NULL DEFAULT now(),
  updated_at    timestamp NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (tenant_id, template_code)
);

-- A conversation (between staff, or with a patient, payer or referral partner), optionally about one patient.
CREATE TABLE IF NOT EXISTS message_thread (
  thread_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  subject            varchar(255),
  thread_type        varchar(20) NOT NULL DEFAULT 'internal',
  status             varchar(20) NOT NULL DEFAULT 'open',
  created_by         uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  last_message_at    timestamp,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- One message in a thread (from a user, the patient, the system or the assistant) over one channel.
CREATE TABLE IF NOT EXISTS message (
  message_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenant (tenant_id),
  thread_id      uuid NOT NULL REFERENCES message_thread (thread_id) ON DELETE CASCADE,
  sender_user_id uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  sender_type    varchar(20) NOT NULL DEFAULT 'user',
  template_id    uuid REFERENCES message_template (template_id) ON DELETE SET NULL,
  channel        varchar(20) NOT NULL DEFAULT 'in_app',
  direction      varchar(20) NOT NULL DEFAULT 'internal',
  body           text NOT NULL,
  body_format    varchar(20) NOT NULL DEFAULT 'text',
  metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
  status         varchar(20) NOT NULL DEFAULT 'sent',
  sent_at        timestamp,
  created_at     timestamp NOT NULL DEFAULT now(),
  updated_at     timestamp NOT NULL DEFAULT now()
);

-- A file attached to a message (stored at storage_uri, or an os source document).
CREATE TABLE IF NOT EXISTS message_attachment (
  attachment_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id         uuid NOT NULL REFERENCES message (message_id) ON DELETE CASCADE,
  source_document_id uuid REFERENCES source_document (source_document_id) ON DELETE SET NULL,
  filename           varchar(255) NOT NULL,
  mime_type          varchar(100),
  size_bytes         bigint,
  storage_uri        text,
  created_at         timestamp NOT NULL DEFAULT now()
);

-- A recipient of a message (a user, or an outside address) and its delivery and read state.
CREATE TABLE IF NOT EXISTS message_recipient (
  recipient_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id        uuid NOT NULL REFERENCES message (message_id) ON DELETE CASCADE,
  recipient_user_id uuid REFERENCES app_user (user_id) ON DELETE CASCADE,
  recipient_type    varchar(20) NOT NULL DEFAULT 'user',
  external_address  varchar(255),
  delivery_status   varchar(20) NOT NULL DEFAULT 'pending',
  delivered_at      timestamp,
  read_at           timestamp,
  created_at        timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_message_template_created_by', 'message_template', 'created_by');
SELECT pg_temp.ensure_index('idx_message_thread_tenant_id', 'message_thread', 'tenant_id');
SELECT pg_temp.ensure_index('idx_message_thread_patient_context_id', 'message_thread', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_message_thread_status', 'message_thread', 'status');
SELECT pg_temp.ensure_index('idx_message_thread_created_by', 'message_thread', 'created_by');
SELECT pg_temp.ensure_index('idx_message_tenant_id', 'message', 'tenant_id');
SELECT pg_temp.ensure_index('idx_message_thread_id', 'message', 'thread_id', 'created_at');
SELECT pg_temp.ensure_index('idx_message_sender_user_id', 'message', 'sender_user_id');
SELECT pg_temp.ensure_index('idx_message_template_id', 'message', 'template_id');
SELECT pg_temp.ensure_index('idx_message_attachment_message_id', 'message_attachment', 'message_id');
SELECT pg_temp.ensure_index('idx_message_attachment_source_document_id', 'message_attachment', 'source_document_id');
SELECT pg_temp.ensure_index('idx_message_recipient_message_id', 'message_recipient', 'message_id');
SELECT pg_temp.ensure_index('idx_message_recipient_user_id', 'message_recipient', 'recipient_user_id', 'read_at');
