-- os database, migration 006: Probability and tasks: payment probabilities per patient and date, task templates and their steps, task and step instances.
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

-- A computed probability that a patient's visit on target_date gets paid, overall and per factor.
CREATE TABLE IF NOT EXISTS payment_probability (
  probability_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id               uuid NOT NULL REFERENCES tenant (tenant_id),
  patient_context_id      uuid NOT NULL REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  plan_id                 uuid REFERENCES resolution_plan (plan_id) ON DELETE SET NULL,
  target_date             date NOT NULL,
  overall_probability     numeric(5,4) NOT NULL CHECK (overall_probability BETWEEN 0 AND 1),
  confidence              numeric(5,4) CHECK (confidence BETWEEN 0 AND 1),
  prob_attendance         numeric(5,4) CHECK (prob_attendance BETWEEN 0 AND 1),
  prob_eligibility        numeric(5,4) CHECK (prob_eligibility BETWEEN 0 AND 1),
  prob_coverage           numeric(5,4) CHECK (prob_coverage BETWEEN 0 AND 1),
  prob_authorization      numeric(5,4) CHECK (prob_authorization BETWEEN 0 AND 1),
  prob_no_errors          numeric(5,4) CHECK (prob_no_errors BETWEEN 0 AND 1),
  lowest_factor           varchar(50),
  lowest_factor_reason    text,
  factor_details          jsonb NOT NULL DEFAULT '{}'::jsonb,
  computation_version     varchar(50),
  computed_at             timestamp NOT NULL DEFAULT now(),
  created_at              timestamp NOT NULL DEFAULT now()
);

-- A reusable kind of task (e.g. verify eligibility before a visit); task_code is unique. tenant_id NULL = for all tenants.
CREATE TABLE IF NOT EXISTS task_template (
  template_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid REFERENCES tenant (tenant_id) ON DELETE CASCADE,
  task_code          varchar(100) NOT NULL UNIQUE,
  name               varchar(255) NOT NULL,
  description        text,
  category           varchar(50),
  activity_code      varchar(50),
  factor_type        varchar(50),
  default_priority   varchar(20) NOT NULL DEFAULT 'medium',
  estimated_minutes  integer,
  sla_hours          integer,
  can_automate       boolean NOT NULL DEFAULT false,
  requires_oversight boolean NOT NULL DEFAULT true,
  is_active          boolean NOT NULL DEFAULT true,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- One step of a task template, in order.
CREATE TABLE IF NOT EXISTS task_step (
  task_step_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  template_id  uuid NOT NULL REFERENCES task_template (template_id) ON DELETE CASCADE,
  step_order   integer NOT NULL,
  step_code    varchar(100) NOT NULL,
  name         varchar(255) NOT NULL,
  instructions text,
  step_type    varchar(30) NOT NULL DEFAULT 'manual',
  is_required  boolean NOT NULL DEFAULT true,
  can_automate boolean NOT NULL DEFAULT false,
  config       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamp NOT NULL DEFAULT now(),
  updated_at   timestamp NOT NULL DEFAULT now(),
  UNIQUE (template_id, step_code)
);

-- A task made from a template for one patient, assigned to a user, with its status and priority.
CREATE TABLE IF NOT EXISTS task_instance (
  task_instance_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenant (tenant_id),
  template_id        uuid NOT NULL REFERENCES task_template (template_id),
  patient_context_id uuid REFERENCES patient_context (patient_context_id) ON DELETE CASCADE,
  plan_id            uuid REFERENCES resolution_plan (plan_id) ON DELETE SET NULL,
  plan_step_id       uuid REFERENCES plan_step (step_id) ON DELETE SET NULL,
  assignee           uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  assigned_by        uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  status             varchar(20) NOT NULL DEFAULT 'pending',
  priority           varchar(20) NOT NULL DEFAULT 'medium',
  due_at             timestamp,
  started_at         timestamp,
  completed_at       timestamp,
  outcome            jsonb,
  created_at         timestamp NOT NULL DEFAULT now(),
  updated_at         timestamp NOT NULL DEFAULT now()
);

-- The progress of one template step within a task instance.
CREATE TABLE IF NOT EXISTS step_instance (
  step_instance_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  task_instance_id uuid NOT NULL REFERENCES task_instance (task_instance_id) ON DELETE CASCADE,
  task_step_id     uuid REFERENCES task_step (task_step_id) ON DELETE SET NULL,
  step_order       integer NOT NULL,
  status           varchar(20) NOT NULL DEFAULT 'pending',
  completed_by     uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  completed_mode   varchar(20),
  result           jsonb,
  notes            text,
  started_at       timestamp,
  completed_at     timestamp,
  created_at       timestamp NOT NULL DEFAULT now(),
  updated_at       timestamp NOT NULL DEFAULT now()
);

-- A comment a user left on a task instance.
CREATE TABLE IF NOT EXISTS task_comment (
  comment_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  task_instance_id uuid NOT NULL REFERENCES task_instance (task_instance_id) ON DELETE CASCADE,
  author_user_id   uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
  body             text NOT NULL,
  created_at       timestamp NOT NULL DEFAULT now(),
  updated_at       timestamp NOT NULL DEFAULT now()
);

SELECT pg_temp.ensure_index('idx_payment_probability_tenant_id', 'payment_probability', 'tenant_id');
SELECT pg_temp.ensure_index('idx_payment_probability_patient_context_id', 'payment_probability', 'patient_context_id', 'target_date');
SELECT pg_temp.ensure_index('idx_payment_probability_plan_id', 'payment_probability', 'plan_id');
SELECT pg_temp.ensure_index('idx_task_template_tenant_id', 'task_template', 'tenant_id');
SELECT pg_temp.ensure_index('idx_task_template_activity_code', 'task_template', 'activity_code');
SELECT pg_temp.ensure_index('idx_task_step_template_id', 'task_step', 'template_id', 'step_order');
SELECT pg_temp.ensure_index('idx_task_instance_tenant_id', 'task_instance', 'tenant_id');
SELECT pg_temp.ensure_index('idx_task_instance_template_id', 'task_instance', 'template_id');
SELECT pg_temp.ensure_index('idx_task_instance_patient_context_id', 'task_instance', 'patient_context_id');
SELECT pg_temp.ensure_index('idx_task_instance_plan_id', 'task_instance', 'plan_id');
SELECT pg_temp.ensure_index('idx_task_instance_plan_step_id', 'task_instance', 'plan_step_id');
SELECT pg_temp.ensure_index('idx_task_instance_assignee', 'task_instance', 'assignee', 'status');
SELECT pg_temp.ensure_index('idx_task_instance_assigned_by', 'task_instance', 'assigned_by');
SELECT pg_temp.ensure_index('idx_task_instance_status', 'task_instance', 'status');
SELECT pg_temp.ensure_index('idx_step_instance_task_instance_id', 'step_instance', 'task_instance_id');
SELECT pg_temp.ensure_index('idx_step_instance_task_step_id', 'step_instance', 'task_step_id');
SELECT pg_temp.ensure_index('idx_step_instance_completed_by', 'step_instance', 'completed_by');
SELECT pg_temp.ensure_index('idx_task_comment_task_instance_id', 'task_comment', 'task_instance_id');
SELECT pg_temp.ensure_index('idx_task_comment_author_user_id', 'task_comment', 'author_user_id');
