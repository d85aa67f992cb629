-- os database, migration 005: Evidence: raw data and source documents, the facts drawn from them, and links from facts to sources and to plan steps.
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

-- A piece of data as received from a source (an eligibility response, an EHR extract, a form), before facts are drawn from it.
CREATE TABLE IF NOT EXISTS raw_data (
  raw_data_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  source_system      varchar(100) NOT NULL,
  data_type          varchar(50) NOT NULL,
  content            jsonb,
  raw_text           text,
  content_hash       varchar(64),
  processing_status  varchar(20) NOT NULL DEFAULT 'pending',
  processing_error   text,
  received_at        timestamp NOT NULL DEFAULT now(),
  processed_at       timestamp,
  created_at         timestamp NOT NULL DEFAULT now()
);

-- A document evidence comes from (a card image, a payer letter, a policy); rag_document_id is a RAG documents.id (no foreign key: other database).
CREATE TABLE IF NOT EXISTS source_document (
  source_document_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  raw_data_id        uuid REFERENCES raw_data (raw_data_id) ON DELETE SET NULL,
  rag_document_id    uuid,
  document_type      varchar(50) NOT NULL DEFAULT 'other',
  title              varchar(255),
  filename           varchar(255),
  mime_type          varchar(100),
  storage_uri        text,
  content_hash       varchar(64),
  page_count         integer,
  authority_level    varchar(100),
  effective_date     date,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- A fact known about a patient for one payment factor, with its impact on getting paid; is_stale marks facts to re-check.
CREATE TABLE IF NOT EXISTS evidence (
  evidence_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  factor_type        varchar(50) NOT NULL,
  fact_type          varchar(100) NOT NULL,
  fact_summary       text NOT NULL DEFAULT '',
  fact_data          jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_stale           boolean NOT NULL DEFAULT false,
  stale_reason       text,
  impact_direction   varchar(20),
  impact_weight      numeric(5,4) CHECK (impact_weight BETWEEN 0 AND 1),
  impact_summary     text,
  confidence         numeric(5,4) CHECK (confidence BETWEEN 0 AND 1),
  observed_at        timestamp,
  expires_at         timestamp,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- Where a fact came from: raw data, a source document (page, excerpt) or a RAG chunk (rag_chunk_id: no foreign key, other database).
CREATE TABLE IF NOT EXISTS fact_source_link (
  link_id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  evidence_id        uuid NOT NULL REFERENCES evidence (evidence_id) ON DELETE CASCADE,
  raw_data_id        uuid REFERENCES raw_data (raw_data_id) ON DELETE CASCADE,
  source_document_id uuid REFERENCES source_document (source_document_id) ON DELETE CASCADE,
  rag_chunk_id       uuid,
  page_number        integer,
  excerpt            text,
  confidence         numeric(5,4) CHECK (confidence BETWEEN 0 AND 1),
  created_at         timestamp NOT NULL DEFAULT now()
);

-- A fact used by a plan step (as the reason for the step, support for an answer, or a contradiction).
CREATE TABLE IF NOT EXISTS plan_step_fact_link (
  link_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  step_id     uuid NOT NULL REFERENCES plan_step (step_id) ON DELETE CASCADE,
  evidence_id uuid NOT NULL REFERENCES evidence (evidence_id) ON DELETE CASCADE,
  link_type   varchar(30) NOT NULL DEFAULT 'supports',
  created_at  timestamp NOT NULL DEFAULT now(),
  UNIQUE (step_id, evidence_id)
);

SELECT pg_temp.ensure_index('idx_raw_data_tenant_id', 'raw_data', 'tenant_id');
SELECT pg_temp.ensure_index('idx_raw_data_patient_context_id', 'raw_data', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_raw_data_processing_status', 'raw_data', 'processing_status');
SELECT pg_temp.ensure_index('idx_raw_data_content_hash', 'raw_data', 'content_hash');
SELECT pg_temp.ensure_index('idx_source_document_tenant_id', 'source_document', 'tenant_id');
SELECT pg_temp.ensure_index('idx_source_document_patient_context_id', 'source_document', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_source_document_raw_data_id', 'source_document', 'raw_data_id');
SELECT pg_temp.ensure_index('idx_source_document_rag_document_id', 'source_document', 'rag_document_id');
SELECT pg_temp.ensure_index('idx_evidence_tenant_id', 'evidence', 'tenant_id');
SELECT pg_temp.ensure_index('idx_evidence_patient_context_id', 'evidence', 'patient_context_id', 'factor_type');
SELECT pg_temp.ensure_index('idx_evidence_fact_type', 'evidence', 'fact_type');
SELECT pg_temp.ensure_index('idx_fact_source_link_evidence_id', 'fact_source_link', 'evidence_id');
SELECT pg_temp.ensure_index('idx_fact_source_link_raw_data_id', 'fact_source_link', 'raw_data_id');
SELECT pg_temp.ensure_index('idx_fact_source_link_source_document_id', 'fact_source_link', 'source_document_id');
SELECT pg_temp.ensure_index('idx_plan_step_fact_link_evidence_id', 'plan_step_fact_link', 'evidence_id');
