-- os database, migration 002: Patients: the os's record of each patient, their outside identities and identifiers, versioned display data, contacts and notes.
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

-- The os's working record of one patient in a tenant: its key, its attention status and manual factor overrides.
CREATE TABLE IF NOT EXISTS patient_context (
  patient_context_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_key          varchar(255) NOT NULL,
  attention_status     varchar(30) NOT NULL DEFAULT 'none',
  attention_indicator  varchar(10) CHECK (attention_indicator IN ('grey', 'green', 'yellow', 'blue', 'red', 'purple')),
  attention_reason     text,
  attention_since      timestamp,
  attention_updated_at timestamp,
  attention_updated_by uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  snoozed_until        timestamp,
  factor_overrides     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at           timestamp NOT NULL DEFAULT now(),
  updated_at           timestamp NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, patient_key)
);

-- A link from a patient to their identity record in an outside system (EHR, practice management, MPI).
CREATE TABLE IF NOT EXISTS patient_identity_ref (
  identity_ref_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  source_system      varchar(100) NOT NULL,
  external_ref       varchar(255) NOT NULL,
  match_method       varchar(50),
  match_confidence   numeric(5,4) CHECK (match_confidence BETWEEN 0 AND 1),
  is_primary         boolean NOT NULL DEFAULT false,
  verified_at        timestamp,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, source_system, external_ref)
);

-- One version of a patient's display data (name, birth date, demographics); the highest version is current.
CREATE TABLE IF NOT EXISTS patient_snapshot (
  snapshot_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  snapshot_version   integer NOT NULL DEFAULT 1,
  display_name       varchar(255),
  first_name         varchar(100),
  last_name          varchar(100),
  date_of_birth      date,
  sex                varchar(20),
  mrn                varchar(100),
  phone              varchar(50),
  email              varchar(255),
  address            jsonb,
  display_data       jsonb NOT NULL DEFAULT '{}'::jsonb,
  source             varchar(100),
  created_by         uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at         timestamp NOT NULL DEFAULT now(),
  UNIQUE (patient_context_id, snapshot_version)
);

-- One identifier of a patient (MRN, member id, EHR id, ...); an (id_type, id_value) pair names one patient.
CREATE TABLE IF NOT EXISTS patient_ids (
  identifier_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  id_type            varchar(50) NOT NULL,
  id_value           varchar(255) NOT NULL,
  source_system      varchar(100),
  is_primary         boolean NOT NULL DEFAULT false,
  created_at         timestamp NOT NULL DEFAULT now(),
  UNIQUE (id_type, id_value)
);

-- A way to reach a patient or someone acting for them (phone, email, address, emergency contact, guardian).
CREATE TABLE IF NOT EXISTS patient_contact (
  contact_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id  uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  contact_type        varchar(30) NOT NULL,
  label               varchar(100),
  contact_name        varchar(255),
  relationship        varchar(50),
  value               text NOT NULL,
  details             jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_primary          boolean NOT NULL DEFAULT false,
  consent_to_contact  boolean NOT NULL DEFAULT true,
  created_at          timestamp NOT NULL DEFAULT now(),
  updated_at          timestamp NOT NULL DEFAULT now()
);

-- A free-text note a user wrote about a patient.
CREATE TABLE IF NOT EXISTS patient_note (
  note_id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  author_user_id     uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  note_type          varchar(30) NOT NULL DEFAULT 'general',
  body               text NOT NULL,
  is_pinned          boolean NOT NULL DEFAULT false,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_patient_context_tenant_id', 'patient_context', 'tenant_id');
SELECT pg_temp.ensure_index('idx_patient_context_attention_status', 'patient_context', 'tenant_id', 'attention_status');
SELECT pg_temp.ensure_index('idx_patient_context_attention_updated_by', 'patient_context', 'attention_updated_by');
SELECT pg_temp.ensure_index('idx_patient_identity_ref_tenant_id', 'patient_identity_ref', 'tenant_id');
SELECT pg_temp.ensure_index('idx_patient_identity_ref_patient_context_id', 'patient_identity_ref', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_patient_snapshot_tenant_id', 'patient_snapshot', 'tenant_id');
SELECT pg_temp.ensure_index('idx_patient_snapshot_created_by', 'patient_snapshot', 'created_by');
SELECT pg_temp.ensure_index('idx_patient_ids_tenant_id', 'patient_ids', 'tenant_id');
SELECT pg_temp.ensure_index('idx_patient_ids_patient_context_id', 'patient_ids', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_patient_contact_tenant_id', 'patient_contact', 'tenant_id');
SELECT pg_temp.ensure_index('idx_patient_contact_patient_context_id', 'patient_contact', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_patient_note_tenant_id', 'patient_note', 'tenant_id');
SELECT pg_temp.ensure_index('idx_patient_note_patient_context_id', 'patient_note', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_patient_note_author_user_id', 'patient_note', 'author_user_id');
