-- os database, migration 004: Resolution: plans that close a patient's gaps, their steps, answers, notes and change history.
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

-- A plan to close a patient's gaps (eligibility, authorization, ...): its status, current step and probabilities.
-- current_step_id points at a plan_step of this plan; it has no foreign key because plan_step is created after it.
CREATE TABLE IF NOT EXISTS resolution_plan (
  plan_id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id  uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  gap_types           jsonb NOT NULL DEFAULT '[]'::jsonb,
  status              varchar(20) NOT NULL DEFAULT 'active',
  current_step_id     uuid,
  probabilities       jsonb NOT NULL DEFAULT '{}'::jsonb,
  overall_probability numeric(5,4) CHECK (overall_probability BETWEEN 0 AND 1),
  created_by          uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  assigned_to         uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  resolution_summary  text,
  resolved_at         timestamp,
  created_at          timestamp NOT NULL DEFAULT now(),
  updated_at          timestamp NOT NULL DEFAULT now()
);

-- One step of a plan (a question to answer or an action to take); steps can nest under a parent step.
CREATE TABLE IF NOT EXISTS plan_step (
  step_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id        uuid NOT NULL REFERENCES resolution_plan (plan_id) ON DELETE CASCADE,
  step_order     integer NOT NULL,
  step_code      varchar(100) NOT NULL,
  step_type      varchar(30) NOT NULL DEFAULT 'question',
  question_text  text,
  answer_options jsonb NOT NULL DEFAULT '[]'::jsonb,
  status         varchar(20) NOT NULL DEFAULT 'pending',
  parent_step_id uuid REFERENCES plan_step (step_id) ON DELETE CASCADE,
  factor_type    varchar(50),
  is_required    boolean NOT NULL DEFAULT true,
  assigned_to    uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  completed_at   timestamp,
  created_at     timestamp NOT NULL DEFAULT now(),
  updated_at     timestamp NOT NULL DEFAULT now()
);

-- An answer given to a plan step, by a user or by the assistant (answer_mode).
CREATE TABLE IF NOT EXISTS step_answer (
  answer_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  step_id        uuid NOT NULL REFERENCES plan_step (step_id) ON DELETE CASCADE,
  answer_code    varchar(100) NOT NULL,
  answer_details jsonb NOT NULL DEFAULT '{}'::jsonb,
  answered_by    uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  answer_mode    varchar(20) NOT NULL DEFAULT 'user',
  is_current     boolean NOT NULL DEFAULT true,
  created_at     timestamp NOT NULL DEFAULT now()
);

-- A note on a plan (optionally about one of its steps).
CREATE TABLE IF NOT EXISTS plan_note (
  note_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id        uuid NOT NULL REFERENCES resolution_plan (plan_id) ON DELETE CASCADE,
  step_id        uuid REFERENCES plan_step (step_id) ON DELETE SET NULL,
  author_user_id uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  note_type      varchar(30) NOT NULL DEFAULT 'general',
  note_text      text NOT NULL,
  created_at     timestamp NOT NULL DEFAULT now(),
  updated_at     timestamp NOT NULL DEFAULT now()
);

-- A change made to a plan (step added/removed/reordered, status or gaps changed), with the before and after.
CREATE TABLE IF NOT EXISTS plan_modification (
  modification_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id           uuid NOT NULL REFERENCES resolution_plan (plan_id) ON DELETE CASCADE,
  step_id           uuid REFERENCES plan_step (step_id) ON DELETE SET NULL,
  modification_type varchar(50) NOT NULL,
  previous_value    jsonb,
  new_value         jsonb,
  reason            text,
  modified_by       uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  created_at        timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_resolution_plan_tenant_id', 'resolution_plan', 'tenant_id');
SELECT pg_temp.ensure_index('idx_resolution_plan_patient_context_id', 'resolution_plan', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_resolution_plan_status', 'resolution_plan', 'status');
SELECT pg_temp.ensure_index('idx_resolution_plan_current_step_id', 'resolution_plan', 'current_step_id');
SELECT pg_temp.ensure_index('idx_resolution_plan_created_by', 'resolution_plan', 'created_by');
SELECT pg_temp.ensure_index('idx_resolution_plan_assigned_to', 'resolution_plan', 'assigned_to');
SELECT pg_temp.ensure_index('idx_plan_step_plan_id', 'plan_step', 'plan_id', 'step_order');
SELECT pg_temp.ensure_index('idx_plan_step_parent_step_id', 'plan_step', 'parent_step_id');
SELECT pg_temp.ensure_index('idx_plan_step_status', 'plan_step', 'status');
SELECT pg_temp.ensure_index('idx_plan_step_assigned_to', 'plan_step', 'assigned_to');
SELECT pg_temp.ensure_index('idx_step_answer_step_id', 'step_answer', 'step_id');
SELECT pg_temp.ensure_index('idx_step_answer_answered_by', 'step_answer', 'answered_by');
SELECT pg_temp.ensure_index('idx_plan_note_plan_id', 'plan_note', 'plan_id');
SELECT pg_temp.ensure_index('idx_plan_note_step_id', 'plan_note', 'step_id');
SELECT pg_temp.ensure_index('idx_plan_note_author_user_id', 'plan_note', 'author_user_id');
SELECT pg_temp.ensure_index('idx_plan_modification_plan_id', 'plan_modification', 'plan_id');
SELECT pg_temp.ensure_index('idx_plan_modification_step_id', 'plan_modification', 'step_id');
SELECT pg_temp.ensure_index('idx_plan_modification_modified_by', 'plan_modification', 'modified_by');
