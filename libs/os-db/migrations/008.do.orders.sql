-- os database, migration 008: Orders: clinical orders, one subtype table per order type sharing the order's id, and order results.
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

-- A clinical order for a patient; order_type says which subtype table holds its details (lab, imaging, medication, referral).
CREATE TABLE IF NOT EXISTS clinical_order (
  order_id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id              uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id     uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  appointment_id         uuid REFERENCES appointment (appointment_id) ON DELETE SET NULL,
  ordering_provider_id   uuid REFERENCES provider (provider_id) ON DELETE SET NULL,
  order_type             varchar(20) NOT NULL,
  external_order_id      varchar(255),
  status                 varchar(20) NOT NULL DEFAULT 'draft',
  priority               varchar(20) NOT NULL DEFAULT 'routine',
  diagnosis_codes        jsonb NOT NULL DEFAULT '[]'::jsonb,
  order_date             timestamp NOT NULL DEFAULT now(),
  requires_authorization boolean NOT NULL DEFAULT false,
  authorization_status   varchar(20),
  authorization_number   varchar(100),
  notes                  text,
  created_by             uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at             timestamp NOT NULL DEFAULT now(),
  updated_at             timestamp NOT NULL DEFAULT now()
);

-- The lab-test details of a clinical order (same order_id).
CREATE TABLE IF NOT EXISTS lab_order (
  order_id         uuid PRIMARY KEY REFERENCES clinical_order (order_id) ON DELETE CASCADE,
  test_code        varchar(50),
  test_name        varchar(255) NOT NULL,
  loinc_code       varchar(20),
  specimen_type    varchar(50),
  fasting_required boolean NOT NULL DEFAULT false,
  lab_name         varchar(255),
  collected_at     timestamp,
  created_at       timestamp NOT NULL DEFAULT now(),
  updated_at       timestamp NOT NULL DEFAULT now()
);

-- The imaging details of a clinical order (same order_id).
CREATE TABLE IF NOT EXISTS imaging_order (
  order_id         uuid PRIMARY KEY REFERENCES clinical_order (order_id) ON DELETE CASCADE,
  modality         varchar(30) NOT NULL,
  body_part        varchar(100),
  laterality       varchar(20),
  cpt_code         varchar(10),
  with_contrast    boolean NOT NULL DEFAULT false,
  reason_for_exam  text,
  facility_name    varchar(255),
  scheduled_at     timestamp,
  created_at       timestamp NOT NULL DEFAULT now(),
  updated_at       timestamp NOT NULL DEFAULT now()
);

-- The prescription details of a clinical order (same order_id).
CREATE TABLE IF NOT EXISTS medication_order (
  order_id        uuid PRIMARY KEY REFERENCES clinical_order (order_id) ON DELETE CASCADE,
  medication_name varchar(255) NOT NULL,
  rxnorm_code     varchar(20),
  ndc_code        varchar(20),
  dose            varchar(100),
  route           varchar(50),
  frequency       varchar(100),
  quantity        numeric(10,2),
  refills         integer NOT NULL DEFAULT 0,
  days_supply     integer,
  pharmacy_name   varchar(255),
  is_controlled   boolean NOT NULL DEFAULT false,
  start_date      date,
  end_date        date,
  created_at      timestamp NOT NULL DEFAULT now(),
  updated_at      timestamp NOT NULL DEFAULT now()
);

-- The referral details of a clinical order (same order_id): to whom, why, and its authorization.
CREATE TABLE IF NOT EXISTS referral_order (
  order_id               uuid PRIMARY KEY REFERENCES clinical_order (order_id) ON DELETE CASCADE,
  referred_to_name       varchar(255),
  referred_to_npi        varchar(10),
  specialty              varchar(100),
  referral_reason        text,
  urgency                varchar(20),
  referral_status        varchar(20) NOT NULL DEFAULT 'pending',
  visits_authorized      integer,
  authorization_expires  date,
  sent_at                timestamp,
  accepted_at            timestamp,
  closed_at              timestamp,
  created_at             timestamp NOT NULL DEFAULT now(),
  updated_at             timestamp NOT NULL DEFAULT now()
);

-- A result received for a clinical order (lab values, an imaging report), optionally as a source document.
CREATE TABLE IF NOT EXISTS order_result (
  result_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  order_id           uuid NOT NULL REFERENCES clinical_order (order_id) ON DELETE CASCADE,
  source_document_id uuid REFERENCES source_document (source_document_id) ON DELETE SET NULL,
  result_status      varchar(20) NOT NULL DEFAULT 'preliminary',
  summary            text,
  result_data        jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_abnormal        boolean,
  resulted_at        timestamp,
  reviewed_by        uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  reviewed_at        timestamp,
  created_at         timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_clinical_order_tenant_id', 'clinical_order', 'tenant_id');
SELECT pg_temp.ensure_index('idx_clinical_order_patient_context_id', 'clinical_order', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_clinical_order_appointment_id', 'clinical_order', 'appointment_id');
SELECT pg_temp.ensure_index('idx_clinical_order_ordering_provider_id', 'clinical_order', 'ordering_provider_id');
SELECT pg_temp.ensure_index('idx_clinical_order_order_type', 'clinical_order', 'order_type');
SELECT pg_temp.ensure_index('idx_clinical_order_status', 'clinical_order', 'status');
SELECT pg_temp.ensure_index('idx_clinical_order_created_by', 'clinical_order', 'created_by');
SELECT pg_temp.ensure_index('idx_referral_order_referral_status', 'referral_order', 'referral_status');
SELECT pg_temp.ensure_index('idx_order_result_tenant_id', 'order_result', 'tenant_id');
SELECT pg_temp.ensure_index('idx_order_result_order_id', 'order_result', 'order_id');
SELECT pg_temp.ensure_index('idx_order_result_source_document_id', 'order_result', 'source_document_id');
SELECT pg_temp.ensure_index('idx_order_result_reviewed_by', 'order_result', 'reviewed_by');
